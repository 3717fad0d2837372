"""The pseudonym key: which original strings (names of informants, schools, places,
employers) are replaced by what, and the replacing itself.

Pure: strings and YAML in, strings and offset maps out. Matching is by whole words only
(``Per`` never touches ``person``), case-sensitive, on NFC text; a word boundary is any
character that is not a letter or digit, so æøå count as letters and ``_`` separates the
words of an identifier (``nordvik_rektor``). A Norwegian genitive (``Olas``, ``Bergens``,
``Hans'``) is replaced with the genitive of the replacement, and the words of a name may be
separated by any whitespace, so a name split across a line break is still found.

Replacing changes lengths, so :meth:`Key.replace` also returns an :class:`OffsetMap` that
turns a span of the original text into the span of the replaced text holding the same
words: a coded passage cut out of the replaced text is exactly its replaced quote.
"""

from __future__ import annotations

import bisect
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.domain.errors import InputFileError
from qualcode.domain.text import nfc

KINDS = ("person", "site", "place", "organisation", "other")
# The study's conventions: a school is its case code or "Skole A", a person their role and
# a letter; places and employers become a bracketed class word.
DEFAULT_REPLACEMENTS = {"place": "[sted]", "organisation": "[bedrift]", "other": "[anonymisert]"}
KEY_FILE_HEADER = """\
Pseudonym key of the study: each original is replaced by its replacement in every export.
Keep this file as safe as the transcripts: it is the link between the names and the
pseudonyms. kind: person | site | place | organisation | other. variants: other spellings
of the same original (a first name alone, a short form of a school's name).
Edit, then load it again with `qualcode pseudonyms import pseudonyms.yaml`.
"""

_LETTER = r"[^\W_]"  # a letter or digit: æøå included, underscore not


@dataclass(frozen=True)
class Entry:
    """One original and what replaces it."""

    original: str
    replacement: str
    kind: str = "other"
    variants: tuple[str, ...] = ()
    line: int | None = field(default=None, compare=False)  # where in the key file

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.original, *self.variants)


@dataclass(frozen=True)
class Match:
    """An original found in a text: ``[start, end)``, the entry, and what replaces it."""

    start: int
    end: int
    entry: Entry
    replacement: str


class OffsetMap:
    """Turns offsets of an original text into offsets of its replaced text.

    A span that starts or ends inside a replaced word is widened to the whole
    replacement: the words are either all there or replaced as a whole."""

    def __init__(self, matches: list[Match]) -> None:
        self._starts = [m.start for m in matches]
        self._ends = [m.end for m in matches]
        self._new_starts: list[int] = []
        self._shift: list[int] = []  # total change of length up to and including match i
        shift = 0
        for m in matches:
            self._new_starts.append(m.start + shift)
            shift += len(m.replacement) - (m.end - m.start)
            self._shift.append(shift)

    def __bool__(self) -> bool:
        return bool(self._starts)

    def position(self, pos: int, *, end: bool = False) -> int:
        i = bisect.bisect_right(self._starts, pos) - 1
        before = self._shift[i - 1] if i > 0 else 0
        if i >= 0 and pos < self._ends[i]:
            if pos == self._starts[i]:
                return pos + before
            if end:  # an end inside a replaced word takes the whole replacement
                return self._ends[i] + self._shift[i]
            return self._new_starts[i]
        return pos + (self._shift[i] if i >= 0 else 0)

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.position(start), self.position(end, end=True)


