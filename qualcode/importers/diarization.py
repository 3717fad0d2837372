"""Diarization output as text: one line per segment, as WhisperX, pyannote and Deepgram
scripts write it.

    [0:00:06.835 - 0:00:07.235] SPEAKER_00 - Hei, og velkommen.
    [00:00:07.500 --> 00:00:09.100] SPEAKER_01: Takk.
    [SPEAKER_00]: Hei, og velkommen.
    SPEAKER_01: Takk.

A transcript is read this way when most of its first lines are segments. Each segment line
names its speaker (a machine label such as ``SPEAKER_00``, or a name, which is mapped to a
person like any label); a line that is not a segment continues the segment above it.
Consecutive segments of one speaker are joined with spaces into one turn, as consecutive
subtitle cues are, and the text is written in the plain shape every format has: one turn
per paragraph, ``SPEAKER_00: what was said``. The times are kept per turn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice

from qualcode.importers.speakers import LazyPattern, clock_seconds

_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_LABEL = r"[Ss][Pp][Ee][Aa][Kk][Ee][Rr]_\d{1,3}|[^\W\d_][^\W_]*(?:[ .'’\-][^\W_]+){0,3}"
# "[0:00:06.835 - 0:00:07.235] SPEAKER_00 - text" and "[… --> …] Kari: text"
_TIMED = LazyPattern(
    rf"[ \t]*\[?[ \t]*(?P<start>{_CLOCK})[ \t]*(?:-->|[-–])[ \t]*(?P<end>{_CLOCK})[ \t]*\]?"
    rf"[ \t]*:?[ \t]*\[?(?P<label>{_LABEL})\]?[ \t]*[-–:][ \t]*(?P<said>.*)")
# "[SPEAKER_00]: text" and "SPEAKER_00: text": the machine label needs no time.
_MACHINE = LazyPattern(
    r"[ \t]*\[?(?P<label>[Ss][Pp][Ee][Aa][Kk][Ee][Rr]_\d{1,3})\]?[ \t]*:[ \t]*(?P<said>.*)")
_SAMPLE = 40  # lines looked at to decide whether a transcript is diarization output


@dataclass
class _Segment:
    label: str
    t_start: float | None
    t_end: float | None
    said: list[str] = field(default_factory=list)


@dataclass
class DiarizedTranscript:
    text: str  # "Label: what was said" per turn, turns separated by blank lines
    speakers: set[str]
    times: list[tuple[float | None, float | None]]  # (start, end) seconds of each turn


def _segment(line: str) -> tuple[str, float | None, float | None, str] | None:
    if "_" not in line and "-" not in line[:48] and "–" not in line[:48]:
        return None  # neither a machine label nor a time range: an ordinary line
    match = _TIMED.fullmatch(line) or _MACHINE.fullmatch(line)
    if match is None:
        return None
    start, end = match.groupdict().get("start"), match.groupdict().get("end")
    return (match.group("label"), clock_seconds(start) if start else None,
            clock_seconds(end) if end else None, match.group("said"))


def looks_diarized(text: str) -> bool:
    """Whether most of the first non-blank lines are segment lines (two at least)."""
    sample = list(islice((x for x in text.split("\n", _SAMPLE * 4) if x.strip()), _SAMPLE))
    hits = sum(1 for line in sample if _segment(line))
    return hits >= 2 and 2 * hits > len(sample)


def read_diarized(text: str) -> DiarizedTranscript:
    """Segments joined into turns. Lines before the first segment (a heading) are kept
    above the first turn, as text before the first label is in any transcript."""
    lead: list[str] = []
    turns: list[_Segment] = []
    for line in text.split("\n"):
        found = _segment(line)
        if found is None:
            if line.strip():
                (turns[-1].said if turns else lead).append(line.strip())
            continue
        label, t_start, t_end, said = found
        if not turns or turns[-1].label != label:
            turns.append(_Segment(label, t_start, t_end))
        turns[-1].t_end = t_end
        if said.strip():
            turns[-1].said.append(said.strip())
    turns = [t for t in turns if t.said]  # a speaker who said nothing is no turn
    body = [f"{t.label}: {' '.join(t.said)}" for t in turns]
    return DiarizedTranscript(
        text="\n\n".join(([" ".join(lead)] if lead else []) + body),
        speakers={t.label for t in turns}, times=[(t.t_start, t.t_end) for t in turns])
