"""Opening a project: the engine, connection pragmas, transactions and migrations.

Concurrency: the file runs in WAL mode so readers never block the writer, with a busy
timeout so a second writer waits instead of failing. Write transactions start with
``BEGIN IMMEDIATE``: they take the write lock up front, so two coders saving at once
queue for a moment rather than one failing half-way with "database is locked".
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from qualcode.domain.errors import ProjectError
from qualcode.store.migrations import MIGRATIONS, Migration, latest_version

BUSY_TIMEOUT_MS = 15_000
_WRITE = "qualcode_write"


def _configure(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN, so writes can be IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(_WRITE):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Store:
    """An open project file. Use :meth:`read` and :meth:`write` for sessions."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine

    @contextmanager
    def read(self) -> Iterator[Session]:
        # Objects stay readable after the block: closing detaches them without expiring.
        with self.engine.connect() as conn, Session(bind=conn, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One atomic transaction: everything inside commits together or not at all."""
        with self.engine.connect() as raw:
            conn = raw.execution_options(**{_WRITE: True})
            with Session(bind=conn) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.exec_driver_sql("PRAGMA user_version").scalar_one())

    def close(self) -> None:
        self.engine.dispose()


def _engine_for(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    _configure(engine)
    return engine


def _file_version(path: Path) -> int:
    """Read ``user_version`` without creating or altering the file."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ProjectError(
            f"{path} is not a qualcode project ({exc})",
            hint="check the --project path or QUALCODE_PROJECT",
        ) from None


def backup_file(path: Path, version: int) -> Path:
    """Copy a project with SQLite's online backup (consistent even in WAL mode)."""
    stamp = _now().strftime("%Y%m%dT%H%M%S")
    target = path.with_name(f"{path.name}.backup-v{version}-{stamp}")
    source = sqlite3.connect(path)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()
    return target


def migrate(path: Path, migrations: list[Migration] | None = None) -> Path | None:
    """Bring the file at ``path`` to the latest schema. Returns the backup path, if any."""
    migrations = migrations or MIGRATIONS
    latest = latest_version(migrations)
    current = _file_version(path) if path.exists() else 0
    if current > latest:
        raise ProjectError(
            f"{path} was written by a newer qualcode (schema {current}; this qualcode knows "
            f"up to {latest})",
            hint="upgrade qualcode: pip install -U qualcode",
        )
    if current == latest:
        return None
    backup = backup_file(path, current) if current > 0 else None
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.isolation_level = None
    try:
        conn.execute("PRAGMA foreign_keys = OFF")  # table rebuilds in later steps need this
        for step in migrations:
            if step.version <= current:
                continue
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _split_sql(step.sql):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {step.version}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    return backup


def _split_sql(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def create_project(path: Path) -> Store:
    if path.exists() and path.stat().st_size > 0:
        raise ProjectError(f"{path} already exists", hint="use it, or choose another --project")
    path.parent.mkdir(parents=True, exist_ok=True)
    migrate(path)
    store = Store(path, _engine_for(path))
    return store


def open_store(path: Path, *, must_exist: bool = True) -> Store:
    """Open (and if needed migrate) a project. Never creates one when ``must_exist``."""
    if not path.exists():
        if must_exist:
            raise ProjectError(
                f"no project at {path}",
                hint="create one with `qualcode init`, or pass --project / set QUALCODE_PROJECT",
            )
        return create_project(path)
    migrate(path)
    engine = _engine_for(path)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT count(*) FROM transcript").scalar_one()
    except OperationalError as exc:
        engine.dispose()
        raise ProjectError(f"{path} is not a usable qualcode project ({exc.orig})") from None
    return Store(path, engine)
