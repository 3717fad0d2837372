"""Subtitle transcripts: WebVTT (.vtt) and SubRip (.srt), as Teams, Zoom and transcription
services deliver them.

A subtitle file is a list of cues: a timing line and a line or two of text. This module
finds who speaks in each cue, joins consecutive cues of one speaker into one turn (an answer
is coded as a whole, not in four-second pieces) and writes the transcript in the plain shape
every other format has: one turn per paragraph, ``Ola Nordmann: what was said``.

Who speaks, line by line:

- a WebVTT voice span, ``<v Ola Nordmann>…</v>`` (Teams; ``<v.loud Ola>`` too, and the
  closing tag may be left out), always names the speaker, and so does the name in Zoom's
  newer cue identifier, ``1 "Kari Nordmann" (1063281152)``;
- a name and a colon at the start of a line, ``Ola Nordmann: …`` (Zoom), or a name in
  brackets, ``[Ola Nordmann] …``, names the speaker if it is a role label (``Rektor``,
  ``Lærer 2``, ``I``), is mapped in the metadata, or is a capitalised name used on at least
  two lines — the rules of text transcripts, so "Det er sånn: …" stays text. In a file where
  most cues open with a name, as Zoom's do, a ``Name:`` opening a cue counts even if used
  once when it is capitalised ("Nandani butola") or a lower-case display name of one or two
  words ("ola n"), and any name used at least twice counts. A diarization label
  (``[SPEAKER_00]``) always counts. A bracket alone on its line ("[latter]") is a sound
  note and stays text;
- a dialogue dash (``- Ja.``) marks another voice but names nobody: qualcode does not guess,
  so the line stays in the running turn with its dash, which keeps the change visible.

A line that names nobody continues the turn before it. Text before the first named speaker is
kept in the transcript but, as in text transcripts, belongs to no turn. In a file where most
cues name their speaker (by a name or a voice tag), the cues that do not are counted in a
warning, and so is a name read from a cue's text that speaks only once: both are worth a
look.

Teams numbers its cues ``<utterance id>/<n>-<k>``: the cues of one utterance share the part
before the dash. When two people talk at once their cues interleave; the cues of each
utterance are put together again at the place of its first cue, so an answer is not cut into
pieces by a "ja" from the other side.

A blank line inside a cue (a common export fault in SubRip files) would make the rest of the
cue a block without a timing: such a block is read as more text of the cue above it, with a
warning, instead of refusing the file.

Names become labels as written, except that characters a label cannot hold are replaced by
spaces ("Nordmann, Ola" → "Nordmann Ola", "Kari (Gjest)" → "Kari Gjest"); map that form in the
metadata. Markup (``<i>``, ``<c.x>``, ``<00:00:01.000>``, ``<font>``, ``{\\an8}``) is removed
and HTML entities are decoded. Cue times are read and checked, kept on :class:`Cue`, and each
turn's start is passed on with the transcript's turns.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from qualcode.domain.errors import InputFileError
from qualcode.domain.text import ascii_fold, nfc
from qualcode.importers.speakers import (
    NEUTRAL_WORDS,
    ROLE_WORDS,
    is_diarized_label,
    normalise_label,
    parse_turns,
)

_EXAMPLE_TIMING = {"vtt": "00:01:02.500 --> 00:01:05.000", "srt": "00:01:02,500 --> 00:01:05,000"}

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"  # hours optional, as WebVTT allows
_TIMING = re.compile(rf"{_TIME}[ \t]*-->[ \t]*{_TIME}(?:[ \t]+.*)?")  # settings may follow
_STARTS_LIKE_TIME = re.compile(r"[ \t]*\d+:\d")
_VTT_HEADER = re.compile(r"WEBVTT(?:[ \t].*)?")
_VTT_NOT_A_CUE = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t].*)?")

_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>")
# Tags start with a letter, so "under <5 elever" in a SubRip file is left alone.
_MARKUP = re.compile(r"</?[A-Za-z][^>]*>|<\d[\d:.]*>|\{\\[^}]*\}")
_BIDI_MARKS = str.maketrans("", "", "\u200e\u200f")  # what &lrm; and &rlm; decode to
_DASH = re.compile(r"[-–—][ \t]*(?=[^\d\s])")  # "- Ja." but not "-5 grader"
_COLON_NAME = re.compile(r"(?P<name>[^:\[\]]{1,60}?)[ \t]*:(?:[ \t]+|$)")
# "[Kari] Ja." or "[Kari]: Ja." — but a lone "[latter]" is a sound note, not a speaker.
_BRACKET_NAME = re.compile(r"\[(?P<name>[^\]]{1,60})\](?:[ \t]*:[ \t]*|[ \t]+(?=\S))")
_NOT_IN_LABEL = re.compile(r"[^\w .'’\-]|_")
_ZOOM_IDENTIFIER = re.compile(r'\d+[ \t]+"(?P<name>[^"]+)"(?:[ \t]+\(\d+\))?')
_TEAMS_IDENTIFIER = re.compile(r"(?P<utterance>[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}"
                               r"/\d+)-\d+")


@dataclass(frozen=True)
class Cue:
    """One subtitle: when it is shown and its text lines as written (markup included)."""

    line: int  # 1-based line number of the timing line, for messages
    start_ms: int
    end_ms: int
    payload: tuple[str, ...]
    identifier: str | None = None  # the line before the timing (a cue id or number)


@dataclass
class SubtitleTranscript:
    """A subtitle file as transcript text, ready for ``build_transcript``."""

    text: str  # "Speaker: what was said" per turn, turns separated by blank lines
    speakers: set[str]  # every speaker label in ``text``, to be accepted as labels
    cues: list[Cue]
    unattributed_line: int | None = None  # where text before the first speaker starts
    # (start, end) seconds of each turn with a speaker, in turn order
    times: list[tuple[float, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a researcher should check


@dataclass
class _Line:
    """One line of a cue (or the part of it after a voice tag), cleaned of markup."""

    line: int  # the cue's timing line
    start_ms: int
    end_ms: int
    opens_cue: bool
    voice: str | None  # from <v Name>
    name: str | None  # a name opening the line ("Kari:", "[Kari]"), as a label
    bracketed: bool  # "[Kari]": brackets also hold sound notes ("[Latter] Ja.")
    said: str  # the text after that name
    text: str  # the whole line, for when the name turns out not to be a speaker


@dataclass
class _Turn:
    speaker: str | None
    start_ms: int
    end_ms: int
    said: list[str] = field(default_factory=list)


def read_subtitles(text: str, fmt: str, path: str,
                   mapped: Iterable[str] = ()) -> SubtitleTranscript:
    """Turn decoded subtitle text (``fmt`` "vtt" or "srt") into transcript text.

    ``mapped`` are the speaker labels the metadata maps: they count as speakers in a
    ``Name:`` prefix even when used only once.
    """
    notes: list[str] = []
    cues = utterances_together(parse_cues(text, fmt, path, notes))
    lines = [piece for cue in cues for piece in _cue_lines(cue, path)]
    if not any(piece.text for piece in lines):
        raise InputFileError(path, "the cues contain no text",
                             hint="export the transcript again with its text")
    speakers, convention = _speaker_names(lines, len(cues), mapped)
    turns: list[_Turn] = []
    unattributed_line = None
    unnamed: list[int] = []  # cues that name nobody, joined to the turn before them
    by_text: Counter[str] = Counter()  # names read from the text of cues, for warnings
    first_use: dict[str, int] = {}
    for piece in lines:
        speaker, said = piece.voice, piece.text
        if speaker is None and piece.name and normalise_label(piece.name) in speakers:
            speaker, said = piece.name, piece.said
            key = normalise_label(speaker)
            by_text[key] += 1
            first_use.setdefault(key, piece.line)
        elif speaker is None and piece.opens_cue and turns and turns[-1].speaker:
            unnamed.append(piece.line)
        if speaker is not None and not (turns and _same(turns[-1].speaker, speaker)):
            if turns and not turns[-1].said:  # a speaker who said nothing ("Rektor:" alone)
                turns.pop()
            if not (turns and _same(turns[-1].speaker, speaker)):
                turns.append(_Turn(speaker, piece.start_ms, piece.end_ms))
        if said:
            if not turns:
                turns.append(_Turn(None, piece.start_ms, piece.end_ms))
                unattributed_line = piece.line
            turns[-1].said.append(said)
            turns[-1].end_ms = max(turns[-1].end_ms, piece.end_ms)
    if turns and not turns[-1].said:
        turns.pop()
    labels = {t.speaker for t in turns if t.speaker}
    known = {normalise_label(speaker_label(label)) for label in mapped}
    for label in sorted(labels):
        key = normalise_label(label)
        if by_text[key] == 1 and key not in known and not is_diarized_label(label) \
                and not _role_label(label):
            notes.append(f"speaker '{label}' speaks only once (the cue at line "
                         f"{first_use[key]}); "
                         "check that it is a speaker, or map it in the metadata")
    voiced = 2 * sum(1 for x in lines if x.voice and x.opens_cue) >= len(cues)
    if (convention or voiced) and unnamed:
        notes.append(f"{len(unnamed)} cue(s) name no speaker and were joined to the turn "
                     f"before them (the first at line {unnamed[0]})")
    body = "\n\n".join(f"{t.speaker}: {' '.join(t.said)}" if t.speaker else " ".join(t.said)
                       for t in turns)
    return SubtitleTranscript(text=body, speakers=labels, cues=cues,
                              unattributed_line=unattributed_line if labels else None,
                              times=[(t.start_ms / 1000, t.end_ms / 1000)
                                     for t in turns if t.speaker], notes=notes)


def utterances_together(cues: list[Cue]) -> list[Cue]:
    """Cues in file order, except that the cues of one Teams utterance (ids
    ``<uuid>/<n>-<k>`` with the same ``<uuid>/<n>``) follow its first cue."""
    groups: dict[str, list[Cue]] = {}
    order: list[list[Cue]] = []
    for cue in cues:
        match = _TEAMS_IDENTIFIER.fullmatch(cue.identifier or "")
        if match is None:
            order.append([cue])
            continue
        group = groups.get(match.group("utterance"))
        if group is None:
            group = groups[match.group("utterance")] = []
            order.append(group)
        group.append(cue)
    return cues if len(order) == len(cues) else [cue for group in order for cue in group]


def _same(label: str | None, other: str) -> bool:
    return label is not None and normalise_label(label) == normalise_label(other)


# --- cues ------------------------------------------------------------------------------

def parse_cues(text: str, fmt: str, path: str, notes: list[str] | None = None) -> list[Cue]:
    """The cues of a WebVTT or SubRip file, in file order; raise on anything unreadable.
    What was read by guessing (text after a blank line inside a cue) is added to ``notes``."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    first = _skip_vtt_header(lines, path) if fmt == "vtt" else 0
    cues: list[Cue] = []
    stray: list[int] = []
    for start, block in _blocks(lines, first):
        if fmt == "vtt" and _VTT_NOT_A_CUE.fullmatch(block[0].rstrip()):
            continue
        if cues and not _has_timing(block):
            # a blank line inside a cue: the block is more of the cue's text
            last = cues[-1]
            cues[-1] = Cue(last.line, last.start_ms, last.end_ms, last.payload + tuple(block),
                           last.identifier)
            stray.append(start + 1)
            continue
        cue = _read_cue(block, start, fmt, path)
        if cue.payload:
            cues.append(cue)
    if stray and notes is not None:
        notes.append(f"{len(stray)} block(s) of text without a timing (a blank line inside a "
                     f"cue, first at line {stray[0]}) were read as text of the cue above")
    if not cues:
        raise InputFileError(path, "no cues with text found",
                             hint=f"a subtitle file lists cues, each a timing line such as "
                                  f"'{_EXAMPLE_TIMING[fmt]}' followed by its text")
    return cues


