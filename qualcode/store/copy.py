"""Copying a whole project into a new file or an empty PostgreSQL database.

A study usually starts in one file on a student's laptop and moves to a database when a
team codes it together; at the end, the team's database is archived as one file. Both
are the same operation: every row of every table, ids included, so codings, the audit
log and undo keep pointing where they did.
"""

from __future__ import annotations

import errno
import sqlite3
from collections import defaultdict
from pathlib import Path

from qualcode.domain.errors import ProjectError
from qualcode.output import atomic_output, check_output_path, output_error
from qualcode.store.engine import Store, create_project

# Rows the target writes for itself when it is created.
_OWN_META_KEYS = {"schema_version"}
_CHUNK = 5_000
_SQLITE_FULL = 13  # SQLite's result code for "database or disk is full"


def copy_project(source: Store, target: Path | str) -> tuple[Store, dict[str, int]]:
    """Copy ``source`` into ``target`` (a new file or an empty PostgreSQL database), in
    one transaction; return the new project and the rows copied per table. If anything
    fails, the target is left as it was and the source was only read.

    A file is built under a temporary name in the target's folder and renamed to
    ``target`` only when complete, so a killed copy leaves no half-made project under the
    name, and running it again works."""
    if isinstance(target, str) and "://" in target:
        copied = create_project(target)
        try:
            return copied, _fill(source, copied)
        except BaseException:
            _discard(copied)
            raise
    target = check_output_path(target)
    _refuse_existing(target)
    with atomic_output(target) as tmp:
        try:
            copied = create_project(tmp)
            try:
                counts = _fill(source, copied)
            finally:
                copied.close()
            _fold_wal(tmp, target)
        except Exception as exc:
            if _disk_full(exc):
                raise output_error(OSError(errno.ENOSPC, "disk full"), target) from None
            raise
        _refuse_existing(target)  # made meanwhile by someone else: theirs stays
    return Store(target), counts


def _fill(source: Store, copied: Store) -> dict[str, int]:
    """Every row of every table, in one transaction on the target."""
    from sqlmodel import SQLModel

    import qualcode.store.models  # noqa: F401  (registers the tables)

    counts: dict[str, int] = {}
    retired = 0
    options = {"isolation_level": "REPEATABLE READ"} \
        if source.dialect == "postgresql" else {}
    with source.engine.connect() as src, copied.engine.begin() as dst:
        src = src.execution_options(**options)
        for table in SQLModel.metadata.sorted_tables:
            rows = [dict(row._mapping) for row in src.execute(table.select())]
            if table.name == "project_meta":
                rows = [r for r in rows if r["key"] not in _OWN_META_KEYS]
            if table.name == "code":  # a parent before its children (self-reference)
                rows = _parents_first(rows)
            for i in range(0, len(rows), _CHUNK):
                dst.execute(table.insert(), rows[i:i + _CHUNK])
            counts[table.name] = len(rows)
            if table.name == "audit_event":
                retired = _highest_coding_id_named(rows)
        if copied.dialect == "postgresql":
            _advance_sequences(dst, SQLModel.metadata.sorted_tables)
        _retire_coding_ids(dst, copied.dialect, retired)
    return counts


def _refuse_existing(path: Path) -> None:
    if path.exists() and path.stat().st_size > 0:
        raise ProjectError(f"{path} already exists", hint="use it, or choose another file name")


def _fold_wal(path: Path, target: Path) -> None:
    """Write the write-ahead log into the file itself: only the file is renamed."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size:
        raise ProjectError(f"could not finish the copy {target}",
                           hint="another program has it open; run the copy again")


def _disk_full(exc: BaseException | None) -> bool:
    """SQLite reports a full disk as its own error, not an OSError, and a failed rollback
    after it can hide it: look along the chain of errors."""
    while exc is not None:
        error = getattr(exc, "orig", None) or exc
        if isinstance(error, sqlite3.Error) and (
                getattr(error, "sqlite_errorcode", None) == _SQLITE_FULL
                or "disk is full" in str(error)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _parents_first(rows: list[dict]) -> list[dict]:
    children: dict[int | None, list[dict]] = defaultdict(list)
    pks = {r["pk"] for r in rows}
    for r in sorted(rows, key=lambda r: r["pk"]):
        children[r["parent_pk"] if r["parent_pk"] in pks else None].append(r)
    ordered, queue = [], list(children[None])
    while queue:
        row = queue.pop(0)
        ordered.append(row)
        queue.extend(children[row["pk"]])
    return ordered


def _advance_sequences(conn, tables) -> None:
    """Rows came with their ids: move each id sequence past the largest one copied."""
    for table in tables:
        if "pk" in table.c and table.c.pk.autoincrement:
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'pk'), "
                f"coalesce(max(pk), 1), max(pk) IS NOT NULL) FROM {table.name}")


def _highest_coding_id_named(audit_rows: list[dict]) -> int:
    return max((int(r["entity_key"]) for r in audit_rows
                if r["entity"] in ("coding", "undo") and (r["entity_key"] or "").isdigit()),
               default=0)


def _retire_coding_ids(conn, dialect: str, highest: int) -> None:
    """A copy keeps the source's promise that a removed coding's id is never handed out
    again: the next new coding's id lies past every id its audit log names."""
    if dialect == "postgresql":
        conn.exec_driver_sql(
            "SELECT setval(pg_get_serial_sequence('coding', 'pk'), "
            "greatest(%s, (SELECT coalesce(max(pk), 0) FROM coding), 1))", (highest,))
        return
    conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = 'coding'")
    conn.exec_driver_sql(
        "INSERT INTO sqlite_sequence (name, seq) "
        "SELECT 'coding', max(?, coalesce((SELECT max(pk) FROM coding), 0))", (highest,))


def _discard(store: Store) -> None:
    """Remove a half-made copy from the database (a file copy is a temporary that
    :func:`atomic_output` removes)."""
    store.close()
    from qualcode.store.postgres import drop_project

    drop_project(store)
