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
So "Møtet startet 10:00" stays text however often it occurs. Once a transcript is laid
out in speaker lines (one of them is accepted by the rules above), a speaker line whose name
looks like a name counts even if used once (Otter's "Unknown Speaker", a guest who speaks
once), and a line holding only a time starts a turn of an unidentified speaker (Teams).

Machine labels from diarization (``SPEAKER_00``, WhisperX and pyannote) are always labels,
and a bracketed label opening a line (``[id1] …``, as QualCoder writes) counts when it is
mapped, a role, a machine label, or used twice and shaped like an id ("id1", "P02") or, in a
file with at least two such names, like a name — so a "[Latter]" sound note stays text. In a
file laid out so, an id (or name) used once counts too.

Some lines end the running turn and start none: Teams' "Kari Nordmann stopped
transcription" ("… stoppet transkripsjonen"), section markers such as ``**Break:**`` or
``Pause:``, and headings a Word document marks as headings. Their text is kept in the
document but belongs to no turn.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import repeat

from qualcode.domain.model import ParsedTurn
from qualcode.domain.text import ascii_fold, count_words, count_words_in


class LazyPattern:
    """A regular expression compiled when first used. Most transcripts never need the
    patterns for rarer layouts, and compiling them would add to the start of every import."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._source = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str):  # match, fullmatch, finditer …
        if self._compiled is None:
            self._compiled = re.compile(*self._source)
        return getattr(self._compiled, name)


_TIMESTAMP = r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?"
# WhisperX, pyannote and other diarization programs name speakers SPEAKER_00, SPEAKER_01 …
_DIARIZED = r"[Ss][Pp][Ee][Aa][Kk][Ee][Rr]_\d{1,3}"
_LABEL_LINE = re.compile(
    rf"^[ \t]*(?:(?P<t1>{_TIMESTAMP})[ \t]+)?"  # [00:12:31] before the label
    r"(?:\*\*|__)?"  # Markdown bold opening
    rf"(?P<label>{_DIARIZED}|"
    r"[^\W\d_][^\W_]*(?:[ .'’\-](?!\d{1,2}:\d{2})[^\W_]+){0,3}\.?)"  # 1-4 words
    r"(?:\*\*|__)?"
    rf"[ \t]*(?:(?P<t2>{_TIMESTAMP})[ \t]*)?"  # Rektor [00:12:31]:
    r":(?:\*\*|__)?(?:[ \t]+|$)",
    re.MULTILINE,
)
# "Kari: [04:03] Ja …": a bracketed time right after the label is not what was said. A bare
# "10:00" is left alone, since an answer may start with a time.
_TIME_AFTER_LABEL = LazyPattern(r"(?:\[\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\]"
                               r"|\(\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?\))(?:[ \t]+|$)")

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
    rf"(?(lead)|(?P<trail>{_GAP}*(?:\[{_CLOCK}\]|\({_CLOCK}\))|{_GAP}+{_CLOCK}))"
    rf"{_GAP}*$",
    re.MULTILINE,
)
# A time alone on its line: Teams writes it where it could not tell who spoke.
_TIME_LINE = LazyPattern(rf"^{_GAP}*(?:\[{_CLOCK}\]|\({_CLOCK}\)|{_CLOCK}){_GAP}*$",
                        re.MULTILINE)
# "[id1] Ja …", "[SPEAKER_00]: Ja …", "[Kari] Ja …": a bracketed label opening a line.
# A time alone after it makes a speaker line ("[Ola Nordmann] 00:12:31"), not this.
_BRACKET_LINE = LazyPattern(
    rf"\[(?P<label>{_DIARIZED}|{_NAME})\](?:[ \t]*:)?[ \t]+"
    rf"(?=\S)(?![\[(]?{_CLOCK}[\])]?{_GAP}*$)",
    re.MULTILINE)  # matched at the start of a line
_DIARIZED_FULL = re.compile(_DIARIZED)
_ID_LIKE = LazyPattern(r"[^\W\d_]{1,12}\d{1,4}")  # id1, P02, IP3
# Teams' closing (and opening) line, in English and Norwegian: not said by anyone. The
# line holds a name and the notice only, so "Og da stoppet transkripsjonen." is speech.
_TRANSCRIPTION_NOTICE = LazyPattern(
    r"(?:(?:started|stopped) transcription|(?:startet|stoppet) transkripsjonen)[ \t.]*$",
    re.MULTILINE | re.IGNORECASE)
_NOTICE_LINE = LazyPattern(rf"{_GAP}*(?P<name>{_NAME}){_GAP}+\w+ \w+[ \t.]*")
_NOTICE_WORDS = ("transcription", "transkripsjonen", "Transcription", "Transkripsjonen")
# Labels that mark a section of the document, not a speaker ("**Break:**", "Pause:").
SECTION_WORDS = {
    "break", "pause", "note", "notes", "summary", "outline", "keywords", "action items",
    "transcript", "agenda", "notat", "merknad", "sammendrag", "stikkord", "oppsummering",
}

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
NEUTRAL_WORDS = {"r", "informant", "deltaker", "deltakar", "respondent", "ukjent",
                 "speaker", "participant", "interviewee"}  # "Speaker 0" from diarization


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


def is_diarized_label(label: str) -> bool:
    """A diarization program's machine label ("SPEAKER_00"): a speaker by its shape alone."""
    return _DIARIZED_FULL.fullmatch(label) is not None


