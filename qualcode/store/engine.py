"""Opening a project: the engine, connection pragmas, transactions and migrations.

Concurrency: the file runs in WAL mode so readers never block the writer, with a busy
timeout so a second writer waits instead of failing. Write transactions start with
``BEGIN IMMEDIATE``: they take the write lock up front, so two coders saving at once
queue for a moment rather than one failing half-way with "database is locked".

A project named by a ``postgresql://`` URL is a database a team shares; what differs there
lives in :mod:`qualcode.store.postgres`.

SQLAlchemy (with SQLModel and pydantic, about 0.4 s to import) is loaded only when a
session is first asked for: read-only commands that need nothing but rows (a matrix, a
frequency table) read through :meth:`Store.snapshot` on the standard library's driver.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.domain.errors import ProjectError
from qualcode.store.migrations import MIGRATIONS, Migration, latest_version

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

BUSY_TIMEOUT_MS = 15_000
WRITE_OPTION = "qualcode_write"  # execution option that marks a write transaction


def _configure(engine: Engine) -> None:
    from sqlalchemy import event

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
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Snapshot:
    """A consistent read-only view of the project, as plain tuples from the driver."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self._connection.execute(sql, params).fetchall()

    def column(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """The first value of every row."""
        return [row[0] for row in self._connection.execute(sql, params)]


class Store:
    """An open project. Use :meth:`read` and :meth:`write` for sessions, :meth:`snapshot`
    for plain reads. This class is a SQLite file; ``postgres.PostgresStore`` a database."""

    dialect = "sqlite"

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._engine: Engine | None = None

    @property
    def location(self) -> str:
        """Where the project is, as a user should see it."""
        return str(self.path)

    @property
    def name(self) -> str:
        """The project's short name: the file name (for a database, its name)."""
        return self.path.name if self.path else self.location

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._create_engine()
        return self._engine

    def _create_engine(self) -> Engine:
        return _engine_for(self.path)

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """Read without SQLAlchemy: every query in the block sees the same committed state
        (one read transaction), and the connection refuses writes."""
        connection = _connect(self.path)
        try:
            connection.execute("PRAGMA query_only = ON")
            connection.execute("BEGIN")
            yield Snapshot(connection)
        finally:
            connection.close()

    def in_session(self, session: Session) -> Snapshot:
        """Plain SQL inside an open session's own transaction (it sees the session's
        flushed writes): for look-ups shared with code that reads through snapshots."""
        return self._snapshot_class(session.connection().connection.driver_connection)

    _snapshot_class = Snapshot

    @contextmanager
    def read(self) -> Iterator[Session]:
        from sqlmodel import Session

        # Objects stay readable after the block: closing detaches them without expiring.
        with self.engine.connect() as conn, Session(bind=conn, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One atomic transaction: everything inside commits together or not at all."""
        from sqlmodel import Session

        with self.engine.connect() as raw:
            conn = raw.execution_options(**{WRITE_OPTION: True})
            with Session(bind=conn) as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise

    def schema_version(self) -> int:
        with self.snapshot() as db:
            return int(db.rows("PRAGMA user_version")[0][0])

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _engine_for(path: Path) -> Engine:
    from sqlmodel import create_engine

    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    _configure(engine)
    return engine


def _connect(path: Path) -> sqlite3.Connection:
    """A plain driver connection with the pragmas every connection to a project gets."""
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    connection.isolation_level = None
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


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


def _database_url(target: Path | str) -> str | None:
    """``target`` if it is a database URL (only PostgreSQL is supported), else None."""
    if not (isinstance(target, str) and "://" in target):
        return None
    from qualcode.store.postgres import is_postgres_url

    if not is_postgres_url(target):
        raise ProjectError(f"{target.split('://', 1)[0]}:// projects are not supported",
                           hint="give a project file, or a postgresql:// URL")
    return target


def create_project(path: Path | str) -> Store:
    url = _database_url(path)
    if url:
        from qualcode.store.postgres import create_postgres_project

        return create_postgres_project(url)
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        raise ProjectError(f"{path} already exists", hint="use it, or choose another file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    migrate(path)
    return Store(path)


def open_store(path: Path | str, *, must_exist: bool = True) -> Store:
    """Open (and if needed migrate) a project: a SQLite file, or a PostgreSQL URL. Never
    creates one when ``must_exist``."""
    url = _database_url(path)
    if url:
        from qualcode.store.postgres import open_postgres_store

        return open_postgres_store(url)
    path = Path(path)
    if not path.exists():
        if must_exist:
            raise ProjectError(
                f"no project at {path}",
                hint="create one with `qualcode init`, or pass --project / set QUALCODE_PROJECT",
            )
        return create_project(path)
    migrate(path)
    store = Store(path)
    try:
        with store.snapshot() as db:
            db.rows("SELECT count(*) FROM transcript")
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{path} is not a usable qualcode project ({exc})") from None
    return store
