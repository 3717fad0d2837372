"""Bulk writes on the hot paths of large imports, inside a session's own transaction.

SQLAlchemy's per-statement and per-row parameter handling costs more than the database's
own work when 1 000 transcripts and 180 000 turns go in at once; these writes go to the
driver directly (COPY on PostgreSQL), in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from sqlmodel import Session

from qualcode.store.engine import Writer


def writer_in(session: Session) -> Writer:
    """Plain-driver writes inside an open session's transaction. Call ``session.flush()``
    first where rows the session holds must go in before these (audit events in order)."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    if connection.dialect.name == "postgresql":
        from qualcode.store.postgres import PostgresWriter

        return PostgresWriter(driver)
    return Writer(driver)


BIG_INSERT = 10_000  # rows


def insert_rows(session: Session, table: str, columns: Sequence[str],
                rows: Sequence[tuple]) -> None:
    """Rows of ``columns`` into ``table`` in the session's transaction, straight to the
    driver. Times (the columns named ``at`` or ``…_at``) are stored as the ORM stores
    them: UTC, as text on SQLite, as a timestamp without zone on PostgreSQL."""
    if not rows:
        return
    db = writer_in(session)
    sqlite = db.dialect == "sqlite"
    times = [i for i, column in enumerate(columns) if column == "at" or column.endswith("_at")]
    if times:
        rows = [_stored_times(row, times, sqlite) for row in rows]
    if sqlite and len(rows) > BIG_INSERT:
        # The indexes of a table of 100 000 rows outgrow SQLite's default 2 MB page cache,
        # which more than doubles the time of a large insert; this connection's cache may
        # take 64 MB.
        db.execute("PRAGMA cache_size = -65536")
    db.insert_rows(table, columns, rows)


def _stored_times(row: tuple, times: list[int], sqlite: bool) -> tuple:
    values = list(row)
    for i in times:
        moment = values[i]
        if isinstance(moment, datetime):
            if moment.tzinfo:
                moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
            # isoformat, not strftime: a third of the time over 300 000 values.
            values[i] = moment.isoformat(" ", "microseconds") if sqlite else moment
    return tuple(values)
