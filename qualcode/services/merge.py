"""Bringing in another copy of the same study: the coders' layers and memos that were made
on another laptop or in another database.

Copies of one study are matched by the text of each transcript (its hash), never by name
alone. A transcript of the same name whose text differs (a typo fixed in one copy) is
reported, and its codings are carried through an alignment of the two texts, as
`import --replace` does; a coding whose text is gone from this copy is left out. Codes
are matched by id; coders by name.

A coder's layer comes in whole or not at all: a coder who is in this project already
with other codings is refused unless the user asks to replace that layer, so work is
never mixed or lost without a word. Merging the same copy twice changes nothing.

A recording attached in the other copy comes along when this copy's transcript of the same
text has none (one attached here is never replaced). The file stays where it is; its path
is written again relative to this project, and a file that cannot be found from here (it
stayed on the other laptop) is not attached but reported, to be attached by hand.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.domain.errors import ConflictError, NotFoundError
from qualcode.domain.realign import align
from qualcode.domain.times import stored_time
from qualcode.store import Store

_CODING_SQL = ('SELECT o.name, c.transcript_pk, k.code_id, c.start, c."end", c.quote, c.origin, '
               "c.memo, c.created_at, c.updated_at FROM coding c "
               "JOIN coder o ON o.pk = c.coder_pk JOIN code k ON k.pk = c.code_pk")
_CODING_COLUMNS = ("coder_pk", "code_pk", "transcript_pk", "start", "end", "quote",
                   "text_sha256", "origin", "memo", "created_at", "updated_at")
_RECORDING_SQL = ("SELECT t.text_sha256, r.path, r.size, r.sha256, r.duration FROM recording r "
                  "JOIN transcript t ON t.pk = r.transcript_pk ORDER BY t.name")
_MEMO_SQL = "SELECT author, about_type, about_key, title, body, created_at, updated_at FROM memo"


@dataclass
class MergeReport:
    added: dict[str, int] = field(default_factory=dict)  # coder -> codings brought in
    replaced: dict[str, int] = field(default_factory=dict)  # coder -> codings removed here
    unchanged: list[str] = field(default_factory=list)  # coders identical in both
    memos: int = 0
    transcripts_not_here: list[str] = field(default_factory=list)
    transcripts_changed: list[str] = field(default_factory=list)
    reanchored: int = 0  # codings carried to this copy's text of a changed transcript
    skipped_codings: int = 0  # on transcripts not here, or their text gone from this copy
    recordings: list[str] = field(default_factory=list)  # "transcript: path", attached here
    recordings_not_found: list[str] = field(default_factory=list)  # "transcript: path — why"

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.memos or self.recordings)


def _layer_key(row: tuple) -> tuple:
    """What makes two codings the same: transcript text, code, span, origin and memo."""
    _, sha, code, start, end, _, origin, memo, *_ = row
    return (sha, code, start, end, origin, memo or None)


def merge_project(store: Store, other: Store, *, replace_coders: list[str] | None = None,
                  only_coders: list[str] | None = None) -> MergeReport:
    """Bring ``other``'s coder layers and memos into ``store`` in one transaction."""
    from sqlalchemy import insert, select

    from qualcode import audit
    from qualcode.services.common import get_or_create_coder
    from qualcode.store.models import Code, Memo, Transcript

    replace_coders = list(replace_coders or [])
    with other.snapshot() as db:
        theirs_transcripts = db.rows("SELECT name, text_sha256 FROM transcript")
        their_rows = _codings(db, only_coders or None)
        their_memos = db.rows(_MEMO_SQL)
        their_recordings = db.rows(_RECORDING_SQL)
    report = MergeReport()
    by_coder: dict[str, list[tuple]] = defaultdict(list)
    for row in their_rows:
        by_coder[row[0]].append(row)
    if only_coders:
        missing = sorted(set(only_coders) - set(by_coder))
        if missing:
            with other.snapshot() as db:
                theirs = db.column("SELECT DISTINCT o.name FROM coding c JOIN coder o "
                                   "ON o.pk = c.coder_pk ORDER BY o.name")
            raise NotFoundError(f"{other.location} has no codings by {', '.join(missing)}",
                                hint=f"its coders: {', '.join(theirs) or 'none'}")
        by_coder = {name: by_coder[name] for name in only_coders}
    stray = sorted(set(replace_coders) - set(by_coder))
    if stray:
        raise NotFoundError(f"--replace names {', '.join(stray)}, who has no codings in "
                            f"{other.location}", hint="name a coder of the other copy")

    batch = audit.new_batch()
    with store.write() as session:
        ours = {sha: (pk, name, text) for pk, name, sha, text in session.execute(
            select(Transcript.pk, Transcript.name, Transcript.text_sha256, Transcript.text))}
        our_names = {name for _, name, _ in ours.values()}
        shared = [sha for _, sha in theirs_transcripts if sha in ours]
        if theirs_transcripts and not shared:
            raise ConflictError(f"{other.location} shares no transcript with this project: "
                                "it is not a copy of the same study; nothing was merged",
                                hint="merge copies of one study (transcripts are matched by "
                                     "their text)")
        for name, sha in theirs_transcripts:
            if sha not in ours:
                (report.transcripts_changed if name in our_names
                 else report.transcripts_not_here).append(name)
        if report.transcripts_changed:
            by_coder = _carried_over(other, by_coder, report.transcripts_changed, ours)
        codes = {code_id: pk for pk, code_id in session.execute(select(Code.pk, Code.code_id))}
        used = {row[2] for rows in by_coder.values() for row in rows}
        lacking = sorted(used - set(codes))
        if lacking:
            raise ConflictError(
                f"{other.location} uses codes this project does not have: "
                f"{', '.join(lacking[:8])}{' …' if len(lacking) > 8 else ''}; nothing was "
                "merged", hint="load the codebook that has them (`qualcode codebook load`), "
                "then merge again")

        # Plain rows inside this transaction: a layer of 100 000 codings is read as tuples,
        # not as ORM objects.
        here = defaultdict(list)
        for row in _codings(store.in_session(session), sorted(by_coder)):
            here[row[0]].append(row)
        plans: list[tuple[str, list[tuple]]] = []
        conflicts = []
        for coder, rows in sorted(by_coder.items()):
            usable = [r for r in rows if r[1] in ours]
            report.skipped_codings += len(rows) - len(usable)
            theirs_set = {_layer_key(r) for r in usable}
            mine = here.get(coder, [])
            mine_set = {_layer_key(r) for r in mine}
            if theirs_set == mine_set:
                report.unchanged.append(coder)
                continue
            if mine and coder not in replace_coders:
                conflicts.append(f"{coder} ({len(mine)} here, {len(usable)} there)")
                continue
            plans.append((coder, usable))
        if conflicts:
            raise ConflictError(
                f"coders with other codings here than in {other.location}: "
                f"{', '.join(conflicts)}; nothing was merged",
                hint="keep this project's layer, or take the other's with "
                     "--coder NAME --replace")
        for coder, rows in plans:
            who = get_or_create_coder(session, coder)
            removed = _remove_layer(session, who.pk, batch)
            if removed:
                report.replaced[coder] = removed
            report.reanchored += _copy_layer(store, session, who.pk, coder, rows, ours,
                                             codes, batch, other.location)
            report.added[coder] = len(rows)

        known = {(a, t, k, ti, b) for a, t, k, ti, b in session.execute(
            select(Memo.author, Memo.about_type, Memo.about_key, Memo.title, Memo.body))}
        for author, about_type, about_key, title, body, created, updated in their_memos:
            if (author, about_type, about_key, title, body) in known:
                continue
            known.add((author, about_type, about_key, title, body))
            session.execute(insert(Memo).values(
                author=author, about_type=about_type, about_key=about_key, title=title,
                body=body, created_at=stored_time(created), updated_at=stored_time(updated)))
            report.memos += 1
        _bring_recordings(store, other, session, their_recordings, ours, report)
        if report.changed:
            audit.record(session, "merge", "project", other.location, batch=batch,
                         after={"added": report.added, "replaced": report.replaced,
                                "memos": report.memos, "recordings": report.recordings,
                                "skipped_codings": report.skipped_codings})
    return report


