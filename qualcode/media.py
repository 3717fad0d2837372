"""Recordings behind transcripts: clock times, a file's fingerprint and duration, where in
the recording a position of the text was spoken, and the command line that plays it.

Pure: no database and no terminal. Playing starts an external player found on the system
(ffplay, mpv or VLC); qualcode ships none.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qualcode.domain.errors import InputFileError, NotFoundError

VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi")
RECORDING_SUFFIXES = (".m4a", ".mp3", ".wav", ".ogg", ".opus", ".flac", ".aac", ".wma",
                      *VIDEO_SUFFIXES)
# The players qualcode knows, in the order it looks for them.
PLAYERS = ("ffplay", "mpv", "vlc")

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")


def parse_clock(text: str) -> float:
    """Seconds from a clock time as transcripts and users write it: ``00:12:31``,
    ``12:31``, ``0:08``, ``1:02:03.250`` or ``00:00:06,835`` (SRT); plain seconds too."""
    cleaned = text.strip().strip("[]()")
    if re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
        return float(cleaned)
    match = _CLOCK.match(cleaned)
    if not match:
        raise ValueError(f"'{text}' is not a time (use HH:MM:SS, MM:SS or seconds)")
    hours, minutes, seconds, fraction = match.groups()
    if int(minutes) >= 60 and hours is not None or int(seconds) >= 60:
        raise ValueError(f"'{text}' is not a time (minutes and seconds stop at 59)")
    value = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return value + (int(fraction.ljust(3, "0")) / 1000 if fraction else 0.0)


def format_clock(seconds: float) -> str:
    """``[00:12:31]``: how quotes and reports point into a recording (whole seconds)."""
    whole = int(seconds)
    return f"[{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}]"


@dataclass(frozen=True)
class Timeline:
    """The times a transcript knows, as (offset in the text, seconds) points in text
    order: each turn's start and end and the timestamps inside turns."""

    points: tuple[tuple[int, float], ...]

    @classmethod
    def build(cls, turns: Sequence[tuple[int, int, float | None, float | None]],
              sync_points: Sequence[tuple[int, float]] = ()) -> Timeline:
        """``turns`` as (start, end, t_start, t_end) rows."""
        points: dict[int, float] = {}
        for start, _, t_start, _ in turns:
            if t_start is not None:
                points[start] = t_start
        for offset, seconds in sync_points:
            points.setdefault(offset, seconds)
        for _, end, _, t_end in turns:
            if t_end is not None:
                points.setdefault(end, t_end)
        return cls(tuple(sorted(points.items())))

    def __bool__(self) -> bool:
        return bool(self.points)

    def time_at(self, offset: int) -> float | None:
        """When ``offset`` was spoken: the last known time at or before it, moved on in
        proportion to the text towards the next known time (speech runs at a roughly even
        pace between two timestamps). None before the first timestamp."""
        i = bisect.bisect_right([o for o, _ in self.points], offset) - 1
        if i < 0:
            return None
        here, t = self.points[i]
        if offset == here or i + 1 == len(self.points):
            return t
        there, t_next = self.points[i + 1]
        if t_next < t:  # timestamps out of order: do not guess between them
            return t
        return t + (t_next - t) * (offset - here) / (there - here)


def is_video(path: str | Path) -> bool:
    """A recording with pictures (by its file name): what the standard calls a video."""
    return Path(path).suffix.lower() in VIDEO_SUFFIXES


def time_points(turns: Sequence[tuple[int, int, float | None, float | None]],
                sync_points: Sequence[tuple[int, float]] = ()) -> list[tuple[int, float]]:
    """Every time a transcript knows as (offset, seconds) in text order: each turn's start
    and, where known, its end, and the timestamps inside turns. Unlike :class:`Timeline`
    a turn's end and the next turn's start stay two points even at one offset, so they
    can be read back as what they were."""
    points = set(sync_points)
    for start, end, t_start, t_end in turns:
        if t_start is not None:
            points.add((start, t_start))
        if t_end is not None:
            points.add((end, t_end))
    return sorted(points)


@dataclass
class TurnTimes:
    """What a list of time points says of a transcript's turns (see :func:`turn_times`)."""

    starts: list[float | None]  # one per turn, in turn order
    ends: list[float | None]
    inner: list[tuple[int, float]]  # (offset, seconds) strictly inside a turn
    unplaced: int = 0  # points after the last turn: no turn to give them to


