"""Bulk inserts on the hot paths of large imports.

SQLAlchemy's per-row parameter handling costs more than the database's own work when
100 000+ rows go in at once; these statements go to the driver directly (COPY on
PostgreSQL), inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

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
