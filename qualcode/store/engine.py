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
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.domain.errors import ProjectError
from qualcode.store.migrations import APPLICATION_ID, MIGRATIONS, Migration, latest_version

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

BUSY_TIMEOUT_MS = 15_000
WRITE_OPTION = "qualcode_write"  # execution option that marks a write transaction
# Tables every qualcode file has had since schema 1: files from before the application id
# (schemas 1-3) are recognised by them.
_PROJECT_TABLES = {"project_meta", "transcript", "turn", "code", "coding", "audit_event"}


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

    def each(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple]:
        """The rows one at a time, never all in a list: a caller that packs 180 000 rows
        into arrays keeps no list of tuples beside them."""
        return iter(self._connection.execute(sql, params))


_ROWS_PER_STATEMENT = 50
_MAX_PARAMETERS = 999  # the least any SQLite build allows in one statement


class Writer(Snapshot):
    """One write transaction on the plain driver, for bulk work that needs rows, not ORM
    objects (a coding import of 100 000 rows). Reads see the transaction's own writes."""

    dialect = "sqlite"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        return self._connection.execute(sql, params).rowcount

    def insert(self, table: str, values: dict[str, Any]) -> int:
        """Insert one row; its new id."""
        names = ", ".join(f'"{c}"' for c in values)
        marks = ", ".join("?" * len(values))
        return self._connection.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})",
                                        tuple(values.values())).lastrowid

    def insert_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
                    ) -> None:
        """Insert many rows (an iterable, consumed once: rows need not all be in memory).

        Several rows go in one statement: SQLite's work per statement (and, for a table
        with AUTOINCREMENT ids, writing its counter) is then paid once per group, which
        took 40 % off inserting 160 000 codings."""
        names = ", ".join(f'"{c}"' for c in columns)
        one = f"({', '.join('?' * len(columns))})"
        per = max(1, min(_ROWS_PER_STATEMENT, _MAX_PARAMETERS // len(columns)))
        sql = f"INSERT INTO {table} ({names}) VALUES "
        left: list[Any] = []

        def groups() -> Iterator[list[Any]]:
            values: list[Any] = []
            n = 0
            for row in rows:
                values.extend(row)
                n += 1
                if n == per:
                    yield values
                    values, n = [], 0
            left.extend(values)

        self._connection.executemany(sql + ", ".join([one] * per), groups())
        if left:
            self._connection.execute(sql + ", ".join([one] * (len(left) // len(columns))),
                                     left)

    @contextmanager
    def indexes_deferred(self, table: str, *, adding: int) -> Iterator[bool]:
        """Insert ``adding`` rows into ``table`` inside the block. When they are at least as
        many as the rows already there, the table's indexes are dropped first and built
        again after it, in this transaction: building an index once costs less than
        updating it row by row (1.9 s against 2.7 s for 160 000 codings). The block is
        told whether they were."""
        have = self._connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        indexes = self._connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL", (table,)).fetchall() if adding >= max(have, 1) else []
        for name, _ in indexes:
            self._connection.execute(f'DROP INDEX "{name}"')
        yield bool(indexes)
        for _, sql in indexes:
            self._connection.execute(sql)

    def reserve_ids(self, table: str, n: int) -> int:
        """The first of ``n`` ids in a row that no row of ``table`` has had or will be
        given: the caller inserts rows with these ids (``table`` has AUTOINCREMENT ids,
        so the counter moves past them when they are inserted)."""
        used = self._connection.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0), "
            f"coalesce((SELECT max(pk) FROM {table}), 0))", (table,)).fetchone()[0]
        return int(used) + 1

    def release_ids(self, table: str, next_id: int) -> None:
        """After :meth:`reserve_ids` reserved more than were used: ``next_id`` is the first
        not given out. SQLite's counter follows the rows inserted, so nothing is done."""

    def moment(self, at: datetime) -> Any:
        """A time as the ORM stores it: UTC text without a zone."""
        return at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")

    _EVENT_SQL = ("INSERT INTO audit_event (at, actor, action, entity, entity_key, before, "
                  "after, batch) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")

    def append_event(self, at: datetime, actor: str, action: str, entity: str,
                     entity_key: str | None, before: str | None, after: str | None,
                     batch: str | None) -> None:
        """One audit event in this transaction (JSON already encoded)."""
        self.execute(self._EVENT_SQL, (self.moment(at), actor, action, entity, entity_key,
                                       before, after, batch))


class Store:
    """An open project. Use :meth:`read` and :meth:`write` for sessions, :meth:`snapshot`
    for plain reads. This class is a SQLite file; ``postgres.PostgresStore`` a database."""

    dialect = "sqlite"

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only  # a file on a read-only disk or without write permission
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
        return _engine_for(self.path, read_only=self.read_only)

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        """Read without SQLAlchemy: every query in the block sees the same committed state
        (one read transaction), and the connection refuses writes."""
        connection = _connect(self.path, read_only=self.read_only)
        try:
            connection.execute("PRAGMA query_only = ON")
            connection.execute("BEGIN")
            yield Snapshot(connection)
        finally:
            connection.close()

    @contextmanager
    def writer(self, *, bulk: bool = False) -> Iterator[Writer]:
        """One atomic write transaction without SQLAlchemy (see :class:`Writer`): it takes
        the write lock up front, as :meth:`write` does, and commits everything or
        nothing.

        ``bulk``: the transaction adds much more than it changes (a coding import of
        100 000 rows). When no other connection has the project open, it then runs with a
        rollback journal instead of the write-ahead log: rows appended to the file need no
        journal there, so they are written once, where the log writes them twice (into the
        log, then into the file at the checkpoint). It stays one transaction, as safe
        against a crash or power loss as any (``synchronous = FULL``: the journal is on
        disk before the file is changed; a journal left by a crash is rolled back by the
        next connection), and the project returns to the write-ahead log after it. Readers
        that open the project meanwhile wait for the commit instead of reading beside it."""
        if self.read_only:
            raise _read_only_error(self.location)
        try:
            connection = _connect(self.path)
        except sqlite3.OperationalError as exc:
            raise _store_error(self.location, exc) from None
        journal = False
        try:
            journal = bulk and _leave_wal(connection)
            if not journal:
                # A bulk write stopped by a crash before it returned to the log.
                connection.execute("PRAGMA journal_mode = WAL")
            connection.execute(f"PRAGMA synchronous = {'FULL' if journal else 'NORMAL'}")
            if bulk:
                # A bulk insert's indexes outgrow SQLite's default 2 MB page cache, which
                # more than doubles its time; this connection's cache may take 64 MB.
                connection.execute("PRAGMA cache_size = -65536")
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield Writer(connection)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:  # SQLite ends some failed ones itself
                    connection.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:
            raise _store_error(self.location, exc) from None
        finally:
            try:
                if journal:
                    _return_to_wal(connection)
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
        from sqlalchemy.exc import OperationalError
        from sqlmodel import Session

        if self.read_only:
            raise _read_only_error(self.location)
        try:
            with self.engine.connect() as raw:
                conn = raw.execution_options(**{WRITE_OPTION: True})
                with Session(bind=conn) as session:
                    try:
                        yield session
                        session.commit()
                    except BaseException:
                        session.rollback()
                        raise
        except OperationalError as exc:
            raise _store_error(self.location, exc.orig) from None
        except sqlite3.OperationalError as exc:
            raise _store_error(self.location, exc) from None

    _EVENT_SQL = ("INSERT INTO audit_event (at, actor, action, entity, entity_key, before, "
                  "after, batch) VALUES (?, ?, ?, ?, ?, NULL, ?, NULL)")

    def append_event(self, at: datetime, actor: str, action: str, entity: str,
                     entity_key: str | None, after: str | None) -> None:
        """Append one audit event in plain SQL, for commands that otherwise only read (an
        export), so they need not load the ORM for one row. Stored as the ORM stores it."""
        if self.read_only:
            raise _read_only_error(self.location)
        stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")
        connection = _connect(self.path)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(self._EVENT_SQL, (stamp, actor, action, entity, entity_key,
                                                 after))
            connection.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise _store_error(self.location, exc) from None
        finally:
            connection.close()

    def schema_version(self) -> int:
        with self.snapshot() as db:
            return int(db.rows("PRAGMA user_version")[0][0])

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _read_only_error(location: str) -> ProjectError:
    return ProjectError(f"the project {location} is read-only: nothing was changed",
                        hint="copy it to a folder you can write to, or ask its owner for "
                             "write access")


def _store_error(location: str, driver_error: BaseException) -> ProjectError:
    """A failed write as one line: the driver's own words, never the statement or its
    parameters (they would print interview quotes and memos)."""
    reason = str(driver_error).splitlines()[0] if str(driver_error) else "unknown error"
    if "readonly" in reason or "read-only" in reason:
        return _read_only_error(location)
    if "disk is full" in reason or "No space left" in reason:
        return ProjectError(f"the disk holding {location} is full: nothing was changed",
                            hint="free some space and run the command again")
    if "locked" in reason or "busy" in reason:
        return ProjectError(f"{location} is busy: another writer held it for "
                            f"{BUSY_TIMEOUT_MS // 1000} s; nothing was changed",
                            hint="run the command again in a moment")
    return ProjectError(f"the project database reported: {reason}; nothing was changed",
                        hint="run the command again; if it repeats, run `qualcode status`")


def _engine_for(path: Path, *, read_only: bool = False) -> Engine:
    from sqlmodel import create_engine

    if read_only:
        engine = create_engine("sqlite://", creator=lambda: _open_read_only(path))
    else:
        engine = create_engine(f"sqlite:///{path}",
                               connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _configure(engine)
    return engine


def _open_read_only(path: Path) -> sqlite3.Connection:
    """Open a project that cannot be written. SQLite's read-only mode still needs the WAL
    index beside the file; where it cannot make one (a read-only folder or disk) the file
    is opened as immutable, which is safe only when no write-ahead log holds data."""
    from urllib.parse import quote

    base = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        connection = sqlite3.connect(base, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise ProjectError(
                f"{path} is read-only and has changes not yet written into the file "
                f"({wal.name})", hint="open it once where it can be written, then copy "
                "it here again") from None
        connection = sqlite3.connect(base + "&immutable=1", uri=True)
    connection.isolation_level = None
    return connection


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A plain driver connection with the pragmas every connection to a project gets."""
    if read_only:
        return _open_read_only(path)
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    connection.isolation_level = None
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def _leave_wal(connection: sqlite3.Connection) -> bool:
    """Switch a project to a rollback journal for one bulk transaction, if no other
    connection has it open (it would have to wait for the busy timeout otherwise: a bulk
    write then simply runs in the log)."""
    connection.execute("PRAGMA busy_timeout = 0")
    try:
        mode = connection.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlite3.OperationalError:  # another connection has it open
        mode = "wal"
    finally:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return mode == "delete"


def _return_to_wal(connection: sqlite3.Connection) -> None:
    """Back to the write-ahead log after a bulk transaction (committed or not). A reader
    that opened the project meanwhile may hold it for a moment: the busy timeout waits
    for it; should it not let go, the next write switches the project back instead."""
    with suppress(sqlite3.OperationalError):
        connection.execute("PRAGMA journal_mode = WAL")


def _not_a_project(path: Path, why: str) -> ProjectError:
    return ProjectError(f"{path} is not a qualcode project ({why}); it was left as it was",
                        hint="check the --project path or QUALCODE_PROJECT, or create a "
                             "project with `qualcode init`")


def _inspect_file(path: Path) -> tuple[int, int, set[str]]:
    """``user_version``, ``application_id`` and table names, read without creating or
    altering the file."""
    try:
        conn = _open_read_only(path)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
            tables = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            return version, app_id, tables
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise _not_a_project(path, str(exc)) from None


def _file_version(path: Path) -> int:
    """The schema version of a qualcode file; anything else is refused untouched: an empty
    file, another program's database, a file that is no database at all."""
    if path.stat().st_size == 0:
        raise _not_a_project(path, "the file is empty")
    version, app_id, tables = _inspect_file(path)
    if app_id == APPLICATION_ID:
        return version
    if app_id == 0 and 1 <= version <= 3 and tables >= _PROJECT_TABLES:
        return version  # written before qualcode marked its files
    if not tables and version == 0:
        raise _not_a_project(path, "the database is empty")
    raise _not_a_project(path, "another program's database")


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
    current = _file_version(path) if _holds_data(path) else 0
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


def _holds_data(path: Path) -> bool:
    """Whether ``path`` is more than nothing: an empty file, or a database without a single
    table and schema (an ``init`` stopped half-way), may be made a project by ``init``."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        version, _, tables = _inspect_file(path)
    except ProjectError:
        return True
    return bool(tables) or version != 0


def _writable(path: Path) -> bool:
    """A project is written in place and beside itself (the write-ahead log)."""
    import os

    folder = path.resolve().parent
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK | os.X_OK)


def create_project(path: Path | str) -> Store:
    url = _database_url(path)
    if url:
        from qualcode.store.postgres import create_postgres_project

        return create_postgres_project(url)
    path = Path(path)
    if _holds_data(path):
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
    if not path.is_file():
        raise _not_a_project(path, "it is a folder or a device, not a file")
    current = _file_version(path)
    read_only = not _writable(path)
    if read_only and current < latest_version():
        raise ProjectError(f"{path} needs a schema upgrade (schema {current} to "
                           f"{latest_version()}) but is read-only",
                           hint="open it once where it can be written")
    # Older: migrated (where it can be written); newer: refused untouched by migrate().
    if current > latest_version() or (not read_only and current < latest_version()):
        try:
            migrate(path)
        except sqlite3.OperationalError as exc:
            raise _store_error(str(path), exc) from None
    store = Store(path, read_only=read_only)
    try:
        with store.snapshot() as db:
            db.rows("SELECT count(*) FROM transcript")
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{path} is not a usable qualcode project ({exc})") from None
    return store
