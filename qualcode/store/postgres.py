"""PostgreSQL projects: one database that a research team shares.

A project is named by a URL (``postgresql://user:password@host/database``) wherever a
project file can be named (``--project``, ``QUALCODE_PROJECT``). The tables are the
SQLModel tables of :mod:`qualcode.store.models`, exactly as in a SQLite file; what
differs is kept here:

* **Schema version.** PostgreSQL has no ``PRAGMA user_version``: the number lives in
  ``project_meta`` under ``schema_version``. A new project is created at the latest
  version straight from the table definitions; later migrations carry their own
  PostgreSQL statements (``Migration.postgresql``) and run in one transaction.
* **Writers queue.** Every write transaction first takes one transaction-level advisory
  lock, as ``BEGIN IMMEDIATE`` does for SQLite: two coders saving at once wait for each
  other for a moment instead of interleaving read-then-write steps (extending a coding).
* **Snapshots** are REPEATABLE READ, READ ONLY transactions on psycopg, so read-only
  commands skip SQLAlchemy here too.
* **The audit log** is append-only through a trigger, as in SQLite.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from qualcode.domain.errors import ProjectError
from qualcode.store.engine import WRITE_OPTION, Snapshot, Store, Writer, _store_error
from qualcode.store.migrations import MIGRATIONS, Migration, latest_version

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

URL_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg://")
SCHEMA_KEY = "schema_version"
# PostgreSQL support arrived with schema 3: a PostgreSQL project starts there.
BASELINE_VERSION = 3
# Any constant will do; it names "the qualcode writer lock" among a database's locks.
_WRITE_LOCK = 7_303_617_636_865_460_000

_AUDIT_APPEND_ONLY = """
CREATE FUNCTION qualcode_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION qualcode_audit_append_only();
"""


def is_postgres_url(target: object) -> bool:
    return isinstance(target, str) and target.startswith(URL_PREFIXES)


# Connection parameters that hold a secret, in a URL's query or a ``key=value`` string.
_SECRET_KEYS = ("password", "sslpassword")
_SECRET_SETTING = re.compile(
    r"\b(" + "|".join(_SECRET_KEYS) + r")(\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*)",
    re.IGNORECASE)
_URL_IN_TEXT = re.compile(r"\b(?:postgresql|postgres)(?:\+\w+)?://[^\s\"'<>]*",
                          re.IGNORECASE)


def redact(url: str) -> str:
    """The URL without its credentials, for messages, ``status`` and exports: the password
    of the user part (``user:secret@``, ``:secret@``, a password holding ``@`` or ``/``)
    and a ``password=`` query parameter become ``***``; a ``key=value`` connection string
    (``host=… password=…``) is masked the same way."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return _SECRET_SETTING.sub(r"\1\2***", url)
    # libpq ends the user part at the last @ before the query: a password may hold @ or /
    # unencoded, so the host is what follows the last @, wherever the first / is.
    before_query, question, query = rest.partition("?")
    userinfo, at, hostpart = before_query.rpartition("@")
    if at:
        user, colon, _password = userinfo.partition(":")
        before_query = f"{user}:***@{hostpart}" if colon else f"{user}@{hostpart}"
    if question:
        query = "&".join(_masked_parameter(p) for p in query.split("&"))
    return f"{scheme}://{before_query}{question}{query}"


def _masked_parameter(parameter: str) -> str:
    from urllib.parse import unquote

    key, eq, _value = parameter.partition("=")
    return f"{key}=***" if eq and unquote(key).strip().lower() in _SECRET_KEYS else parameter


def redact_text(text: str) -> str:
    """``text`` (an error message) with every PostgreSQL URL and ``password=`` in it
    masked as :func:`redact` masks a URL."""
    text = _URL_IN_TEXT.sub(lambda m: redact(m.group(0)), text)
    return _SECRET_SETTING.sub(r"\1\2***", text)


