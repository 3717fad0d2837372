"""Recordings and times: attach the audio or video a transcript was made from, check that
it is still there and unchanged, and find the moment in it where a turn, a coding or a
clock time was spoken.

The recording stays outside the project (files of hundreds of megabytes do not belong in
it): its path is stored relative to the project file's folder, so a study folder that is
moved or copied whole keeps working, with its size and hash to notice a changed file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from qualcode.domain.errors import InputFileError, NotFoundError
from qualcode.media import (
    RECORDING_SUFFIXES,
    Timeline,
    file_fingerprint,
    recording_duration,
)
from qualcode.store import Snapshot, Store

# `status` lists recordings through a plain snapshot: the ORM is imported only by the
# functions that write (see test_architecture's check of what read-only commands load).


@dataclass(frozen=True)
class Moment:
    """Where to play: the recording, from ``start`` seconds, for ``duration`` if known."""

    transcript: str
    recording: Path
    start: float
    duration: float | None
    what: str  # "turn 12", "coding #316", "00:12:31": for the message


def _base(store: Store) -> Path:
    """Recordings are stored relative to the project file's folder (a database has none:
    relative to the working directory, as the user gave them)."""
    return store.path.resolve().parent if store.path is not None else Path.cwd()


def resolve(store: Store, stored: str) -> Path:
    path = Path(stored)
    return path if path.is_absolute() else _base(store) / path


def attach(store: Store, transcript: str, file: Path) -> dict:
    """Record ``file`` as the recording of ``transcript`` (replacing an earlier one)."""
    if file.suffix.lower() not in RECORDING_SUFFIXES:
        raise InputFileError(str(file), f"'{file.suffix}' is not an audio or video file "
                             "qualcode knows", hint=f"use {', '.join(RECORDING_SUFFIXES)}")
    if not file.is_file():
        raise NotFoundError(f"no recording at {file}", hint="check the path")
    from sqlmodel import select

    from qualcode.services.common import get_transcript
    from qualcode.store.models import Recording

    found = describe(store, file)
    with store.write() as session:
        t = get_transcript(session, transcript)
        old = session.exec(select(Recording).where(Recording.transcript_pk == t.pk)).first()
        before = {"path": old.path, "sha256": old.sha256} if old else None
        if old is not None:
            session.delete(old)
            session.flush()
        record(session, t.pk, t.name, found, before=before)
        name = t.name
    return {"transcript": name, **found}


def describe(store: Store, file: Path) -> dict:
    """What the project keeps of a recording: its path (relative to the project file's
    folder when it can be), size, hash and duration. Reads the whole file (the hash)."""
    size, sha = file_fingerprint(file)
    duration = recording_duration(file)
    return {"path": relative_path(store, file), "size": size, "duration": duration,
            "sha256": sha}


def relative_path(store: Store, file: Path) -> str:
    """How the project stores the path of ``file``: relative to the project file's folder
    when it can be."""
    absolute = file.resolve()
    try:
        return os.path.relpath(absolute, _base(store))
    except ValueError:  # another drive on Windows
        return str(absolute)


def record(session, transcript_pk: int, transcript: str, found: dict, *,
           before: dict | None = None) -> None:
    """Store a described recording as the one of a transcript, and log it."""
    from qualcode import audit
    from qualcode.services.common import now
    from qualcode.store.models import Recording

    session.add(Recording(transcript_pk=transcript_pk, attached_at=now(), **found))
    audit.record(session, "attach", "recording", transcript, before=before,
                 after={"path": found["path"], "sha256": found["sha256"],
                        "size": found["size"]})


def detach(store: Store, transcript: str) -> str:
    from sqlmodel import select

    from qualcode import audit
    from qualcode.services.common import get_transcript
    from qualcode.store.models import Recording

    with store.write() as session:
        t = get_transcript(session, transcript)
        old = session.exec(select(Recording).where(Recording.transcript_pk == t.pk)).first()
        if old is None:
            raise NotFoundError(f"{t.name} has no recording attached",
                                hint="see `qualcode media list`")
        session.delete(old)
        audit.record(session, "detach", "recording", t.name,
                     before={"path": old.path, "sha256": old.sha256})
        return old.path


def recordings(store: Store, *, verify: bool = False) -> list[dict]:
    """Every attached recording with its state: ``ok``, ``missing``, or ``changed`` (another
    size; with ``verify``, another hash too — that reads every file whole)."""
    with store.snapshot() as db:
        rows = db.rows("SELECT t.name, r.path, r.size, r.sha256, r.duration "
                       "FROM recording r JOIN transcript t ON t.pk = r.transcript_pk "
                       "ORDER BY t.name")
    out = []
    for name, stored, size, sha, duration in rows:
        path = resolve(store, stored)
        if not path.is_file():
            state = "missing"
        elif path.stat().st_size != size or verify and file_fingerprint(path)[1] != sha:
            state = "changed"
        else:
            state = "ok"
        out.append({"transcript": name, "recording": stored, "state": state,
                    "size": size, "duration": duration})
    return out


def timed_rows(db: Snapshot, transcript_pk: int) -> tuple[list[tuple], list[tuple]]:
    """A transcript's turns as (start, end, t_start, t_end) and its inner timestamps as
    (offset, seconds), in text order."""
    turns = db.rows('SELECT start, "end", t_start, t_end FROM turn WHERE transcript_pk = ? '
                    "ORDER BY idx", (transcript_pk,))
    sync = db.rows('SELECT "offset", seconds FROM sync_point WHERE transcript_pk = ? '
                   'ORDER BY "offset"', (transcript_pk,))
    return turns, sync


def timeline(db: Snapshot, transcript_pk: int) -> Timeline:
    return Timeline.build(*timed_rows(db, transcript_pk))


def times_of(store: Store, spans: list[tuple[int, int]]) -> dict[tuple[int, int], float]:
    """When each (transcript pk, offset) was spoken, for the transcripts that know times."""
    out: dict[tuple[int, int], float] = {}
    by_transcript: dict[int, list[int]] = {}
    for t_pk, offset in spans:
        by_transcript.setdefault(t_pk, []).append(offset)
    with store.snapshot() as db:
        for t_pk, offsets in by_transcript.items():
            line = timeline(db, t_pk)
            if not line:
                continue
            for offset in offsets:
                seconds = line.time_at(offset)
                if seconds is not None:
                    out[(t_pk, offset)] = seconds
    return out


def moment(store: Store, transcript: str | None = None, *, turn: int | None = None,
           at: float | None = None, coding: int | None = None,
           span: tuple[int, int, str] | None = None) -> Moment:
    """The recording and the time to play from, for a turn, a clock time, a coding or a
    ``span`` of the text (start, end, how to name it: the workbench's selection)."""
    from sqlmodel import select

    from qualcode.services.common import get_transcript
    from qualcode.store.models import Coding, Recording, Transcript, Turn

    with store.read() as session:
        if coding is not None:
            found = session.get(Coding, coding)
            if found is None:
                raise NotFoundError(f"no coding #{coding}", hint="see `qualcode coding list`")
            t = session.get(Transcript, found.transcript_pk)
        else:
            t = get_transcript(session, transcript or "")
        rec = session.exec(select(Recording).where(Recording.transcript_pk == t.pk)).first()
        if rec is None:
            raise NotFoundError(f"{t.name} has no recording attached",
                                hint=f"attach one: qualcode media attach {t.name} FILE")
        path = resolve(store, rec.path)
        if not path.is_file():
            raise NotFoundError(f"the recording of {t.name} is missing: {rec.path}",
                                hint=f"attach it again: qualcode media attach {t.name} FILE")
        if at is not None:
            return Moment(t.name, path, at, None, f"{at:.0f} s")
        if turn is not None:
            row = session.exec(select(Turn).where(Turn.transcript_pk == t.pk,
                                                  Turn.idx == turn)).first()
            if row is None:
                raise NotFoundError(f"{t.name} has no turn {turn}",
                                    hint=f"see `qualcode show {t.name}`")
            start, end, what = row.start, row.end, f"turn {turn}"
        elif coding is not None:
            start, end, what = found.start, found.end, f"coding #{coding}"
        elif span is not None:
            start, end, what = span
        else:
            return Moment(t.name, path, 0.0, None, "the start")
    with store.snapshot() as db:
        line = timeline(db, t.pk)
    begin = line.time_at(start)
    if begin is None:
        raise NotFoundError(f"{t.name} has no time for {what}: its transcript has no "
                            "timestamps there", hint="play from a clock time: --at HH:MM:SS")
    finish = line.time_at(end)
    return Moment(t.name, path, begin, finish - begin if finish and finish > begin else None,
                  what)