class Key:
    """A pseudonym key: entries, and one compiled matcher over all their forms."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self.entries: list[Entry] = list(entries)
        self._by_form: dict[str, Entry] = {}
        for entry in self.entries:
            for form in entry.forms:
                self._by_form.setdefault(_squash(nfc(form)), entry)
        self._pattern = _compile(self._by_form) if self._by_form else None
        self._folded_forms = {f.casefold() for f in self._by_form}
        self.longest = max((len(f) for f in self._by_form), default=0)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def originals(self) -> list[str]:
        return [e.original for e in self.entries]

    def find(self, text: str) -> Iterator[Match]:
        """Every original (or variant) in ``text``, left to right, not overlapping."""
        if self._pattern is None:
            return
        for m in self._pattern.finditer(text):
            entry = self._by_form[_squash(m.group("core"))]
            genitive = m.group("gen")
            yield Match(m.start(), m.end(), entry,
                        _genitive(entry.replacement) if genitive else entry.replacement)

    def replace(self, text: str) -> tuple[str, OffsetMap]:
        """``text`` with every original replaced, and the map from old to new offsets."""
        matches = list(self.find(text))
        if not matches:
            return text, OffsetMap([])
        parts: list[str] = []
        at = 0
        for m in matches:
            parts.append(text[at:m.start])
            parts.append(m.replacement)
            at = m.end
        parts.append(text[at:])
        return "".join(parts), OffsetMap(matches)

    def apply(self, text: str | None) -> str | None:
        """Only the replaced text (``None`` and empty strings pass through)."""
        if not text or self._pattern is None:
            return text
        return self.replace(text)[0]

    def passage(self, text: str, start: int, end: int) -> str:
        """What ``text[start:end]`` becomes in the replaced text, computed from a window
        around the span only: the same words as cutting the wholly replaced text at the
        mapped offsets, without replacing a whole transcript for one quote."""
        if self._pattern is None:
            return text[start:end]
        reach = 2 * self.longest + 3  # no match that touches the span starts outside
        lo = max(0, start - reach)
        while lo > 0 and not text[lo - 1].isspace():
            lo -= 1
        hi = min(len(text), end + reach)
        while hi < len(text) and not text[hi].isspace():
            hi += 1
        window, offsets = self.replace(text[lo:hi])
        a, b = offsets.span(start - lo, end - lo)
        return window[a:b]

    def warnings(self, vocabulary: Iterable[str] = ()) -> list[str]:
        """What a researcher should look at before trusting the key."""
        out: list[str] = []
        kinds: dict[str, set[str]] = {}
        for entry in self.entries:
            kinds.setdefault(entry.replacement, set()).add(entry.kind)
        for replacement, found in kinds.items():
            if len(found) > 1:
                originals = [e.original for e in self.entries if e.replacement == replacement]
                out.append(f"'{replacement}' replaces {', '.join(originals)} of different "
                           f"kinds ({', '.join(sorted(found))}): readers cannot tell them apart")
        words = {nfc(w) for w in vocabulary}
        spellings: dict[str, set[str]] = {}
        for w in words:
            spellings.setdefault(w.casefold(), set()).add(w)
        folded = [w.casefold() for w in words]
        for entry in self.entries:
            for form in entry.forms:
                if " " in form:
                    continue
                ordinary = bool(spellings.get(form.casefold(), set()) - {form})
                inside: list[str] = []
                if len(form) <= 5:  # short names begin ordinary words: Per, person
                    needle = form.casefold()
                    inside = sorted({w for w in folded if len(w) > len(needle)
                                     and w.startswith(needle) and w not in self._folded_forms},
                                    key=lambda w: (len(w), w))[:3]
                if ordinary or inside:
                    what = [f"an ordinary word ('{form.lower()}')"] if ordinary else []
                    if inside:
                        what.append(f"part of ordinary words ({', '.join(inside)})")
                    out.append(f"'{form}' is also {' and '.join(what)}: only '{form}' as a "
                               "whole word, spelt so, is replaced")
            for other in self.entries:
                if other is not entry and _contains_word(entry.replacement, other.original):
                    out.append(f"the replacement '{entry.replacement}' contains the original "
                               f"'{other.original}'")
        return out


def _squash(form: str) -> str:
    return " ".join(form.split())


def _genitive(word: str) -> str:
    return word + "'" if word[-1:] in ("s", "x", "z") else word + "s"


def _contains_word(text: str, word: str) -> bool:
    return re.search(rf"(?<!{_LETTER}){re.escape(word)}(?!{_LETTER})", text) is not None


def _trie_pattern(forms: Iterable[str]) -> str:
    """One regular expression for many literal forms, as a prefix tree: matching costs
    the length of a name, not the number of names. Spaces match any whitespace."""
    trie: dict = {}
    for form in forms:
        node = trie
        for char in form:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict, first: bool = False) -> str:
        ends = "" in node
        branches = []
        for char in sorted(c for c in node if c):
            head = r"\s+" if char == " " else re.escape(char)
            if first:  # the word boundary, checked after the first letter (see _compile)
                head += rf"(?<!{_LETTER}.)"
            branches.append(head + build(node[char]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie, first=True)


def _compile(by_form: dict[str, Entry]) -> re.Pattern[str]:
    # The pattern opens with the names' first letters and checks the boundary before them
    # right after: the engine then jumps from one candidate letter to the next.
    core = _trie_pattern(by_form)
    return re.compile(rf"(?P<core>{core})(?P<gen>s|')?(?!{_LETTER})")


# --- the key file ------------------------------------------------------------------------

def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    return yaml


def load_key(path: Path) -> Key:
    """Read ``pseudonyms.yaml``; a broken file is one error with file:line."""
    from ruamel.yaml.error import MarkedYAMLError

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(str(path), f"cannot be read ({exc})") from None
    try:
        data = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise InputFileError(str(path), f"not valid YAML: {exc.problem or exc.context}",
                             line=line, hint="fix the file and import it again") from None
    return parse_key(data, str(path))


def parse_key(data: object, source: str = "pseudonyms.yaml") -> Key:
    if data is None:
        return Key()
    items = data.get("pseudonyms") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise InputFileError(source, "expected a list under 'pseudonyms:'",
                             hint="see `qualcode pseudonyms export` for the layout")
    entries: list[Entry] = []
    seen: dict[str, Entry] = {}
    for item in items:
        line = _line_of(item)
        if not isinstance(item, dict):
            raise InputFileError(source, "each pseudonym needs original: and replacement:",
                                 line=line)
        unknown = sorted(set(item) - {"original", "replacement", "kind", "variants", "note"})
        if unknown:
            raise InputFileError(source, f"unknown key '{unknown[0]}'", line=line,
                                 hint="keys: original, replacement, kind, variants, note")
        original = nfc(str(item.get("original") or "")).strip()
        kind = str(item.get("kind") or "other").strip()
        replacement = item.get("replacement")
        if replacement is None or str(replacement).strip() == "":
            replacement = DEFAULT_REPLACEMENTS.get(kind)
        if not original or not replacement:
            raise InputFileError(source, "a pseudonym without original or replacement",
                                 line=line)
        if kind not in KINDS:
            raise InputFileError(source, f"unknown kind '{kind}' for '{original}'", line=line,
                                 hint=f"kinds: {', '.join(KINDS)}")
        variants = item.get("variants") or []
        if isinstance(variants, str):
            variants = [variants]
        entry = Entry(original, nfc(str(replacement)).strip(), kind,
                      tuple(dict.fromkeys(nfc(str(v)).strip() for v in variants
                                          if str(v).strip() and str(v).strip() != original)),
                      line)
        if original in seen and seen[original].replacement != entry.replacement:
            raise InputFileError(source, f"'{original}' has two replacements "
                                 f"('{seen[original].replacement}', '{entry.replacement}')",
                                 line=line)
        if original not in seen:
            seen[original] = entry
            entries.append(entry)
    return Key(entries)


def _line_of(item: object) -> int | None:
    lc = getattr(item, "lc", None)
    return lc.line + 1 if lc is not None else None


def key_data(entries: Iterable[Entry]) -> list[dict]:
    out = []
    for e in entries:
        item: dict = {"original": e.original, "replacement": e.replacement, "kind": e.kind}
        if e.variants:
            item["variants"] = list(e.variants)
        out.append(item)
    return out


def save_key(key: Key, path: Path, notes: dict[str, str] | None = None) -> None:
    """Write the key as YAML. Into an existing key file the entries are written in place,
    so the researcher's comments and order survive an export after an import."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import YAMLError

    yaml = _yaml()
    document = None
    if path.exists():
        try:
            document = yaml.load(path.read_text(encoding="utf-8-sig"))
        except (YAMLError, OSError, UnicodeDecodeError):
            document = None
    if not isinstance(document, dict) or not isinstance(document.get("pseudonyms"), list):
        document = CommentedMap()
        document["pseudonyms"] = CommentedSeq()
        document.yaml_set_start_comment(KEY_FILE_HEADER)
    items = document["pseudonyms"]
    wanted = {e.original: e for e in key.entries}
    # Edited in place, so comments on the items the researcher kept stay where they were.
    for i in reversed(range(len(items))):
        item = items[i]
        original = nfc(str(item.get("original", ""))) if isinstance(item, dict) else None
        entry = wanted.pop(original, None)
        if entry is None:
            del items[i]
            continue
        item["replacement"] = entry.replacement
        item["kind"] = entry.kind
        if entry.variants:
            item["variants"] = list(entry.variants)
        elif "variants" in item:
            del item["variants"]
    for data in key_data(e for e in key.entries if e.original in wanted):
        items.append(CommentedMap(data))
        note = (notes or {}).get(data["original"])
        if note:
            items.yaml_set_comment_before_after_key(len(items) - 1, before=note, indent=2)
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    path.write_text(buffer.getvalue(), encoding="utf-8")