def turn_times(turns: Sequence[tuple[int, int]], points: Sequence[tuple[int, float]]
               ) -> TurnTimes:
    """The inverse of :func:`time_points`: ``turns`` as (start, end) in text order and
    ``points`` as (offset, seconds). A point on a turn's start is its start time, one on
    its end its end time (where both fall on one offset, the earlier time ends the turn
    before and the later starts the next); a point inside a turn stays a timestamp there;
    a point between turns (on a speaker's label, say) starts the next turn unless that
    turn has a point of its own."""
    starts: list[float | None] = [None] * len(turns)
    ends: list[float | None] = [None] * len(turns)
    inner: list[tuple[int, float]] = []
    begins = {start: i for i, (start, _) in reversed(list(enumerate(turns)))}
    finishes = {end: i for i, (_, end) in enumerate(turns)}
    turn_starts = [start for start, _ in turns]
    before_turn: dict[int, float] = {}
    unplaced = 0
    by_offset: dict[int, list[float]] = {}
    for offset, seconds in sorted(set(points)):
        by_offset.setdefault(offset, []).append(seconds)
    for offset, times in by_offset.items():
        first, last = times[0], times[-1]
        if offset in begins and offset in finishes and finishes[offset] != begins[offset]:
            if len(times) > 1:
                ends[finishes[offset]] = first
            starts[begins[offset]] = last
        elif offset in begins:
            starts[begins[offset]] = first
        elif offset in finishes:
            ends[finishes[offset]] = last
        else:
            i = bisect.bisect_right(turn_starts, offset) - 1
            if i >= 0 and offset < turns[i][1]:
                inner.extend((offset, t) for t in times)
            elif i + 1 < len(turns):
                before_turn[i + 1] = last  # the nearest point before the turn
            else:
                unplaced += len(times)
    for i, seconds in before_turn.items():
        if starts[i] is None:
            starts[i] = seconds
    return TurnTimes(starts, ends, inner, unplaced)


def file_fingerprint(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a file, read in blocks (recordings run to gigabytes)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def recording_duration(path: Path) -> float | None:
    """Length in seconds: WAV files from their header; other formats through ffprobe
    when it is installed; otherwise None (the duration is then simply not known)."""
    if path.suffix.lower() == ".wav":
        import wave

        try:
            with wave.open(str(path), "rb") as w:
                return w.getnframes() / float(w.getframerate())
        except (wave.Error, EOFError, ZeroDivisionError) as exc:
            raise InputFileError(str(path), f"not a readable WAV file ({exc})") from None
    probe = shutil.which("ffprobe")
    if not probe:
        return None
    import subprocess

    try:
        done = subprocess.run(
            [probe, "-v", "error", "-show_entries", "format=duration", "-of",
             "default=noprint_wrappers=1:nokey=1", str(path)],
            capture_output=True, text=True, timeout=30, check=False)
        return float(done.stdout.strip()) if done.returncode == 0 else None
    except (ValueError, OSError, subprocess.TimeoutExpired):
        return None


def find_player(preferred: str | None = None) -> tuple[str, str]:
    """(player name, executable): ``preferred`` if given, else the first of PLAYERS found."""
    names = [preferred] if preferred else list(PLAYERS)
    for name in names:
        if name not in PLAYERS:
            raise NotFoundError(f"qualcode does not know the player '{name}'",
                                hint=f"use one of {', '.join(PLAYERS)}")
        for executable in ((name, "cvlc") if name == "vlc" else (name,)):
            found = shutil.which(executable)
            if found:
                return name, found
    wanted = preferred or " or ".join(PLAYERS)
    raise NotFoundError(f"no media player found ({wanted})",
                        hint="install one, e.g. `sudo apt install ffmpeg` (ffplay), "
                             "`sudo apt install mpv`, or VLC")


def player_command(player: str, executable: str, recording: Path, start: float,
                   duration: float | None = None, *, video: bool = False) -> list[str]:
    """The command that plays ``recording`` from ``start`` seconds (for ``duration``
    seconds if given) and then exits, without a window unless ``video``."""
    start_text = f"{max(start, 0.0):.3f}"
    if player == "ffplay":
        cmd = [executable, "-hide_banner", "-loglevel", "error", "-autoexit",
               "-ss", start_text]
        if not video:
            cmd.append("-nodisp")
        if duration is not None:
            cmd += ["-t", f"{duration:.3f}"]
        return [*cmd, str(recording)]
    if player == "mpv":
        cmd = [executable, "--really-quiet", f"--start={start_text}"]
        if not video:
            cmd.append("--no-video")
        if duration is not None:
            cmd.append(f"--length={duration:.3f}")
        return [*cmd, str(recording)]
    if player == "vlc":
        cmd = [executable, "--play-and-exit", f"--start-time={start_text}"]
        if Path(executable).name == "cvlc" or not video:
            cmd.append("--intf=dummy")
        if not video:
            cmd.append("--no-video")
        if duration is not None:
            cmd.append(f"--stop-time={start + duration:.3f}")
        return [*cmd, str(recording)]
    raise NotFoundError(f"qualcode does not know the player '{player}'",
                        hint=f"use one of {', '.join(PLAYERS)}")
