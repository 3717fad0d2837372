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
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.domain.errors import ConflictError, NotFoundError
from qualcode.domain.realign import align
from qualcode.domain.times import stored_time
from qualcode.store import Store

_CODING_SQL = ('SELECT o.name, t.text_sha256, k.code_id, c.start, c."end", c.quote, c.origin, '
               "c.memo, c.created_at, c.updated_at FROM coding c "
               "JOIN coder o ON o.pk = c.coder_pk JOIN code k ON k.pk = c.code_pk "
               "JOIN transcript t ON t.pk = c.transcript_pk")
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

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.memos)


def _layer_key(row: tuple) -> tuple:
    """What makes two codings the same: transcript text, code, span, origin and memo."""
    _, sha, code, start, end, _, origin, memo, *_ = row
    return (sha, code, start, end, origin, memo or None)


def merge_project(store: Store, other: Store, *, replace_coders: list[str] | None = None,
                  only_coders: list[str] | None = None) -> MergeReport:
    """Bring ``other``'s coder layers and memos into ``store`` in one transaction."""
    from sqlalchemy import delete, insert, select

    from qualcode import audit
    from qualcode.services.common import coding_row, get_or_create_coder
    from qualcode.store.models import Code, Coder, Coding, Memo, Transcript

    replace_coders = list(replace_coders or [])
    with other.snapshot() as db:
        theirs_transcripts = db.rows("SELECT name, text_sha256 FROM transcript")
        their_rows = db.rows(_CODING_SQL)
        their_memos = db.rows(_MEMO_SQL)
    report = MergeReport()
    by_coder: dict[str, list[tuple]] = defaultdict(list)
    for row in their_rows:
        by_coder[row[0]].append(row)
    if only_coders:
        missing = sorted(set(only_coders) - set(by_coder))
        if missing:
            raise NotFoundError(f"{other.location} has no codings by {', '.join(missing)}",
                                hint=f"its coders: {', '.join(sorted(by_coder)) or 'none'}")
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

        here = defaultdict(list)
        for row in session.execute(select(Coder.name, Transcript.text_sha256, Code.code_id,
                                          Coding.start, Coding.end, Coding.quote,
                                          Coding.origin, Coding.memo)
                                   .join(Coder, Coder.pk == Coding.coder_pk)
                                   .join(Code, Code.pk == Coding.code_pk)
                                   .join(Transcript, Transcript.pk == Coding.transcript_pk)):
            here[row[0]].append(tuple(row))
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
            old = session.execute(select(Coding).where(Coding.coder_pk == who.pk)
                                  ).scalars().all()
            if old:
                for coding in old:
                    audit.record(session, "merge_remove", "coding", str(coding.pk),
                                 batch=batch, before=coding_row(coding))
                session.execute(delete(Coding).where(Coding.coder_pk == who.pk))
                report.replaced[coder] = len(old)
            for _, sha, code, start, end, _quote, origin, memo, created, updated, *was in rows:
                t_pk, _, text = ours[sha]
                pk = session.execute(insert(Coding).values(
                    coder_pk=who.pk, code_pk=codes[code], transcript_pk=t_pk, start=start,
                    end=end, quote=text[start:end], text_sha256=sha, origin=origin,
                    memo=memo, created_at=stored_time(created), updated_at=stored_time(updated),
                )).inserted_primary_key[0]
                # Not "add": a coder's undo takes back what the coder did, not a merge.
                audit.record(session, "merge_add", "coding", str(pk), batch=batch,
                             after={"code": code, "start": start, "end": end,
                                    "coder": coder, "merged_from": other.location,
                                    **({"reanchored_from": was[0]} if was else {})})
                report.reanchored += bool(was)
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
        if report.changed:
            audit.record(session, "merge", "project", other.location, batch=batch,
                         after={"added": report.added, "replaced": report.replaced,
                                "memos": report.memos,
                                "skipped_codings": report.skipped_codings})
    return report


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


def open_other(target: str | Path) -> Store:
    """The other copy, opened without changing it: it must already be a project."""
    from qualcode.services.project import open_project

    return open_project(target)