def database_name(url: str) -> str:
    """The database a URL names (its path), without the query or the user part."""
    from urllib.parse import unquote

    before_query = url.partition("://")[2].partition("?")[0]
    path = before_query.rpartition("@")[2].partition("/")[2]
    return unquote(path)


def _libpq_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


class _FormatSnapshot(Snapshot):
    """psycopg takes %s placeholders; the services write SQLite's ?."""

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return super().rows(_placeholders(sql), params)

    def column(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return super().column(_placeholders(sql), params)

    def each(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple]:
        return super().each(_placeholders(sql), params)


def _placeholders(sql: str) -> str:
    # The services' SQL has no literal '?' or '%'; escape % all the same.
    return sql.replace("%", "%%").replace("?", "%s")


class PostgresWriter(Writer):
    """A plain write transaction on psycopg: %s placeholders, COPY for many rows."""

    dialect = "postgresql"

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return super().rows(_placeholders(sql), params)

    def column(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return super().column(_placeholders(sql), params)

    def each(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple]:
        return super().each(_placeholders(sql), params)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return super().execute(_placeholders(sql), params)

    def insert(self, table: str, values: dict[str, Any]) -> int:
        names = ", ".join(f'"{c}"' for c in values)
        marks = ", ".join(["%s"] * len(values))
        return self._connection.execute(
            f"INSERT INTO {table} ({names}) VALUES ({marks}) RETURNING pk",
            tuple(values.values())).fetchone()[0]

    def insert_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
                    ) -> None:
        # COPY streams the rows in one statement; row-by-row INSERTs cost a round of
        # parameter handling each (15 s against 7 s for the turns of 1 000 transcripts).
        names = ", ".join(f'"{c}"' for c in columns)
        with self._connection.cursor() as cursor, \
                cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    @contextmanager
    def indexes_deferred(self, table: str, *, adding: int) -> Iterator[bool]:
        yield False  # COPY keeps PostgreSQL's indexes up to date at about the cost of a rebuild

    def reserve_ids(self, table: str, n: int) -> int:
        # Under the writer lock; a sequence never hands an id out twice, even after a
        # rollback.
        sequence = f"pg_get_serial_sequence('{table}', 'pk')"
        first = self._connection.execute(f"SELECT nextval({sequence})").fetchone()[0]
        if n > 1:
            self._connection.execute(f"SELECT setval({sequence}, %s)", (first + n - 1,))
        return int(first)

    def release_ids(self, table: str, next_id: int) -> None:
        # Still under the writer lock: nobody took an id since the reservation.
        sequence = f"pg_get_serial_sequence('{table}', 'pk')"
        self._connection.execute(f"SELECT setval({sequence}, %s, false)", (next_id,))

    def moment(self, at: datetime) -> Any:
        # The column has no zone and means UTC (as the ORM writes it on a UTC server).
        return at.astimezone(timezone.utc).replace(tzinfo=None)


class PostgresStore(Store):
    """A project in a PostgreSQL database (see the module docstring)."""

    dialect = "postgresql"
    _snapshot_class = _FormatSnapshot

    def __init__(self, url: str) -> None:
        super().__init__(None)
        self.url = url

    @property
    def location(self) -> str:
        return redact(self.url)

    @property
    def name(self) -> str:
        return database_name(self.url)

    def _create_engine(self) -> Engine:
        from sqlalchemy import event
        from sqlmodel import create_engine

        engine = create_engine("postgresql+psycopg://" + self.url.split("://", 1)[1],
                               pool_pre_ping=True)

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            if conn.get_execution_options().get(WRITE_OPTION):
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_WRITE_LOCK})")

        return engine

    @contextmanager
    def snapshot(self) -> Iterator[Snapshot]:
        connection = _connect(self.url)  # first: it explains a missing driver
        import psycopg

        try:
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            yield self._snapshot_class(connection)
        finally:
            connection.close()

    @contextmanager
    def writer(self, *, bulk: bool = False) -> Iterator[Writer]:
        import psycopg

        connection = _connect(self.url)
        try:
            with connection.transaction():
                connection.execute(f"SELECT pg_advisory_xact_lock({_WRITE_LOCK})")
                yield PostgresWriter(connection)
        except psycopg.OperationalError as exc:
            raise _store_error(self.location, exc) from None
        finally:
            connection.close()

    def append_event(self, at, actor: str, action: str, entity: str,
                     entity_key: str | None, after: str | None) -> None:
        connection = _connect(self.url)
        try:
            with connection.transaction():
                connection.execute(f"SELECT pg_advisory_xact_lock({_WRITE_LOCK})")
                connection.execute(_placeholders(self._EVENT_SQL),
                                   (at, actor, action, entity, entity_key, after))
        finally:
            connection.close()

    def schema_version(self) -> int:
        with self.snapshot() as db:
            return _version(db)


