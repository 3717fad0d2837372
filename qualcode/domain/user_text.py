"""Names and notes that users type: a coder's name and a memo.

Both backends get the same rule, because a project moves between them (``qualcode copy``)
and PostgreSQL's text cannot hold a NUL at all: a coder name is trimmed and NFC, must not
be empty and holds no control character; a memo keeps tabs and line breaks (``\\r\\n``
becomes ``\\n``) but no other C0 control character. Text that breaks the rule is refused,
not cleaned, so nothing a user wrote changes behind their back.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from qualcode.domain.errors import QualcodeError

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc
_MEMO_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")  # C0 but tab and line ends


@lru_cache(maxsize=256)  # a coding file names a few coders on 100 000 rows
def coder_name(name: str) -> str:
    """``name`` trimmed and NFC; refuses an empty name and one with control characters."""
    name = unicodedata.normalize("NFC", name.strip())
    if not name:
        raise QualcodeError("a coder name cannot be empty",
                            hint="give the coder's name or initials, e.g. --coder kari")
    bad = _CONTROL.search(name)
    if bad is not None:
        raise QualcodeError(f"a coder name cannot hold the control character "
                            f"{bad.group().encode('unicode_escape').decode('ascii')}",
                            hint="use letters, digits, spaces or punctuation")
    return name


def memo_text(memo: str) -> str:
    """``memo`` with Windows line ends made ``\\n``; refuses other C0 control characters
    (NUL, escape …), which PostgreSQL cannot store or a terminal would act on."""
    memo = memo.replace("\r\n", "\n").replace("\r", "\n")
    found = _MEMO_CONTROL.search(memo)
    if found is not None:
        bad = found.start()
        raise QualcodeError(f"a memo cannot hold the control character "
                            f"{memo[bad].encode('unicode_escape').decode('ascii')} (at "
                            f"character {bad + 1})",
                            hint="tabs and line breaks are kept; remove the others")
    return memo
