"""Plain dataclasses that cross layer boundaries (parsers → services → CLI)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

INTERVIEW_FORMATS = ("individuelt", "parvis", "gruppe", "fokusgruppe")
CODING_ORIGINS = ("manual", "suggested", "imported", "consensus")


@dataclass(frozen=True)
class ParsedTurn:
    """One speaker turn: ``text[start:end]`` of the transcript is what was said."""

    index: int  # 1-based, in document order
    label: str | None  # speaker label as written ("Rådgiver 1"), None if unattributed
    start: int
    end: int
    n_words: int = 0  # words spoken, counted while parsing (in parallel for big batches)
    t_start: float | None = None  # seconds into the recording, where the transcript says
    t_end: float | None = None


@dataclass
class TranscriptMetadata:
    """What a front matter block, a sidecar file or an attributes sheet says of an interview."""

    site: str | None = None
    title: str | None = None
    speakers: dict[str, str | None] = field(default_factory=dict)  # label -> person id
    attributes: dict[str, Any] = field(default_factory=dict)
    source: str | None = None  # where it came from, for messages


@dataclass
class ParsedTranscript:
    name: str  # the file stem: how users refer to it
    source_file: str
    source_format: str  # txt | md | docx | vtt | srt
    encoding: str | None
    text: str  # normalised (NFC, \n)
    turns: list[ParsedTurn]
    metadata: TranscriptMetadata
    source_sha256: str
    warnings: list[str] = field(default_factory=list)
    # Timestamps inside the text: (offset, seconds), so a position in a long turn has a time.
    sync_points: list[tuple[int, float]] = field(default_factory=list)

    def turn_text(self, turn: ParsedTurn) -> str:
        return self.text[turn.start:turn.end]

    def __reduce__(self):
        # A parsing worker sends each transcript to the import through a pipe. Its turns go
        # as plain tuples: pickling and unpickling a dataclass per turn cost the import about
        # half a second of CPU at 178 000 turns, tuples a tenth of that.
        state = {name: getattr(self, name) for name in _TRANSCRIPT_FIELDS if name != "turns"}
        rows = [(t.index, t.label, t.start, t.end, t.n_words, t.t_start, t.t_end)
                for t in self.turns]
        return _transcript_from_rows, (state, rows)


def _transcript_from_rows(state: dict, rows: list[tuple]) -> ParsedTranscript:
    return ParsedTranscript(turns=[ParsedTurn(*row) for row in rows], **state)


_TRANSCRIPT_FIELDS = tuple(f.name for f in fields(ParsedTranscript))
