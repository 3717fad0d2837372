"""Bulk inserts on the hot paths of large imports.

SQLAlchemy's per-row parameter handling costs more than SQLite's own work when 100 000+
rows go in at once; these statements go to the driver directly, inside the caller's
transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

_TURN = ('INSERT INTO turn (transcript_pk, idx, participation_pk, start, "end", n_words) '
         "VALUES (?, ?, ?, ?, ?, ?)")


def insert_turns(session: Session, rows: Sequence[tuple]) -> None:
    """Rows of (transcript_pk, idx, participation_pk, start, end, n_words)."""
    connection = session.connection()
    sql = _TURN if connection.dialect.name == "sqlite" else _TURN.replace("?", "%s")
    connection.exec_driver_sql(sql, list(rows))
