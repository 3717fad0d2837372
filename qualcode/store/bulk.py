"""Bulk writes on the hot paths of large imports, inside a session's own transaction.

SQLAlchemy's per-statement and per-row parameter handling costs more than the database's
own work when 1 000 transcripts and 180 000 turns go in at once; these writes go to the
driver directly (COPY on PostgreSQL), in the caller's transaction.
"""

from __future__ import annotations

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
