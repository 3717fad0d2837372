"""Names and notes that users type: a coder's name and a memo.

Both backends get the same rule, because a project moves between them (``qualcode copy``)
and PostgreSQL's text cannot hold a NUL at all: a coder name is trimmed and NFC, must not
be empty and holds no control character; a memo (on a coding or on anything else) is NFC
and keeps tabs and line breaks (``\\r\\n`` becomes ``\\n``) but no other C0 control
character, so "rådgiver" typed either way is found by one search. Text that breaks the
rule is refused, not cleaned, so nothing a user wrote changes behind their back.

A coder who codes a sample again later (a stability check) does so under the same name
with a round suffix: ``anna@2`` is anna's second round, ``anna@3`` her third. The round is
read from the name alone, because the name is all that travels with a coder (coding files,
merged copies, REFI-QDA users); ``anna`` is round 1, so ``anna@1`` and ``anna@02`` (two
names for one layer) are refused.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from qualcode.domain.errors import QualcodeError

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode category Cc
_MEMO_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")  # C0 but tab and line ends
_ROUND = re.compile(r"(.*)@([0-9]+)")  # ASCII digits: "anna@²" is a name, not a round


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
    _check_round(name)
    return name


def coder_round(name: str) -> tuple[str, int]:
    """The coder a name belongs to and which round of theirs it is: ``anna@2`` →
    ``("anna", 2)``, ``anna`` → ``("anna", 1)``. A name is taken as checked by
    :func:`coder_name`."""
    found = _ROUND.fullmatch(name)
    if found is None or not found.group(1).strip():
        return name, 1
    return found.group(1), int(found.group(2))


def later_round(name: str) -> bool:
    """Whether ``name`` is a second or later round of a coder (``anna@2``): a recode of a
    sample, compared with the coder's first round, never counted as a coder of its own."""
    return coder_round(name)[1] > 1


def round_name(coder: str, round_no: int) -> str:
    """The name of ``coder``'s round ``round_no``: ``anna`` for 1, ``anna@2`` for 2."""
    return coder if round_no == 1 else f"{coder}@{round_no}"


def _check_round(name: str) -> None:
    found = _ROUND.fullmatch(name)
    if found is None:
        return
    base, digits = found.group(1), found.group(2)
    if not base.strip():
        raise QualcodeError(f"'{name}' names a round but no coder",
                            hint="write the coder's name before the round, e.g. anna@2")
    if base != base.rstrip():
        raise QualcodeError(f"'{name}' has a space before the round",
                            hint=f"write {base.rstrip()}@{int(digits)}")
    if _ROUND.fullmatch(base) is not None:
        raise QualcodeError(f"'{name}' names a round of a round",
                            hint=f"a round belongs to a coder: {_ROUND.fullmatch(base).group(1)}"
                                 f"@{int(digits)}")
    if int(digits) < 2:
        raise QualcodeError(f"'{name}' is not a round: {base}'s first round is {base} itself",
                            hint=f"use {base} for the first round and {base}@2 for the second")
    if digits != str(int(digits)):
        raise QualcodeError(f"'{name}' writes the round with a leading zero",
                            hint=f"write {base}@{int(digits)}, so one round has one name")


def memo_text(memo: str) -> str:
    """``memo`` in NFC with Windows line ends made ``\\n``; refuses other C0 control
    characters (NUL, escape …), which PostgreSQL cannot store or a terminal would act on."""
    memo = unicodedata.normalize("NFC", memo.replace("\r\n", "\n").replace("\r", "\n"))
    found = _MEMO_CONTROL.search(memo)
    if found is not None:
        bad = found.start()
        raise QualcodeError(f"a memo cannot hold the control character "
                            f"{memo[bad].encode('unicode_escape').decode('ascii')} (at "
                            f"character {bad + 1})",
                            hint="tabs and line breaks are kept; remove the others")
    return memo