def _bring_recordings(store: Store, other: Store, session, theirs: list[tuple],
                      ours: dict[str, tuple], report: MergeReport) -> None:
    """Attach the other copy's recordings to this copy's transcripts of the same text that
    have none, found from here by the other copy's path; the file is not read again (its
    size tells a different file, its hash travels with it)."""
    from sqlalchemy import select

    from qualcode.services.media import record, relative_path, resolve
    from qualcode.store.models import Recording

    attached = set(session.execute(select(Recording.transcript_pk)).scalars())
    for sha, path, size, digest, duration in theirs:
        if sha not in ours or ours[sha][0] in attached:
            continue
        pk, name, _ = ours[sha]
        file = resolve(other, path)
        if not file.is_file():
            report.recordings_not_found.append(f"{name}: {file} — not found from here")
            continue
        if file.stat().st_size != size:
            report.recordings_not_found.append(
                f"{name}: {file} — another file than the one attached there (its size "
                "differs)")
            continue
        stored = relative_path(store, file)
        record(session, pk, name, {"path": stored, "size": size, "sha256": digest,
                                   "duration": duration})
        attached.add(pk)
        report.recordings.append(f"{name}: {stored}")


def _carried_over(other: Store, by_coder: dict[str, list[tuple]], changed: list[str],
                  ours: dict[str, tuple]) -> dict[str, list[tuple]]:
    """The other copy's codings of transcripts whose text differs here, moved through the
    alignment of its text with this copy's (the same alignment `import --replace` uses).
    A carried coding gets this copy's text hash, and notes where it was; one whose text is
    gone keeps the other hash, so it is left out and counted like a transcript not here."""
    here = {name: (sha, text) for sha, (_, name, text) in ours.items()}
    marks = ", ".join("?" * len(changed))
    with other.snapshot() as db:
        theirs = db.rows(f"SELECT name, text_sha256, text FROM transcript WHERE name IN "
                         f"({marks})", changed)
    moves = {}
    for name, sha, text in theirs:
        our_sha, our_text = here[name]
        moves[sha] = (our_sha, align(text, our_text))
    carried: dict[str, list[tuple]] = {}
    for coder, rows in by_coder.items():
        carried[coder] = []
        for row in rows:
            name, sha, code, start, end, quote, *rest = row
            move = moves.get(sha)
            span = move[1].span(start, end) if move else None
            if span is None:
                carried[coder].append(row)
                continue
            carried[coder].append((name, move[0], code, *span, quote, *rest,
                                   {"start": start, "end": end, "quote": quote}))
    return carried