def clock_seconds(clock: str) -> float | None:
    """Seconds of a written time: "0:08", "[00:12:31]", "1:02:03.250", "(12:31,5)"."""
    parts = clock.strip("[]() \t\u00a0").replace(",", ".").split(":")
    try:
        seconds = float(parts[-1])
        minutes = int(parts[-2])
        hours = int(parts[-3]) if len(parts) > 2 else 0
    except (ValueError, IndexError):
        return None
    # through whole milliseconds, so "0:01:02.835" is 62.835 as written, not 62.83500…1
    return round(((hours * 60 + minutes) * 60 + seconds) * 1000) / 1000


def normalise_label(label: str) -> str:
    """How labels are compared: folded case, single spaces, no trailing full stop."""
    return " ".join(label.rstrip(".").split()).casefold()


# Words outside any turn above this many mean speakers were missed, not a heading.
UNATTRIBUTED_WORDS = 30


@dataclass(frozen=True)
class _Candidate:
    line_start: int
    content_start: int
    label: str | None  # None: a turn nobody is named for (a time alone on its line)
    time: str | None = None  # the time written with the label, if any
    ends_only: bool = False  # a line that ends the running turn and starts none


@dataclass
class TurnReading:
    """The turns of a text, and what a researcher should check about how they were found."""

    turns: list[ParsedTurn]
    once: list[tuple[str, int]] = field(default_factory=list)  # (label, line) used once
    unnamed: list[int] = field(default_factory=list)  # lines of turns nobody is named for
    lead_end: int = 0  # where the line opening the first turn starts
    gaps: list[tuple[int, int]] = field(default_factory=list)  # (line, words) in no turn


def parse_turns(text: str, mapped_labels: set[str] | frozenset[str] = frozenset(),
                extra_labels: set[str] | frozenset[str] = frozenset()) -> list[ParsedTurn]:
    """Split normalised ``text`` into speaker turns (see :func:`read_turns`)."""
    return read_turns(text, mapped_labels, extra_labels).turns


