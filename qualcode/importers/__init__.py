"""Transcript readers: .txt, .md, .docx, .vtt and .srt → :class:`ParsedTranscript` (pure, no
database)."""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import replace
from pathlib import Path

from qualcode.domain.errors import InputFileError
from qualcode.domain.model import ParsedTranscript, ParsedTurn
from qualcode.domain.text import CP1252_NOTE, controls_note, strip_controls
from qualcode.importers import metadata as meta_mod
from qualcode.importers.reading import DOCX_LIMIT, TEXT_LIMIT, read_file
from qualcode.importers.speakers import (
    UNATTRIBUTED_WORDS,
    TurnReading,
    clock_seconds,
    normalise_label,
    read_turns,
)

SUBTITLE_SUFFIXES = (".vtt", ".srt")
SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", *SUBTITLE_SUFFIXES)
# Markdown writes "\[04:03\]" for "[04:03]": any ASCII punctuation may be escaped.
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_MARKDOWN_HEADING = re.compile(r"#{1,6}[ \t]+\S")
_TIME_RANGE = re.compile(r"\d[ \t]*(?:-->|[-–])[ \t]*\d{1,2}:\d{2}")  # 0:06.8 - 0:07.2


def read_transcript(path: Path) -> ParsedTranscript:
    """Read one transcript file with its metadata; raise :class:`InputFileError` if unusable."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputFileError(str(path), f"unsupported file type '{suffix}'",
                             hint=f"qualcode imports {', '.join(SUPPORTED_SUFFIXES)}")
    data = read_file(path, DOCX_LIMIT if suffix == ".docx" else TEXT_LIMIT)
    if not data.strip():
        raise InputFileError(str(path), "the file is empty", hint="remove it from the batch")
    source_sha = hashlib.sha256(data).hexdigest()
    if suffix in SUBTITLE_SUFFIXES:
        return _read_subtitle_file(path, data, source_sha)
    headings: set[str] = set()
    times = None
    first_line: int | None = 1
    if suffix == ".docx":
        from qualcode.importers.docx_reader import read_docx

        text, labels = read_docx(data, str(path), headings=headings)
        encoding = None
        text, removed = strip_controls(text)
        front, body_start = None, 0
    else:
        from qualcode.importers.plain import decode_transcript

        text, encoding = decode_transcript(data, str(path))
        text, removed = strip_controls(text)  # before the front matter: it is text too
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # before looking for ---
        labels = set()
        front, body_start = meta_mod.split_front_matter(text, str(path))
        body = text[body_start:]
        first_line = text[:body_start].count("\n") + len(body) - len(body.lstrip("\n")) + 1
        text = body.strip("\n")
        if suffix == ".md":
            text = _MARKDOWN_ESCAPE.sub(r"\1", text)
            # a heading ("## Intervju 2") ends the turn before it
            headings = {line for line in text.split("\n") if _MARKDOWN_HEADING.match(line)}
        diarized = _read_if_diarized(text)
        if diarized is not None:
            text, labels, times = diarized.text, diarized.speakers, diarized.times
            first_line = None  # the text is rewritten: point at turns, not lines
    metadata = meta_mod.merge(front, meta_mod.read_sidecar(path))
    parsed = build_transcript(
        name=path.stem, source_file=path.name, source_format=suffix.lstrip("."),
        encoding=encoding, text=text, metadata=metadata, source_sha256=source_sha,
        extra_labels=labels, breaks=headings, times=times, first_line=first_line,
    )
    _note_reading(parsed, encoding, removed)
    return parsed


def _note_reading(parsed: ParsedTranscript, encoding: str | None, removed: int) -> None:
    """Say how the file was read when that may have changed what it says."""
    if encoding == "cp1252":
        parsed.warnings.insert(0, f"{parsed.source_file}: {CP1252_NOTE}")
    if removed:
        parsed.warnings.insert(0, f"{parsed.source_file}: {controls_note(removed)}")


def _read_if_diarized(text: str):
    """Diarization output read as turns, or None for any other transcript. Its segment lines
    hold a machine label ("SPEAKER_00") or a time range ("0:00:06 - 0:00:07"), so text whose
    opening has neither is not looked at further (nor the reader loaded)."""
    head = text[:4000]
    if "_" not in head and not _TIME_RANGE.search(head):
        return None
    from qualcode.importers.diarization import looks_diarized, read_diarized

    return read_diarized(text) if looks_diarized(text) else None


def _read_subtitle_file(path: Path, data: bytes, source_sha: str) -> ParsedTranscript:
    """A .vtt or .srt file. Subtitles have no front matter (the first line is WEBVTT or a cue
    number), so the metadata comes from the sidecar alone."""
    from qualcode.importers.plain import decode_transcript
    from qualcode.importers.subtitles import read_subtitles

    raw, encoding = decode_transcript(data, str(path))
    raw, removed = strip_controls(raw)
    metadata = meta_mod.merge(None, meta_mod.read_sidecar(path))
    source_format = path.suffix.lower().lstrip(".")
    subtitles = read_subtitles(raw, source_format, str(path), mapped=metadata.speakers)
    parsed = build_transcript(
        name=path.stem, source_file=path.name, source_format=source_format,
        encoding=encoding, text=subtitles.text, metadata=metadata, source_sha256=source_sha,
        extra_labels=subtitles.speakers, times=subtitles.times, first_line=None,
    )
    parsed.warnings.extend(f"{path.name}: {note}" for note in subtitles.notes)
    if subtitles.unattributed_line:
        # Text transcripts are quiet about a heading before the first label; opening cues
        # are speech, so say that they cannot be coded by turn.
        parsed.warnings.append(
            f"{path.name}: the cues before the first named speaker (from line "
            f"{subtitles.unattributed_line}) are kept in the text but belong to no turn")
    _note_reading(parsed, encoding, removed)
    return parsed


def build_transcript(*, name: str, source_file: str, source_format: str, encoding: str | None,
                     text: str, metadata: meta_mod.TranscriptMetadata, source_sha256: str,
                     extra_labels: set[str] | None = None, breaks: set[str] | None = None,
                     times: list[tuple[float | None, float | None]] | None = None,
                     first_line: int | None = 1) -> ParsedTranscript:
    """``times`` are the (start, end) seconds of the turns a subtitle or diarization reader
    wrote, in order; ``first_line`` is the file line the text starts on, or None when the text was
    rewritten from the file (then messages point at turns)."""
    from qualcode.domain.text import count_words, normalise_text

    text = normalise_text(text)
    if not text.strip():
        raise InputFileError(source_file, "the transcript has no text after its metadata")
    breaks = {normalise_text(line) for line in breaks or ()}  # as the text is
    reading = read_turns(text, set(metadata.speakers), extra_labels or set(), breaks)
    turns = reading.turns
    warnings: list[str] = []
    if not turns:
        turns = [ParsedTurn(index=1, label=None, start=0, end=len(text),
                            n_words=count_words(text))]
        warnings.append(
            f"{source_file}: no speaker labels found; imported as one unattributed turn "
            "(add labels such as 'Rektor:' at the start of lines, then re-import with --replace)"
        )
    else:
        if times is not None and len(times) == len(turns):
            turns = [replace(t, t_start=start, t_end=end)
                     for t, (start, end) in zip(turns, times, strict=True)]
        if first_line is not None:
            # a .docx has one line per paragraph, and Word counts paragraphs, not lines
            unit = "paragraph" if source_format == "docx" else "line"
            warnings += _reading_notes(source_file, text, reading, first_line, unit)
    seen = {normalise_label(label) for label in {t.label for t in turns} if label}
    for label, person in sorted(metadata.speakers.items()):
        if person and normalise_label(label) not in seen:
            warnings.append(f"{source_file}: speaker '{label}' is mapped in the metadata "
                            "but never speaks")
    return ParsedTranscript(
        name=name, source_file=source_file, source_format=source_format, encoding=encoding,
        text=text, turns=turns, metadata=metadata, source_sha256=source_sha256,
        warnings=warnings, sync_points=_sync_points(text, turns),
    )


# A timestamp inside what was said: "[00:12:31]", "[12:31]", "(00:12:31.5)".
_INNER_TIME = re.compile(r"[\[(]((?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)[\])]")


def _sync_points(text: str, turns: list[ParsedTurn]) -> list[tuple[int, float]]:
    """Timestamps written inside turns, as (offset, seconds): a position inside a long
    turn then maps to a time in the recording. A turn's own start time is no sync point."""
    points = []
    # Every time in the text (one before a speaker label is found too, and passed over),
    # each looked for in the turn it starts in.
    starts = [turn.start for turn in turns]
    for match in _inner_times(text):
        i = bisect.bisect_right(starts, match.start()) - 1
        if i < 0 or match.start() == starts[i] or match.end() > turns[i].end:
            continue
        seconds = clock_seconds(match.group(1))
        if seconds is not None:
            points.append((match.start(), seconds))
    return points


