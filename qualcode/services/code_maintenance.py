"""Renaming, merging, moving and archiving codes without losing a single coding.

Each operation changes the project in one transaction (audited), then makes the same
change to the codebook file the project was loaded from, if that file is still exactly as
it was loaded. If the file was edited since, it is left alone and the result says so:
`qualcode codebook diff FILE` then shows what differs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, select

from qualcode import audit, codebook_file
from qualcode.domain.errors import CodebookError, ConflictError, not_found
from qualcode.output import write_text
from qualcode.services.codebooks import remember_codebook_file
from qualcode.services.common import codes_by_id, coding_row, get_meta, now
from qualcode.store import Store
from qualcode.store.models import Code, Coding, Transcript


@dataclass
class MaintenanceResult:
    summary: str
    file: str | None = None  # the codebook file that was updated
    file_note: str | None = None  # why the file was not updated
    merged_spans: int = 0
    details: list[str] = field(default_factory=list)


def _code(session: Session, code_id: str) -> Code:
    codes = codes_by_id(session)
    found = codes.get(code_id)
    if found is None:
        raise not_found(f"no code '{code_id}'", code_id, codes, "see `qualcode codebook show`")
    return found


def _sync_file(store: Store, edit, result: MaintenanceResult) -> None:
    """Apply ``edit(text) -> text`` to the remembered codebook file if it is unchanged."""
    with store.read() as session:
        raw = get_meta(session, "codebook")
    info = json.loads(raw) if raw else {}
    path = Path(info["path"]) if info.get("path") else None
    if path is None or not path.is_file():
        result.file_note = ("no codebook file is known for this project; the project changed, "
                            "load or export a codebook file to keep them in step")
        return
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != info.get("sha256"):
        result.file_note = (f"{path} was edited since it was loaded, so it was left alone: "
                            f"run `qualcode codebook diff {path}` and resolve the difference")
        return
    text = edit(data.decode("utf-8-sig"))
    write_text(path, text)  # whole or not at all: the codebook is the researcher's own file
    remember_codebook_file(store, path)
    result.file = str(path)


def rename_code(store: Store, old: str, new: str) -> MaintenanceResult:
    from qualcode.codebook import ID_PATTERN

    if not ID_PATTERN.match(new):
        raise CodebookError(f"'{new}' is not a valid code id",
                            hint="ASCII letters, digits, '_' and '.'; write å as aa, ø as o")
    with store.write() as session:
        code = _code(session, old)
        if new in codes_by_id(session):
            raise ConflictError(f"code '{new}' already exists",
                                hint=f"to combine them use `qualcode codes merge {old} "
                                     f"--into {new}`")
        code.code_id = new
        session.add(code)
        audit.record(session, "rename", "code", new, before={"id": old}, after={"id": new})
    result = MaintenanceResult(f"renamed {old} → {new}")
    _sync_file(store, lambda text: codebook_file.rename(text, old, new), result)
    return result


def archive_code(store: Store, code_id: str) -> MaintenanceResult:
    with store.write() as session:
        code = _code(session, code_id)
        code.archived = True
        session.add(code)
        audit.record(session, "archive", "code", code_id)
    result = MaintenanceResult(f"archived {code_id} (its codings are kept)")
    _sync_file(store, lambda text: codebook_file.archive(text, code_id), result)
    return result


def move_code(store: Store, code_id: str, parent: str | None) -> MaintenanceResult:
    with store.write() as session:
        codes = codes_by_id(session)
        code = _code(session, code_id)
        new_parent = _code(session, parent) if parent else None
        by_pk = {c.pk: c for c in codes.values()}
        ancestor = new_parent
        while ancestor is not None:
            if ancestor.pk == code.pk:
                raise ConflictError(f"cannot move {code_id} under its own descendant {parent}")
            ancestor = by_pk.get(ancestor.parent_pk)
        before = by_pk[code.parent_pk].code_id if code.parent_pk else None
        code.parent_pk = new_parent.pk if new_parent else None
        session.add(code)
        audit.record(session, "move", "code", code_id, before={"parent": before},
                     after={"parent": parent})
    result = MaintenanceResult(f"moved {code_id} under {parent or 'the top level'}")
    _sync_file(store, lambda text: codebook_file.move(text, code_id, parent), result)
    return result


def union_spans(session: Session, code_pk: int, batch: str) -> int:
    """Merge each coder's overlapping or touching codings of one code (per transcript and
    origin) into one coding; returns how many codings were absorbed."""
    rows = session.exec(select(Coding).where(Coding.code_pk == code_pk)
                        .order_by(Coding.transcript_pk, Coding.coder_pk, Coding.origin,
                                  Coding.start)).all()
    absorbed = 0
    texts: dict[int, str] = {}
    current: Coding | None = None
    for row in rows:
        same_layer = current is not None and (
            current.transcript_pk, current.coder_pk, current.origin) == (
            row.transcript_pk, row.coder_pk, row.origin)
        if same_layer and row.start <= current.end:
            before = {"start": current.start, "end": current.end, "quote": current.quote,
                      "memo": current.memo}
            current.end = max(current.end, row.end)
            if row.memo and row.memo not in (current.memo or ""):
                current.memo = "\n".join(m for m in (current.memo, row.memo) if m)
            if current.transcript_pk not in texts:
                texts[current.transcript_pk] = session.get(Transcript, current.transcript_pk).text
            current.quote = texts[current.transcript_pk][current.start:current.end]
            current.updated_at = now()
            session.add(current)
            audit.record(session, "update", "coding", str(current.pk), batch=batch,
                         before=before, after={"start": current.start, "end": current.end})
            session.flush()
            audit.record(session, "remove", "coding", str(row.pk), batch=batch,
                         before=coding_row(row))
            session.delete(row)
            absorbed += 1
        else:
            current = row
    session.flush()
    return absorbed


def merge_codes(store: Store, sources: list[str], into: str) -> MaintenanceResult:
    sources = [s for s in dict.fromkeys(sources) if s != into]
    if not sources:
        raise ConflictError("nothing to merge: name at least one code other than the target")
    batch = audit.new_batch()
    with store.write() as session:
        target = _code(session, into)
        moved = 0
        for source_id in sources:
            source = _code(session, source_id)
            n = session.exec(select(Coding.pk).where(Coding.code_pk == source.pk)).all()
            moved += len(n)
            session.execute(update(Coding).where(Coding.code_pk == source.pk)
                            .values(code_pk=target.pk))
            session.execute(update(Code).where(Code.parent_pk == source.pk)
                            .values(parent_pk=target.pk))
            session.flush()
            session.delete(source)
            audit.record(session, "merge", "code", into, batch=batch,
                         before={"id": source_id, "pk": source.pk, "codings": len(n)},
                         after={"into": into, "into_pk": target.pk})
        session.flush()
        absorbed = union_spans(session, target.pk, batch)
    result = MaintenanceResult(
        f"merged {', '.join(sources)} into {into}: {moved} coding(s) moved"
        + (f", {absorbed} overlapping span(s) of the same coder united" if absorbed else ""),
        merged_spans=absorbed)
    _sync_file(store, lambda text: codebook_file.merge(text, sources, into), result)
    return result
