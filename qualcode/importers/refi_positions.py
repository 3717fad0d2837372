"""Which characters a REFI-QDA file's selection positions count, found from the evidence.

The standard counts Unicode code points from 0, end exclusive; real files differ. NVivo
for Windows counts UTF-16 code units over text with CRLF line ends while the plain text in
its zip has LF only; ATLAS.ti writes CRLF text but counts a line break as one; some readers
count UTF-8 bytes. A convention is a unit (code points, UTF-16 code units, UTF-8 bytes) and
how a line break counts (as it is in the text, always one, always two).

Per source, every convention is tried; a reading fits when every selection lands on
character boundaries inside the text. Among the readings that fit, the one whose cuts match
the snippets the file gives (selection names that quote the text) wins, then the one whose
selections start and end on word boundaries. A reading is refused rather than guessed when
nothing fits, when the best reading still cuts words for most selections, or when two
readings that cut differently are equally good. Pure: text and numbers in, spans out.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from itertools import accumulate

# In order of preference when several readings cut the same text.
CONVENTIONS = ("codepoints", "utf16", "utf16-crlf", "codepoints-crlf", "codepoints-lf",
               "utf16-lf", "utf8", "utf8-crlf", "utf8-lf")
CHOICES = ("auto", *CONVENTIONS)
# Below this share of selections on word boundaries (and no matching snippets), a reading
# is taken for shifted passages, not sloppy selecting.
MIN_WORD_BOUNDARIES = 0.75


@dataclass(frozen=True)
class Span:
    """A selection's positions as the file gives them, and its snippet if any."""

    start: int
    end: int
    snippet: str | None = None


@dataclass
class Reading:
    """The convention used for one source and the spans as code-point indexes of its text
    (``None`` for a span the file gives as empty)."""

    convention: str
    spans: list[tuple[int, int]]
    snippets_matched: int
    on_word_boundaries: float


class PositionError(ValueError):
    """No convention reads the positions safely; the message says why."""


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_NON_ASCII = re.compile("[^\x00-\x7f]+")
_LONE_LF = re.compile("(?<!\r)\n")
_CR_BEFORE_LF = re.compile("\r(?=\n)")


class _Units:
    """Where a convention's units differ from code points: the (sparse) characters that
    count for more or less than one. A position maps to a code-point index by a binary
    search over those, so a long transcript costs as much as its special characters."""

    def __init__(self, text: str, convention: str) -> None:
        unit, _, breaks = convention.partition("-")
        deltas: dict[int, int] = {}
        if unit == "utf16":
            for match in _ASTRAL.finditer(text):
                deltas[match.start()] = 1  # a surrogate pair
        elif unit == "utf8" and not text.isascii():
            for match in _NON_ASCII.finditer(text):
                for i in range(match.start(), match.end()):
                    deltas[i] = len(text[i].encode("utf-8", "surrogatepass")) - 1
        if breaks == "crlf":
            for match in _LONE_LF.finditer(text):
                deltas[match.start()] = deltas.get(match.start(), 0) + 1  # as if CR LF
        elif breaks == "lf":
            for match in _CR_BEFORE_LF.finditer(text):
                deltas[match.start()] = -1  # the LF after it counts the break
        self.n = len(text)
        self.events = sorted(deltas)
        # Segment k holds the indices after event k-1 up to event k (the last one up to
        # the end); within it, offset(i) = i + before[k].
        self.before = [0, *accumulate(deltas[e] for e in self.events)]
        self.ends = [e + b for e, b in zip([*self.events, self.n], self.before, strict=True)]

    def index(self, position: int) -> int | None:
        """The first code-point index at which ``position`` units have been counted, or None
        when it falls inside a character (half a surrogate pair, the middle of a CRLF) or
        outside the text."""
        if not self.events:
            return position if 0 <= position <= self.n else None
        k = bisect.bisect_left(self.ends, position)
        if position < 0 or k >= len(self.ends):
            return None
        i = position - self.before[k]
        first = self.events[k - 1] + 1 if k else 0
        return i if i >= first else None


def _flat(text: str) -> str:
    return " ".join(text.split())


def snippet_matches(cut: str, snippet: str) -> bool:
    """A snippet quotes a cut when equal with runs of white space as one space, or when it
    is the cut's opening words shortened with an ellipsis."""
    if cut == snippet and cut.strip():
        return True
    cut_flat, given = _flat(cut), _flat(snippet)
    if not given:
        return False
    if given == cut_flat:
        return True
    for mark in ("…", "..."):
        if given.endswith(mark) and len(given) > len(mark) + 3:
            return cut_flat.startswith(given[:-len(mark)].rstrip())
    return False


def _between_words(text: str, i: int) -> bool:
    return i <= 0 or i >= len(text) or not (text[i - 1].isalnum() and text[i].isalnum())


def _clean_start(text: str, i: int) -> bool:
    """A selection starts where a word, a sign or a line does, not inside a word nor on the
    space before one."""
    return _between_words(text, i) and (i >= len(text) or text[i] not in " \t")


def _clean_end(text: str, i: int) -> bool:
    return _between_words(text, i) and (i <= 0 or text[i - 1] not in " \t")