def _connect(url: str):
    try:
        import psycopg
    except ModuleNotFoundError:
        raise ProjectError("PostgreSQL projects need the psycopg driver",
                           hint="pip install 'qualcode[postgres]'") from None
    try:
        return psycopg.connect(_libpq_url(url))
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ProjectError(f"cannot connect to {redact(url)}: {first}",
                           hint="check the URL, the server and your password") from None


def _version(db: Snapshot) -> int:
    found = db.column("SELECT to_regclass('project_meta') IS NOT NULL")
    if not found[0]:
        return 0
    value = db.column("SELECT value FROM project_meta WHERE key = ?", (SCHEMA_KEY,))
    return int(value[0]) if value else 0


def create_postgres_project(url: str) -> PostgresStore:
    """Create the tables in an empty database. Refuses a database that holds a project."""
    from sqlmodel import SQLModel

    import qualcode.store.models  # noqa: F401  (registers the tables)

    store = PostgresStore(url)
    if store.schema_version() > 0:
        raise ProjectError(f"{redact(url)} already holds a qualcode project",
                           hint="use it, or give another database")
    with store.engine.begin() as conn:
        SQLModel.metadata.create_all(conn)
        conn.exec_driver_sql(_AUDIT_APPEND_ONLY)
        conn.exec_driver_sql("INSERT INTO project_meta (key, value) VALUES (%s, %s)",
                             (SCHEMA_KEY, str(BASELINE_VERSION)))
    migrate_postgres(store)
    return store


def drop_project(store: PostgresStore) -> None:
    """Remove qualcode's tables from the database again (a copy that failed half-way)."""
    from sqlmodel import SQLModel

    import qualcode.store.models  # noqa: F401  (registers the tables)

    with store.engine.begin() as conn:
        SQLModel.metadata.drop_all(conn)
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS qualcode_audit_append_only()")
    store.close()


def migrate_postgres(store: PostgresStore, migrations: list[Migration] | None = None) -> None:
    """Apply the steps after the project's version, all in one transaction."""
    migrations = migrations or MIGRATIONS
    latest = latest_version(migrations)
    current = store.schema_version()
    if current > latest:
        raise ProjectError(
            f"{store.location} was written by a newer qualcode (schema {current}; this "
            f"qualcode knows up to {latest})", hint="upgrade qualcode: pip install -U qualcode")
    steps = [m for m in migrations if m.version > current]
    if not steps:
        return
    missing = [m.version for m in steps if m.postgresql is None]
    if missing:
        raise ProjectError(f"schema step {missing[0]} has no PostgreSQL form",
                           hint="this is a bug in qualcode: please report it")
    with store.engine.begin() as conn:
        for step in steps:
            conn.exec_driver_sql(step.postgresql)
            conn.exec_driver_sql("UPDATE project_meta SET value = %s WHERE key = %s",
                                 (str(step.version), SCHEMA_KEY))


def open_postgres_store(url: str) -> PostgresStore:
    store = PostgresStore(url)
    if store.schema_version() == 0:
        raise ProjectError(f"{redact(url)} holds no qualcode project",
                           hint="create one there with `qualcode init`")
    migrate_postgres(store)
    return store
