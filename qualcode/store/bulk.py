"""Bulk inserts on the hot paths of large imports.

SQLAlchemy's per-row parameter handling costs more than the database's own work when
100 000+ rows go in at once; these statements go to the driver directly (COPY on
PostgreSQL), inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

from sqlmodel import Session

_TURN = ('INSERT INTO turn (transcript_pk, idx, participation_pk, start, "end", n_words, '
         "t_start, t_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")


def insert_turns(session: Session, rows: Sequence[tuple]) -> None:
    """Rows of (transcript_pk, idx, participation_pk, start, end, n_words, t_start, t_end);
    the times are seconds into the recording, or None."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(_TURN, list(rows))
        return
    # PostgreSQL: COPY streams the rows in one statement; row-by-row INSERTs cost a
    # round of parameter handling each (15 s against 7 s for 1 000 transcripts).
    columns = _TURN.split("(", 1)[1].split(")", 1)[0]
    with connection.connection.driver_connection.cursor() as cursor, \
            cursor.copy(f"COPY turn ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


BIG_INSERT = 10_000  # rows


def insert_rows(session: Session, table: str, columns: Sequence[str],
                rows: Sequence[tuple]) -> None:
    """Rows of ``columns`` into ``table``, straight to the driver. Times (the columns named
    ``at`` or ``…_at``) are stored as the ORM stores them: UTC, as text on SQLite, as a
    timestamp without zone on PostgreSQL."""
    if not rows:
        return
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    times = [i for i, column in enumerate(columns) if column == "at" or column.endswith("_at")]
    if times:
        rows = [_stored_times(row, times, sqlite) for row in rows]
    names = ", ".join(f'"{c}"' for c in columns)
    if sqlite:
        # The indexes of a table of 100 000 rows outgrow SQLite's default 2 MB page cache,
        # which more than doubles the time of a large insert; this connection's cache may
        # take 64 MB.
        if len(rows) > BIG_INSERT:
            connection.exec_driver_sql("PRAGMA cache_size = -65536")
        marks = ", ".join("?" * len(columns))
        connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        return
    with connection.connection.driver_connection.cursor() as cursor, \
            cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


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