def _skip_vtt_header(lines: list[str], path: str) -> int:
    """Check the ``WEBVTT`` line and return the index of the line after the header block."""
    if not _VTT_HEADER.fullmatch(lines[0].rstrip()):
        looks_srt = any(_TIMING.fullmatch(x.strip()) and "," in x for x in lines[:4])
        raise InputFileError(
            path, "not a WebVTT file: the first line is not 'WEBVTT'", line=1,
            hint="this looks like a SubRip file: rename it to .srt" if looks_srt else
            "export the transcript again as WebVTT, or add the line WEBVTT at the top")
    index = 1
    while index < len(lines) and lines[index].strip():
        if "-->" in lines[index]:
            raise InputFileError(path, "a cue follows the WEBVTT header without a blank line",
                                 line=index + 1, hint="add an empty line after the header")
        index += 1
    return index


def _blocks(lines: list[str], first: int):
    """(index of first line, lines) of each run of non-blank lines."""
    block: list[str] = []
    start = first
    for index in range(first, len(lines)):
        if lines[index].strip():
            if not block:
                start = index
            block.append(lines[index])
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _has_timing(block: list[str]) -> bool:
    """Whether the block opens with a timing (or a broken one), after at most an id."""
    return any("-->" in x or _STARTS_LIKE_TIME.match(x) for x in block[:2])


