"""Syncing a YAML codebook into a project, and the code tree with coding counts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, update
from sqlmodel import Session, select

from qualcode import audit
from qualcode.codebook import (
    BLOCKED_HINT,
    SYNCED_FIELDS,
    Codebook,
    CodeDef,
    ExistingCode,
    SyncPlan,
    blocked_message,
    load_codebook,
    plan_sync,
)
from qualcode.domain.errors import CodebookError
from qualcode.services.common import set_meta
from qualcode.services.overview import CodeNode, code_tree  # noqa: F401  (read side)
from qualcode.store import Store
from qualcode.store.models import Code, Coder, Coding

_JSON_FIELDS = ("examples", "keywords", "refs")


def _values(code: Code) -> dict:
    values = {name: getattr(code, name) for name in SYNCED_FIELDS}
    for name in _JSON_FIELDS:
        values[name] = json.loads(values[name] or "[]")
    return values


def existing_codes(session: Session) -> list[ExistingCode]:
    codes = session.exec(select(Code)).all()
    by_pk = {c.pk: c for c in codes}
    counts: dict[int, dict[str, int]] = {}
    rows = session.exec(
        select(Coding.code_pk, Coder.name, func.count())
        .join(Coder, Coder.pk == Coding.coder_pk)
        .group_by(Coding.code_pk, Coder.name)
    ).all()
    for code_pk, coder, n in rows:
        counts.setdefault(code_pk, {})[coder] = n
    return [
        ExistingCode(
            id=c.code_id, parent=by_pk[c.parent_pk].code_id if c.parent_pk else None,
            archived=c.archived, values=_values(c), codings_by_coder=counts.get(c.pk, {}),
        )
        for c in codes
    ]


def _apply_fields(row: Code, code: CodeDef) -> None:
    for name, value in code.synced_values().items():
        setattr(row, name, json.dumps(value, ensure_ascii=False) if name in _JSON_FIELDS
                else value)
    row.sort_order = code.order
    row.archived = code.archived


@dataclass
class LoadResult:
    codebook: Codebook
    plan: SyncPlan
    dry_run: bool


def load_into_project(store: Store, path: Path, *, dry_run: bool = False) -> LoadResult:
    codebook = load_codebook(path)
    with store.write() as session:
        if dry_run:
            plan = plan_sync(codebook, existing_codes(session))
            if plan.blocked:
                raise CodebookError(blocked_message(plan, str(path)), hint=BLOCKED_HINT)
            session.rollback()
            return LoadResult(codebook, plan, True)
        plan = sync_codebook(session, codebook, Path(path))
    return LoadResult(codebook, plan, False)


def sync_codebook(session: Session, codebook: Codebook, path: Path) -> SyncPlan:
    """Load a parsed codebook inside the caller's transaction (an import that brings its
    own codebook writes it together with everything else)."""
    plan = plan_sync(codebook, existing_codes(session))
    if plan.blocked:
        raise CodebookError(blocked_message(plan, str(path)), hint=BLOCKED_HINT)
    _apply(session, codebook, plan)
    set_meta(session, "codebook", _file_info(codebook, path))
    audit.record(session, "load", "codebook", codebook.name, after={
        "version": codebook.version, "sha256": codebook.sha256,
        "added": plan.added, "renamed": plan.renamed, "merged": plan.merged,
        "changed": [c for c, _ in plan.changed], "archived": plan.archived,
        "removed": plan.removed,
    })
    return plan


def _file_info(codebook: Codebook, path: Path) -> dict:
    """What the project remembers of its codebook file: enough to edit it back safely."""
    return {"name": codebook.name, "version": codebook.version, "title": codebook.title,
            "file": path.name, "path": str(path.resolve()), "sha256": codebook.sha256}


def remember_codebook_file(store: Store, path: Path) -> None:
    """After qualcode edited the file itself: remember its new content as the loaded one."""
    codebook = load_codebook(path)
    with store.write() as session:
        set_meta(session, "codebook", _file_info(codebook, path))


def _apply(session: Session, codebook: Codebook, plan: SyncPlan) -> None:
    rows = {c.code_id: c for c in session.exec(select(Code)).all()}
    for old, new in plan.renamed:
        row = rows.pop(old)
        row.code_id = new
        rows[new] = row
        session.add(row)
        audit.record(session, "rename", "code", new, before={"id": old}, after={"id": new})
    session.flush()
    for old, into, n in plan.merged:
        source, target = rows.pop(old), rows[into]
        session.execute(update(Coding).where(Coding.code_pk == source.pk)
                        .values(code_pk=target.pk))
        session.execute(update(Code).where(Code.parent_pk == source.pk)
                        .values(parent_pk=target.pk))
        session.delete(source)
        audit.record(session, "merge", "code", into,
                     before={"id": old, "pk": source.pk, "codings": n},
                     after={"into": into, "into_pk": target.pk})
    session.flush()
    for code in codebook.codes:
        row = rows.get(code.id)
        if row is None:
            row = Code(code_id=code.id, label=code.label)
            rows[code.id] = row
            audit.record(session, "add", "code", code.id, after={"label": code.label})
        _apply_fields(row, code)
        session.add(row)
    session.flush()
    for code in codebook.codes:  # parents after every row exists: forward references work
        row = rows[code.id]
        row.parent_pk = rows[code.parent].pk if code.parent else None
        session.add(row)
    for code_id, changed in plan.changed:
        audit.record(session, "update", "code", code_id, after={"fields": changed})
    for code_id in plan.removed:
        session.execute(update(Code).where(Code.parent_pk == rows[code_id].pk)
                        .values(parent_pk=None))
    session.flush()
    for code_id in plan.removed:
        session.delete(rows[code_id])
        audit.record(session, "remove", "code", code_id, before={"id": code_id})


def diff_with_file(store: Store, path: Path) -> SyncPlan:
    """The plan loading ``path`` would carry out, blocked codes included (nothing changes)."""
    codebook = load_codebook(path)
    with store.read() as session:
        return plan_sync(codebook, existing_codes(session))