def read_with(text: str, spans: list[Span], convention: str) -> Reading | None:
    """The spans under one convention, or None when one of them does not fit the text."""
    units = _Units(text, convention)
    result: list[tuple[int, int]] = []
    matched = boundaries = 0
    for span in spans:
        start, end = units.index(span.start), units.index(span.end)
        if start is None or end is None or end < start:
            return None
        result.append((start, end))
        if span.snippet and snippet_matches(text[start:end], span.snippet):
            matched += 1
        boundaries += _clean_start(text, start) + _clean_end(text, end)
    share = boundaries / (2 * len(spans)) if spans else 1.0
    return Reading(convention, result, matched, share)


def detect(text: str, spans: list[Span], forced: str | None = None) -> Reading:
    """The reading of ``spans`` in ``text`` (see the module's rules); ``forced`` names a
    convention to use without looking at the evidence (still refused if it cannot fit)."""
    if forced and forced != "auto":
        reading = read_with(text, spans, forced)
        if reading is None:
            raise PositionError(f"the positions do not fit the text when read as {forced}")
        return reading
    standard = read_with(text, spans, CONVENTIONS[0])
    if standard is not None and spans and standard.snippets_matched == len(spans):
        # Every selection quotes exactly what the standard's reading cuts: the evidence is
        # complete, and no other reading can do better.
        return standard
    readings = [standard] if standard is not None else []
    readings += [r for r in (read_with(text, spans, c) for c in CONVENTIONS[1:])
                 if r is not None]
    if not readings:
        raise PositionError("the positions fit no known convention (selections fall "
                            "outside the text or inside characters)")
    best = max(readings, key=lambda r: (r.snippets_matched, r.on_word_boundaries))
    given = max(r.snippets_matched for r in readings)
    if given == 0 and spans and best.on_word_boundaries < MIN_WORD_BOUNDARIES:
        raise PositionError(
            f"read as {best.convention}, only {best.on_word_boundaries:.0%} of the selection "
            "ends fall on word boundaries: the passages would be shifted")
    rivals = [r for r in readings if r.spans != best.spans
              and (r.snippets_matched, r.on_word_boundaries)
              == (best.snippets_matched, best.on_word_boundaries)]
    if rivals and spans:
        raise PositionError(f"the positions read equally well as {best.convention} and "
                            f"{rivals[0].convention} but cut different text")
    # The convention that cuts this text alike and comes first in the order of preference
    # names the reading: a text without emoji or line breaks does not tell utf16 apart.
    name = next(r.convention for r in readings if r.spans == best.spans)
    return Reading(name, best.spans, best.snippets_matched, best.on_word_boundaries)


def read_positions(text: str, positions: list[int], convention: str) -> list[int | None]:
    """Single positions (sync points) read by the convention found for the source's
    selections, as code-point indexes of ``text``; None where one does not fit."""
    units = _Units(text, convention)
    return [units.index(position) for position in positions]


# --- from the file's text to qualcode's stored text -------------------------------------

_TRAILING = re.compile(r"[ \t\u00a0]+(?=\r?\n|\Z)")


def normalise_with_offsets(raw: str):
    """qualcode's stored form of ``raw`` (:func:`normalise_text`) and a function taking a
    code-point index of ``raw`` to the same place in it, so spans survive the CRLF, BOM,
    trailing-space and NFC changes."""
    from qualcode.domain.text import normalise_text

    stored = normalise_text(raw)
    if stored == raw:
        return stored, lambda i: i
    if "\r" in raw:
        raw = re.sub("\r(?!\n)", "\n", raw)
    deleted = [0] if raw.startswith("\ufeff") else []
    deleted += [m.start() for m in re.finditer("\r", raw)]
    for match in _TRAILING.finditer(raw):
        deleted.extend(range(match.start(), match.end()))
    deleted = sorted(set(deleted))
    pieces, last = [], 0
    for i in deleted:
        pieces.append(raw[last:i])
        last = i + 1
    pieces.append(raw[last:])
    kept = "".join(pieces)
    lead = len(kept) - len(kept.lstrip("\n"))
    body = kept.strip("\n")

    def step(i: int) -> int:
        return min(max(i - bisect.bisect_left(deleted, i) - lead, 0), len(body))

    if unicodedata.is_normalized("NFC", body):
        mapped, where = body, step
    else:
        lines = body.split("\n")
        old_starts = [0, *accumulate(len(line) + 1 for line in lines)]
        new_lines = [unicodedata.normalize("NFC", line) for line in lines]
        new_starts = [0, *accumulate(len(line) + 1 for line in new_lines)]
        mapped = "\n".join(new_lines)

        def where(i: int) -> int:
            j = step(i)
            k = bisect.bisect_right(old_starts, j) - 1
            k = min(k, len(lines) - 1)
            column = j - old_starts[k]
            return new_starts[k] + len(unicodedata.normalize("NFC", lines[k][:column]))

    if mapped != stored:  # a change this map does not know: refuse rather than shift
        raise PositionError("the text changes in a way positions cannot follow when stored")
    return stored, where
