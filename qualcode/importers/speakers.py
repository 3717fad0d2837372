"""Speaker turns from transcript text.

A turn starts at a line that opens with a speaker label and a colon: ``Intervjuer:``,
``Rådgiver 1:``, ``Lærer 2:``, ``I:``, ``R:``, or a name such as ``Kari:``. A timestamp
(``[00:12:31]``) before or right after the label is tolerated, and so is Markdown bold
(``**Rektor:**``). Lines without a label continue the turn before them.

To avoid reading "Det er sånn: …" as a speaker, a label is accepted only if it is mapped
in the transcript's metadata, names a known role, or is used as a label on at least two
lines of the same transcript.

Transcripts from Teams, Zoom and transcription services put the speaker on a line of its
own with a time and no colon (``Ola Nordmann   0:08``, ``[Ola Nordmann] 00:12:31``,
``00:12:31 Ola Nordmann``, ``Speaker 1 (00:12)``); the lines after it, up to the next
speaker, are the turn. Such a *speaker line* must hold nothing but a name and one time: the
time is what sets it apart from a heading or a one-word answer, so a bare name line is text.
The name is accepted by the rules above (mapped, a role, or used on at least two speaker
lines), and a name counted by repetition must look like a name: up to four words, each
capitalised or a number, not ending in a full stop unless it is an initial ("Kari N.").
So "Møtet startet 10:00" stays text however often it occurs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from qualcode.domain.model import ParsedTurn
from qualcode.domain.text import ascii_fold

_TIMESTAMP = r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?"
_LABEL_LINE = re.compile(
    rf"^[ \t]*(?:{_TIMESTAMP}[ \t]+)?"  # [00:12:31] before the label
    r"(?:\*\*|__)?"  # Markdown bold opening
    r"(?P<label>[^\W\d_][^\W_]*(?:[ .'’\-](?!\d{1,2}:\d{2})[^\W_]+){0,3}\.?)"  # 1-4 words
    r"(?:\*\*|__)?"
    rf"[ \t]*(?:{_TIMESTAMP}[ \t]*)?"  # Rektor [00:12:31]:
    r":(?:\*\*|__)?(?:[ \t]+|$)",
    re.MULTILINE,
)

# A speaker line: a name and one time, nothing else. Its colons all sit inside the time,
# followed by digits, so no line is both a speaker line and a colon label. Every part is
# bounded or separated by characters the next part cannot start with, so matching stays
# linear in the line length.
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"  # 0:08, 00:12:31, 1:02:03.250
_GAP = r"[ \t\u00a0]"  # Word exports sometimes pad with no-break spaces
_NAME = r"[^\W\d_][^\W_]*(?:[ .'’\-][^\W_]+){0,3}\.?"  # 1-4 words, as colon labels
_SPEAKER_LINE = re.compile(
    rf"^{_GAP}*(?:(?P<lead>\[{_CLOCK}\]|\({_CLOCK}\)|{_CLOCK}){_GAP}+)?"  # 00:12:31 Ola
    rf"(?:\[(?P<bracketed>{_NAME})\]|(?P<plain>{_NAME}))"
    # a time after the name unless there was one before; a bare time needs a space so
    # that "Speaker 10:08" is not read as "Speaker 1" at 0:08
    rf"(?(lead)|(?:{_GAP}*(?:\[{_CLOCK}\]|\({_CLOCK}\))|{_GAP}+{_CLOCK}))"
    rf"{_GAP}*$",
    re.MULTILINE,
)

# Role vocabulary: first word of a label (ASCII-folded, lower case) -> role value.
ROLE_WORDS = {
    "intervjuer": "intervjuer",
    "intervjuar": "intervjuer",
    "interviewer": "intervjuer",
    "moderator": "intervjuer",
    "forsker": "intervjuer",
    "i": "intervjuer",
    "int": "intervjuer",
    "rektor": "rektor",
    "assisterende": "rektor",
    "inspektor": "rektor",
    "avdelingsleder": "rektor",
    "radgiver": "radgiver",
    "raadgiver": "radgiver",
    "radgjevar": "radgiver",
    "raadgjevar": "radgiver",
    "karriereveileder": "radgiver",
    "laerer": "laerer",
    "larer": "laerer",
    "kontaktlaerer": "laerer",
    "faglaerer": "laerer",
    "elev": "elev",
    "forelder": "foresatt",
    "foresatt": "foresatt",
    "skoleeier": "skoleeier",
}
# Labels that name a speaker without a role (I:/R: convention, "Informant 2").
NEUTRAL_WORDS = {"r", "informant", "deltaker", "deltakar", "respondent", "ukjent"}


def role_from_label(label: str) -> str | None:
    first = ascii_fold(label).lower().replace(".", " ").split()
    if not first:
        return None
    return ROLE_WORDS.get(first[0])


def _known_word(label: str) -> bool:
    """A role word alone or with a number/letter: "Rektor", "Rådgiver 1", "Lærer B"."""
    words = ascii_fold(label).lower().replace(".", " ").split()
    if not words or (words[0] not in ROLE_WORDS and words[0] not in NEUTRAL_WORDS):
        return False
    if len(words) == 1:
        return True
    second = words[1]
    return len(words) == 2 and (second.isdigit() or len(second) == 1 or second in ROLE_WORDS)


def _name_like(label: str) -> bool:
    """A repeated label such as "Kari", "Kari N" or "Kari Nordmann": at most two words, each
    capitalised (or a number), and not a role word with a verb ("Rektor sa", "Hun sa")."""
    words = label.replace(".", " ").split()
    if not words or len(words) > 2:
        return False
    first = ascii_fold(words[0]).lower()
    if first in ROLE_WORDS or first in NEUTRAL_WORDS:
        return False
    return all(w[:1].isupper() or w.isdigit() for w in words)


def _speaker_name_like(name: str) -> bool:
    """A name on a speaker line that counts by repetition: "Ola Nordmann", "Kari Anne
    Nordmann", "Speaker 1", "Kari N." — each word capitalised or a number, so a sentence
    ("Møtet startet") or an answer ("Ja.") is not a name however often it occurs."""
    words = name.replace(".", " ").split()
    if not words or len(words) > 4:
        return False
    if name.endswith(".") and len(words[-1]) > 1:  # a sentence's full stop, not an initial
        return False
    return all(w[:1].isupper() or w.isdigit() for w in words)


def normalise_label(label: str) -> str:
    """How labels are compared: folded case, single spaces, no trailing full stop."""
    return " ".join(label.rstrip(".").split()).casefold()


@dataclass(frozen=True)
class _Candidate:
    line_start: int
    content_start: int
    label: str


def parse_turns(text: str, mapped_labels: set[str] | frozenset[str] = frozenset(),
                extra_labels: set[str] | frozenset[str] = frozenset()) -> list[ParsedTurn]:
    """Split normalised ``text`` into speaker turns.

    ``mapped_labels`` are the labels the metadata maps to persons; ``extra_labels`` are
    labels known from the source format (bold runs in .docx). Both are always accepted.
    Text before the first label is not a turn. Speaker lines (``Ola Nordmann   0:08``)
    start turns too; their text begins on the next line.
    """
    known = {normalise_label(x) for x in mapped_labels | extra_labels}
    candidates = [
        _Candidate(m.start(), m.end(), m.group("label").strip())
        for m in _LABEL_LINE.finditer(text)
    ]
    counts = Counter(normalise_label(c.label) for c in candidates)
    accepted = [
        c for c in candidates
        if normalise_label(c.label) in known
        or _known_word(c.label)
        or (counts[normalise_label(c.label)] >= 2 and _name_like(c.label))
    ]
    # Speaker lines are counted on their own, so colon labels are accepted exactly as
    # before whatever else the transcript holds.
    speaker_lines = [
        _Candidate(m.start(), m.end(), m.group("bracketed") or m.group("plain"))
        for m in _SPEAKER_LINE.finditer(text)
    ]
    if speaker_lines:
        line_counts = Counter(normalise_label(c.label) for c in speaker_lines)
        accepted += [
            c for c in speaker_lines
            if normalise_label(c.label) in known
            or _known_word(c.label)
            or (line_counts[normalise_label(c.label)] >= 2 and _speaker_name_like(c.label))
        ]
        accepted.sort(key=lambda c: c.line_start)
    turns: list[ParsedTurn] = []
    for i, cand in enumerate(accepted):
        limit = accepted[i + 1].line_start if i + 1 < len(accepted) else len(text)
        start = cand.content_start
        end = limit
        # trim surrounding whitespace so text[start:end] is exactly what was said
        while start < end and text[start] in " \t\n":
            start += 1
        while end > start and text[end - 1] in " \t\n":
            end -= 1
        turns.append(ParsedTurn(index=i + 1, label=cand.label.rstrip("."), start=start, end=end))
    return turns