def _inner_times(text: str) -> list[re.Match]:
    """What ``_INNER_TIME.finditer`` finds, in order. A time opens with a bracket and holds
    none inside, so the pattern is tried only where a bracket is: far fewer places than
    the characters a search would step through."""
    found = []
    for opener in "[(":
        at = text.find(opener)
        while at >= 0:
            match = _INNER_TIME.match(text, at)
            if match:
                found.append(match)
            at = text.find(opener, at + 1)
    found.sort(key=lambda m: m.start())
    return found


def _reading_notes(source_file: str, text: str, reading: TurnReading, first_line: int,
                   unit: str) -> list[str]:
    """What a researcher should check: speakers missed before the first turn, labels used
    once, turns nobody is named for. Each names its line in the file."""
    from qualcode.domain.text import count_words

    def where(line: int) -> str:
        return f"{unit} {line + first_line - 1}"

    notes = []
    lead_words = count_words(text[:reading.lead_end])
    if lead_words > UNATTRIBUTED_WORDS:
        line = text.count("\n", 0, reading.lead_end) + 1
        notes.append(f"{source_file}: speakers are recognised only from {where(line)}: the "
                     f"{lead_words} words before it belong to no turn; check for speakers "
                     "written in a layout qualcode does not read")
    for line, words in reading.gaps:
        notes.append(f"{source_file}: the {words} words from {where(line)} to the next speaker "
                     "belong to no turn; check for speakers written in a layout qualcode does "
                     "not read")
    for label, line in reading.once:
        notes.append(f"{source_file}: speaker '{label}' speaks only once ({where(line)}); "
                     "check that it is a speaker, or map it in the metadata")
    if reading.unnamed:
        notes.append(f"{source_file}: {len(reading.unnamed)} turn(s) name no speaker (a time "
                     f"alone on its line, first at {where(reading.unnamed[0])})")
    return notes