def read_turns(text: str, mapped_labels: set[str] | frozenset[str] = frozenset(),
               extra_labels: set[str] | frozenset[str] = frozenset(),
               breaks: set[str] | frozenset[str] = frozenset()) -> TurnReading:
    """Split normalised ``text`` into speaker turns.

    ``mapped_labels`` are the labels the metadata maps to persons; ``extra_labels`` are
    labels known from the source format (bold runs in .docx). Both are always accepted.
    ``breaks`` are lines (headings) that end the running turn. Text before the first label
    is not a turn. Speaker lines (``Ola Nordmann   0:08``) start turns too; their text
    begins on the next line.
    """
    known = {normalise_label(x) for x in mapped_labels | extra_labels}
    lines = _lines_with_colon(text)
    accepted = _colon_labels(text, lines, known) + _bracket_labels(text, known)
    layout = _speaker_lines(text, lines, known)
    accepted += layout
    if layout:
        accepted += [_Candidate(m.start(), m.end(), None, m.group().strip())
                     for m in _TIME_LINE.finditer(text)]
    accepted += _breaks(text, breaks)
    accepted.sort(key=lambda c: c.line_start)
    turns: list[ParsedTurn] = []
    reading = TurnReading(turns)
    found: list[tuple[str | None, int, int, float | None]] = []  # label, start, end, time
    for i, cand in enumerate(accepted):
        limit = accepted[i + 1].line_start if i + 1 < len(accepted) else len(text)
        if cand.ends_only:
            # after a heading or notice, text before the next speaker belongs to no turn:
            # much of it means speakers in a layout that was not recognised
            line_end = text.find("\n", cand.line_start, limit)
            rest = text[line_end:limit] if line_end >= 0 else ""
            words = count_words(rest)
            if words > UNATTRIBUTED_WORDS:
                first = limit - len(rest.lstrip())  # the first line with text
                reading.gaps.append((text.count("\n", 0, first) + 1, words))
            continue
        start = cand.content_start
        end = limit
        # trim surrounding whitespace so text[start:end] is exactly what was said
        while start < end and text[start] in " \t\n":
            start += 1
        while end > start and text[end - 1] in " \t\n":
            end -= 1
        if cand.label is None and start == end:
            continue  # a time with nothing said after it
        label = cand.label.rstrip(".") if cand.label else None
        t_start = clock_seconds(cand.time) if cand.time else None
        found.append((label, start, end, t_start))
        if len(found) == 1:
            reading.lead_end = cand.line_start
        if label is None:
            reading.unnamed.append(text.count("\n", 0, cand.line_start) + 1)
    words = count_words_in(text, [(start, end) for _, start, end, _ in found])
    turns.extend(ParsedTurn(index=i, label=label, start=start, end=end, n_words=n_words,
                            t_start=t_start)
                 for i, ((label, start, end, t_start), n_words)
                 in enumerate(zip(found, words, strict=True), start=1))
    _note_labels_used_once(text, accepted, known, reading)
    return reading


def _lines_with_colon(text: str) -> list[int]:
    """Where each line holding a colon starts. A colon label and a speaker line's time both
    hold one, and a match of either lies within one line: trying the patterns at these
    starts finds what a search through the whole text finds, at a fraction of its cost."""
    starts = []
    colon = text.find(":")
    while colon >= 0:
        starts.append(text.rfind("\n", 0, colon) + 1)
        line_end = text.find("\n", colon)
        if line_end < 0:
            break
        colon = text.find(":", line_end)
    return starts


def _colon_labels(text: str, lines: list[int], known: set[str]) -> list[_Candidate]:
    """``Rektor: …`` lines accepted by the rules in the module docstring; section markers
    (``**Break:**``) end the running turn instead."""
    candidates = []
    for line_start in lines:
        m = _LABEL_LINE.match(text, line_start)
        if m is None:
            continue
        content = m.end()
        time = m.group("t1") or m.group("t2")
        if text.startswith(("[", "("), content):
            after = _TIME_AFTER_LABEL.match(text, content)
            if after:
                content, time = after.end(), time or after.group().strip()
        candidates.append(_Candidate(m.start(), content, m.group("label").strip(), time))
    keys, counts = _label_counts(candidates)
    verdict: dict[str, str | None] = {}  # label as written -> "turn", "break" or None
    accepted = []
    for c in candidates:
        if c.label not in verdict:
            key = keys[c.label]
            if key in known or is_diarized_label(c.label):
                verdict[c.label] = "turn"
            elif key in SECTION_WORDS:
                verdict[c.label] = "break"
            elif _known_word(c.label) or (counts[key] >= 2 and _name_like(c.label)):
                verdict[c.label] = "turn"
            else:
                verdict[c.label] = None
        if verdict[c.label] == "turn":
            accepted.append(c)
        elif verdict[c.label] == "break":
            accepted.append(_Candidate(c.line_start, c.line_start, None, ends_only=True))
    return accepted