def _codings(db, coders: list[str] | None = None) -> list[tuple]:
    """Every coding (of ``coders``, if given) as (coder, transcript text hash, code, start,
    end, quote, origin, memo, created, updated). The hash is looked up here, not joined: a
    transcript row holds its whole text before the hash, and joining it to 100 000
    codings reads that text each time."""
    if coders is not None and not coders:
        return []
    sha = dict(db.rows("SELECT pk, text_sha256 FROM transcript"))
    sql, params = _CODING_SQL, []
    if coders is not None:
        sql += f" WHERE o.name IN ({', '.join('?' * len(coders))})"
        params = list(coders)
    return [(name, sha[t_pk], *rest) for name, t_pk, *rest in db.rows(sql, params)]


def _remove_layer(session, coder_pk: int, batch: str) -> int:
    """Remove a coder's codings, each kept whole in the audit log; how many there were."""
    from sqlalchemy import delete, select

    from qualcode import audit
    from qualcode.services.common import coding_row
    from qualcode.store.models import Coding

    old = session.execute(select(Coding.__table__).where(Coding.coder_pk == coder_pk)).all()
    if old:
        audit.record_many(session, "merge_remove", "coding",
                          ((str(row.pk), coding_row(row), None) for row in old), batch=batch)
        session.execute(delete(Coding).where(Coding.coder_pk == coder_pk))
    return len(old)


def _copy_layer(store: Store, session, coder_pk: int, coder: str, rows: list[tuple],
                ours: dict, codes: dict[str, int], batch: str, source: str) -> int:
    """Insert another copy's codings for a coder whose layer here is empty (new, or just
    removed), in one statement, and log each as ``merge_add``: a coder's undo takes back
    what the coder did, not a merge. A row carried through a changed text (see
    `_carried_over`) has an eleventh item, where it was; returns how many had one."""
    from qualcode import audit
    from qualcode.store.bulk import insert_rows

    values, moved_from = [], []
    for _, sha, code, start, end, _quote, origin, memo, created, updated, *was in rows:
        t_pk, _, text = ours[sha]
        values.append((coder_pk, codes[code], t_pk, start, end, text[start:end], sha, origin,
                       memo, _moment(created), _moment(updated)))
        moved_from.append(was[0] if was else None)
    insert_rows(session, "coding", _CODING_COLUMNS, values)
    # The layer was empty, so every coding of the coder now is one just inserted, and
    # their keys follow the order of the rows.
    code_ids = {pk: code_id for code_id, pk in codes.items()}
    added = store.in_session(session).rows(
        'SELECT pk, code_pk, start, "end" FROM coding WHERE coder_pk = ? ORDER BY pk',
        (coder_pk,))
    audit.record_many(session, "merge_add", "coding", (
        (str(pk), None, {"code": code_ids[code_pk], "start": start, "end": end,
                         "coder": coder, "merged_from": source,
                         **({"reanchored_from": was} if was else {})})
        for (pk, code_pk, start, end), was in zip(added, moved_from, strict=True)),
        batch=batch)
    return sum(was is not None for was in moved_from)


_STORED = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")


def _moment(value):
    """A time read from the other copy, to be stored here: SQLite's text as the ORM writes
    it passes unchanged (parsing and formatting 100 000 of them costs a second), anything
    else is read as a time."""
    if isinstance(value, str) and _STORED.fullmatch(value):
        return value
    return stored_time(value)


def open_other(target: str | Path) -> Store:
    """The other copy, opened without changing it: it must already be a project."""
    from qualcode.services.project import open_project

    return open_project(target)