def _read_cue(block: list[str], start: int, fmt: str, path: str) -> Cue:
    example = _EXAMPLE_TIMING[fmt]
    # The timing is the first line, or the second after a cue identifier (WebVTT) or cue
    # number (SubRip); a line that starts like a time but lacks "-->" is a broken timing.
    head = block[:2]
    at = next((i for i, x in enumerate(head) if "-->" in x), None)
    if at is None:
        at = next((i for i, x in enumerate(head) if _STARTS_LIKE_TIME.match(x)), None)
    if at is None:
        raise InputFileError(
            path, f"expected a cue timing line such as '{example}', found '{_short(block[0])}'",
            line=start + 1, hint="every cue starts with its timing; if this is text of the "
                                 "cue above, remove the blank line before it")
    match = _TIMING.fullmatch(block[at].strip())
    times = _milliseconds(match) if match else None
    if times is None:
        raise InputFileError(path, f"cannot read the cue timing '{_short(block[at])}'",
                             line=start + at + 1, hint=f"write it as '{example}'")
    return Cue(line=start + at + 1, start_ms=times[0], end_ms=times[1],
               payload=tuple(block[at + 1:]), identifier=block[0].strip() if at else None)


def _milliseconds(match: re.Match) -> tuple[int, int] | None:
    values = []
    for hours, minutes, seconds, fraction in (match.groups()[:4], match.groups()[4:]):
        if int(minutes) > 59 or int(seconds) > 59:
            return None
        values.append(((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000
                      + int(fraction.ljust(3, "0")))
    return values[0], values[1]


def _short(line: str) -> str:
    line = line.strip()
    return line if len(line) <= 50 else line[:47] + "..."


# --- speakers --------------------------------------------------------------------------

def speaker_label(name: str) -> str:
    """A speaker name as a label: characters a label cannot hold become spaces. A
    diarization label keeps its underscore ("SPEAKER_00"), as in text transcripts."""
    if is_diarized_label(name.strip()):
        return name.strip()
    return " ".join(_NOT_IN_LABEL.sub(" ", nfc(name)).split()).strip(".'’- ")


@lru_cache(maxsize=4096)
def _readable_label(label: str) -> bool:
    """Whether ``label`` reads back as a speaker label (a letter first, at most four words):
    asked of the speaker parser itself so subtitles and text transcripts cannot disagree."""
    turns = parse_turns(f"{label}: …", extra_labels={label})
    return len(turns) == 1 and turns[0].label == label


@lru_cache(maxsize=4096)
def _role_label(label: str) -> bool:
    """A label that counts on its own in any transcript: "Rektor", "Lærer 2", "I", "R"."""
    return bool(parse_turns(f"{label}: …"))


def _looks_like_name(label: str) -> bool:
    """Capitalised words, not a role word with another word ("I Oslo", "Rektor Sa")."""
    words = label.replace(".", " ").split()
    first = ascii_fold(words[0]).lower()
    if len(words) > 1 and (first in ROLE_WORDS or first in NEUTRAL_WORDS):
        return False
    return all(w[:1].isupper() or w.isdigit() for w in words)


def _clean(text: str) -> str:
    """Markup removed, entities decoded, whitespace (line breaks, &nbsp;) as single spaces."""
    text = html.unescape(_MARKUP.sub("", text)).translate(_BIDI_MARKS)
    return " ".join(text.split())


def _cue_lines(cue: Cue, path: str) -> list[_Line]:
    """The cue's lines, split where a voice tag (<v Name>) starts."""
    pieces = []
    zoom = _ZOOM_IDENTIFIER.fullmatch(cue.identifier or "")
    zoom_name = speaker_label(zoom.group("name")) if zoom else None
    if zoom_name and not _readable_label(zoom_name):
        zoom_name = None  # a name no label can hold: read the cue as if it had no id
    for number, raw in enumerate(cue.payload):
        opens_cue = number == 0
        tags = list(_VOICE.finditer(raw))
        before = _clean(raw[:tags[0].start()] if tags else raw)
        if before and zoom_name:
            pieces.append(_Line(cue.line, cue.start_ms, cue.end_ms, opens_cue, zoom_name, None,
                                False, before, before))
        elif before:
            pieces.append(_named_line(cue, opens_cue, before))
        for index, tag in enumerate(tags):
            voice = speaker_label(html.unescape(tag.group(1)))
            if not _readable_label(voice):
                raise InputFileError(
                    path, f"speaker name '{_short(tag.group(1))}' cannot be a speaker label "
                          "(it must start with a letter and have at most four words)",
                    line=cue.line + 1 + number,
                    hint="shorten or rename the speaker in the file (find and replace), "
                         "then import again")
            end = tags[index + 1].start() if index + 1 < len(tags) else len(raw)
            said = _clean(raw[tag.end():end])
            pieces.append(_Line(cue.line, cue.start_ms, cue.end_ms, opens_cue, voice, None,
                                False, said, said))
    return pieces


def _named_line(cue: Cue, opens_cue: bool, text: str) -> _Line:
    """A line without a voice tag: look for "Kari:", "[Kari]" or "- Kari:" at its start."""
    rest = text
    dash = _DASH.match(rest)
    if dash:
        rest = rest[dash.end():]
    bracket = _BRACKET_NAME.match(rest)
    match = bracket or _COLON_NAME.match(rest)
    if match:
        name = speaker_label(match.group("name"))
        if name and _readable_label(name):
            return _Line(cue.line, cue.start_ms, cue.end_ms, opens_cue, None, name,
                         bool(bracket), rest[match.end():], text)
    return _Line(cue.line, cue.start_ms, cue.end_ms, opens_cue, None, None, False, text, text)


def _speaker_names(lines: list[_Line], n_cues: int,
                   mapped: Iterable[str]) -> tuple[set[str], bool]:
    """Normalised labels of the names that open lines and count as speakers, and whether
    the file follows the convention of naming the speaker in (almost) every cue."""
    known = {normalise_label(speaker_label(label)) for label in mapped}
    known |= {normalise_label(x.voice) for x in lines if x.voice}
    named = [x for x in lines if x.name]
    uses = Counter(normalise_label(x.name) for x in named)
    # Zoom opens every cue with its speaker's display name, which may be lower case: there
    # a "Name:" used once counts if it reads as a display name, and any used twice counts.
    # Brackets keep the stricter rule because they also hold sound notes ("[Latter] Ja.").
    convention = 2 * sum(1 for x in named if x.opens_cue) >= n_cues
    speakers = set()
    for line in named:
        key = normalise_label(line.name)
        capitalised = _looks_like_name(line.name)
        display = line.opens_cue and _display_name(line.name)
        if key in known or _role_label(line.name) or is_diarized_label(line.name) or (
                convention and not line.bracketed
                and (capitalised or display or uses[key] >= 2)) or (
                uses[key] >= 2 and capitalised):
            speakers.add(key)
    return speakers, convention


def _display_name(label: str) -> bool:
    """A display name as people type it into Zoom: the first word capitalised and at most
    two words ("Nandani butola"), or one or two lower-case words ("ola n"). A sentence with
    a colon ("Det er sånn") has more words, or a role word first ("Rektor sa")."""
    words = label.split()
    if len(words) > 2:
        return False
    first = ascii_fold(words[0]).lower()
    if len(words) > 1 and (first in ROLE_WORDS or first in NEUTRAL_WORDS):
        return False
    return words[0][:1].isupper() or all(w.islower() for w in words)
