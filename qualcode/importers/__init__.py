"""Transcript readers: .txt, .md, .docx, .vtt and .srt → :class:`ParsedTranscript` (pure, no
database)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from qualcode.domain.errors import InputFileError
from qualcode.domain.model import ParsedTranscript, ParsedTurn
from qualcode.domain.text import CP1252_NOTE, controls_note, strip_controls
from qualcode.importers import metadata as meta_mod
from qualcode.importers.reading import DOCX_LIMIT, TEXT_LIMIT, read_file
from qualcode.importers.speakers import normalise_label, parse_turns

SUBTITLE_SUFFIXES = (".vtt", ".srt")
SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", *SUBTITLE_SUFFIXES)


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
    if suffix == ".docx":
        from qualcode.importers.docx_reader import read_docx

        text, bold_labels = read_docx(data, str(path))
        encoding = None
        text, removed = strip_controls(text)
        front, body_start = None, 0
    else:
        from qualcode.importers.plain import decode_transcript

        text, encoding = decode_transcript(data, str(path))
        text, removed = strip_controls(text)  # before the front matter: it is text too
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # before looking for ---
        bold_labels = set()
        front, body_start = meta_mod.split_front_matter(text, str(path))
        text = text[body_start:].strip("\n")
    metadata = meta_mod.merge(front, meta_mod.read_sidecar(path))
    parsed = build_transcript(
        name=path.stem, source_file=path.name, source_format=suffix.lstrip("."),
        encoding=encoding, text=text, metadata=metadata, source_sha256=source_sha,
        extra_labels=bold_labels,
    )
    _note_reading(parsed, encoding, removed)
    return parsed


def _note_reading(parsed: ParsedTranscript, encoding: str | None, removed: int) -> None:
    """Say how the file was read when that may have changed what it says."""
    if encoding == "cp1252":
        parsed.warnings.insert(0, f"{parsed.source_file}: {CP1252_NOTE}")
    if removed:
        parsed.warnings.insert(0, f"{parsed.source_file}: {controls_note(removed)}")


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
        extra_labels=subtitles.speakers,
    )
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
                     extra_labels: set[str] | None = None) -> ParsedTranscript:
    from qualcode.domain.text import count_words, normalise_text

    text = normalise_text(text)
    if not text.strip():
        raise InputFileError(source_file, "the transcript has no text after its metadata")
    turns = parse_turns(text, set(metadata.speakers), extra_labels or set())
    warnings: list[str] = []
    if not turns:
        turns = [ParsedTurn(index=1, label=None, start=0, end=len(text))]
        warnings.append(
            f"{source_file}: no speaker labels found; imported as one unattributed turn "
            "(add labels such as 'Rektor:' at the start of lines, then re-import with --replace)"
        )
    turns = [replace(t, n_words=count_words(text[t.start:t.end])) for t in turns]
    seen = {normalise_label(t.label) for t in turns if t.label}
    for label, person in sorted(metadata.speakers.items()):
        if person and normalise_label(label) not in seen:
            warnings.append(f"{source_file}: speaker '{label}' is mapped in the metadata "
                            "but never speaks")
    return ParsedTranscript(
        name=name, source_file=source_file, source_format=source_format, encoding=encoding,
        text=text, turns=turns, metadata=metadata, source_sha256=source_sha256,
        warnings=warnings,
    )