def _bracket_labels(text: str, known: set[str]) -> list[_Candidate]:
    """``[id1] …`` and ``[SPEAKER_00]: …`` lines."""
    # only where a line opens with a bracket: cheaper than a multi-line search
    starts = [0] if text.startswith("[") else []
    at = text.find("\n[")
    while at >= 0:
        starts.append(at + 1)
        at = text.find("\n[", at + 1)
    candidates = []
    for at in starts:
        if not text[at + 1:at + 2].isalpha():
            continue  # "[00:12:31] Rektor: …", a time: labels start with a letter
        m = _BRACKET_LINE.match(text, at)
        if m:
            candidates.append(_Candidate(m.start(), m.end(), m.group("label").strip()))
    if not candidates:
        return []
    counts = Counter(normalise_label(c.label) for c in candidates)
    repeated_names = sum(1 for key, n in counts.items() if n >= 2 and key not in SECTION_WORDS)

    def shaped(label: str) -> bool:  # an id, or a name in a file of named brackets
        return bool(_ID_LIKE.fullmatch(label)) or (repeated_names >= 2 and _name_like(label))

    by_rule = [normalise_label(c.label) in known or is_diarized_label(c.label)
               or _known_word(c.label)
               or (counts[normalise_label(c.label)] >= 2 and shaped(c.label))
               for c in candidates]
    if not any(counts[normalise_label(c.label)] >= 2 and shaped(c.label) for c in candidates):
        return [c for c, ok in zip(candidates, by_rule, strict=True) if ok]
    # The file is laid out in bracketed ids or names: one used once is a speaker too.
    return [c for c, ok in zip(candidates, by_rule, strict=True) if ok or shaped(c.label)]


def _speaker_lines(text: str, lines: list[int], known: set[str]) -> list[_Candidate]:
    """Speaker lines (``Ola Nordmann   0:08``). They are counted on their own, so colon
    labels are accepted exactly as before whatever else the transcript holds."""
    candidates = [
        _Candidate(m.start(), m.end(), m.group("bracketed") or m.group("plain"),
                   m.group("lead") or m.group("trail"))
        for m in map(_SPEAKER_LINE.match, repeat(text), lines) if m is not None
    ]
    if not candidates:
        return []
    keys, counts = _label_counts(candidates)
    by_rule = {label: keys[label] in known or _known_word(label)
               or (counts[keys[label]] >= 2 and _speaker_name_like(label)) for label in keys}
    if not any(by_rule.values()):
        return []
    # The transcript is laid out in speaker lines, so a name that speaks once is a speaker
    # too, if it looks like a name ("Unknown Speaker", a guest).
    accept = {label: ok or (_speaker_name_like(label) and keys[label] not in SECTION_WORDS)
              for label, ok in by_rule.items()}
    return [c for c in candidates if accept[c.label]]


def _label_counts(candidates: list[_Candidate]) -> tuple[dict[str, str], Counter[str]]:
    """Each label as written with its normalised form, and how often each normalised label
    is used: worked out once per label, not once per line."""
    written = Counter(c.label for c in candidates if c.label)
    keys = {label: normalise_label(label) for label in written}
    counts: Counter[str] = Counter()
    for label, n in written.items():
        counts[keys[label]] += n
    return keys, counts


def _breaks(text: str, headings: set[str] | frozenset[str]) -> list[_Candidate]:
    """Lines that end the running turn: transcription notices and the given headings."""
    found = []
    if any(word in text for word in _NOTICE_WORDS):
        for m in _TRANSCRIPTION_NOTICE.finditer(text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            line = _NOTICE_LINE.fullmatch(text, line_start, m.end())
            if line and _speaker_name_like(line.group("name")):
                found.append(_Candidate(line_start, line_start, None, ends_only=True))
    for heading in headings:
        at = text.find(heading)
        while at >= 0:
            end = at + len(heading)
            if (at == 0 or text[at - 1] == "\n") and (end == len(text) or text[end] == "\n"):
                found.append(_Candidate(at, at, None, ends_only=True))
            at = text.find(heading, end)
    return found


def _note_labels_used_once(text: str, accepted: list[_Candidate], known: set[str],
                           reading: TurnReading) -> None:
    """Names that speak once, unless the metadata or the format vouches for them (a role
    word or a machine label is a speaker by itself): a researcher should check that each is
    a speaker and not a line of the answer."""
    keys, counts = _label_counts(accepted)
    for cand in accepted:
        if cand.label and counts[keys[cand.label]] == 1 and keys[cand.label] not in known \
                and not _known_word(cand.label) and not is_diarized_label(cand.label):
            line = text.count("\n", 0, cand.line_start) + 1
            reading.once.append((cand.label.rstrip("."), line))
