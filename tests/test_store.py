"""The project file: schema, migrations, pragmas, the audit log, concurrent writers."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlmodel import SQLModel, create_engine, select

import qualcode.store.models  # noqa: F401  (registers the tables)
from qualcode.domain.errors import ProjectError
from qualcode.services.project import init_project, open_project
from qualcode.store import engine as store_engine
from qualcode.store.migrations import MIGRATIONS, Migration, latest_version
from qualcode.store.models import AuditEvent, Site


def _schema(url: str) -> dict:
    eng = create_engine(url)
    insp = inspect(eng)
    schema = {}
    for table in sorted(insp.get_table_names()):
        schema[table] = {
            "columns": sorted((c["name"], str(c["type"]), c["nullable"])
                              for c in insp.get_columns(table)),
            "pk": insp.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted((tuple(f["constrained_columns"]), f["referred_table"],
                           tuple(f["referred_columns"]), f["options"].get("ondelete"))
                          for f in insp.get_foreign_keys(table)),
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                              for i in insp.get_indexes(table)),
            "unique": sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(table)),
            "checks": sorted(c["sqltext"] for c in insp.get_check_constraints(table)),
        }
    eng.dispose()
    return schema


def test_migrated_schema_equals_the_models(tmp_path):
    """The frozen migrations build exactly the schema the SQLModel tables describe."""
    migrated = tmp_path / "migrated.db"
    store_engine.migrate(migrated)
    fresh = tmp_path / "fresh.db"
    eng = create_engine(f"sqlite:///{fresh}")
    SQLModel.metadata.create_all(eng)
    eng.dispose()
    assert _schema(f"sqlite:///{migrated}") == _schema(f"sqlite:///{fresh}")


def test_new_project_has_latest_version_wal_and_foreign_keys(store):
    assert store.schema_version() == latest_version() == MIGRATIONS[-1].version
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() > 0


def test_project_from_newer_qualcode_is_refused_untouched(tmp_path):
    path = tmp_path / "future.db"
    init_project(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 1}")
    conn.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(ProjectError, match="newer qualcode"):
        open_project(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob("future.db.backup-*"))


def test_migration_backs_up_the_file_first_and_keeps_data(tmp_path):
    """An older project is copied before a new migration step runs, and its data survive."""
    path = tmp_path / "old.db"
    store = init_project(path)
    with store.write() as session:
        session.add(Site(site_id="nordvik_u", name="Nordvik ungdomsskole"))
    store.close()
    step = Migration(latest_version() + 1, "test step: add a column",
                     "ALTER TABLE site ADD COLUMN note VARCHAR;")
    backup = store_engine.migrate(path, MIGRATIONS + [step])
    assert backup is not None and backup.exists()
    assert backup.name.startswith(f"old.db.backup-v{latest_version()}-")
    old = sqlite3.connect(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    assert old.execute("SELECT name FROM site").fetchall() == [("Nordvik ungdomsskole",)]
    old.close()
    new = sqlite3.connect(path)
    assert new.execute("PRAGMA user_version").fetchone()[0] == step.version
    assert new.execute("SELECT name, note FROM site").fetchall() == [
        ("Nordvik ungdomsskole", None)]
    new.close()


def test_failed_migration_step_rolls_back(tmp_path):
    path = tmp_path / "p.db"
    init_project(path).close()
    bad = Migration(latest_version() + 1, "broken", "ALTER TABLE site ADD COLUMN x INT;\n"
                    "ALTER TABLE no_such_table ADD COLUMN y INT;")
    with pytest.raises(sqlite3.OperationalError):
        store_engine.migrate(path, MIGRATIONS + [bad])
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    assert "x" not in [r[1] for r in conn.execute("PRAGMA table_info(site)")]
    conn.close()


def test_not_a_project_file(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("just some text, not SQLite\n" * 100)
    with pytest.raises(ProjectError, match="not a qualcode project"):
        open_project(path)


def test_missing_project_is_not_created(tmp_path):
    with pytest.raises(ProjectError, match="qualcode init"):
        open_project(tmp_path / "nope.db")
    assert not (tmp_path / "nope.db").exists()


def test_audit_log_is_append_only(store):
    with store.read() as session:
        assert session.exec(select(AuditEvent)).first() is not None  # init was recorded
    with store.engine.connect() as conn:
        with pytest.raises(Exception, match="append-only"):
            conn.exec_driver_sql("UPDATE audit_event SET actor = 'mallory'")
        with pytest.raises(Exception, match="append-only"):
            conn.exec_driver_sql("DELETE FROM audit_event")


def test_write_transaction_is_atomic(store):
    with pytest.raises(RuntimeError), store.write() as session:
        session.add(Site(site_id="a"))
        session.flush()
        raise RuntimeError("boom")
    with store.read() as session:
        assert session.exec(select(Site)).all() == []


def test_two_writers_at_once_both_succeed(tmp_path):
    """Two coders on one machine save at the same time: every write lands."""
    path = tmp_path / "shared.db"
    init_project(path).close()
    errors: list[BaseException] = []

    def coder(name: str) -> None:
        store = open_project(path)  # each coder has their own connection pool
        try:
            for i in range(40):
                with store.write() as session:
                    session.add(Site(site_id=f"{name}-{i}"))
                    session.add(AuditEvent(at=datetime.now(timezone.utc), actor=name,
                                           action="test", entity="site"))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=coder, args=(n,)) for n in ("anna", "bjorn")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM site").fetchone()[0] == 80
    conn.close()


def test_backup_is_a_consistent_copy(store, tmp_path):
    with store.write() as session:
        session.add(Site(site_id="vestbo_vgs"))
    copy = store_engine.backup_file(Path(store.path), 1)
    conn = sqlite3.connect(copy)
    assert conn.execute("SELECT site_id FROM site").fetchall() == [("vestbo_vgs",)]
    conn.close()


def test_a_version_1_project_is_backed_up_and_migrated_on_open(tmp_path):
    """Opening a project made by an older qualcode migrates it, after a backup copy."""
    path = tmp_path / "v1.db"
    store_engine.migrate(path, MIGRATIONS[:1])
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO site (site_id, name) VALUES ('nordvik_u', 'Nordvik')")
    conn.commit()
    conn.close()
    store = open_project(path)
    assert store.schema_version() == latest_version()
    with store.read() as session:
        assert session.exec(select(Site.name)).all() == ["Nordvik"]
    store.close()
    backups = list(tmp_path.glob("v1.db.backup-v1-*"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    old.close()


def test_snapshot_is_consistent_and_read_only(store):
    """Queries inside one snapshot see one committed state, even while a coder writes, and
    a snapshot cannot change the project."""
    with store.write() as session:
        session.add(Site(site_id="nordvik"))
    with store.snapshot() as db:
        assert db.column("SELECT site_id FROM site") == ["nordvik"]
        with store.write() as session:  # another writer commits meanwhile (WAL)
            session.add(Site(site_id="vestbo"))
        assert db.column("SELECT site_id FROM site") == ["nordvik"]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            db.rows("INSERT INTO site (site_id) VALUES ('sørdal')")
    with store.snapshot() as db:
        assert sorted(db.column("SELECT site_id FROM site")) == ["nordvik", "vestbo"]


def test_copy_a_project_into_a_new_file(example, tmp_path):
    """The whole project, ids included, lands in a new file that gives the same results;
    an existing file is never overwritten."""
    from qualcode.services.project import copy_project
    from tests.conftest import assert_same_study

    copied, counts = copy_project(example, tmp_path / "kopi.db")
    assert counts["coding"] == 315 and counts["audit_event"] > 0
    assert_same_study(copied, example, ids=True)
    with copied.snapshot() as db:
        assert db.column("PRAGMA journal_mode") == ["wal"]
    copied.close()  # the last connection folds the WAL into the file
    before = hashlib.sha256((tmp_path / "kopi.db").read_bytes()).hexdigest()
    with pytest.raises(ProjectError, match="already exists"):
        copy_project(example, tmp_path / "kopi.db")
    assert hashlib.sha256((tmp_path / "kopi.db").read_bytes()).hexdigest() == before


def test_a_copy_that_fails_half_way_leaves_no_file(example, tmp_path, monkeypatch):
    from qualcode.services.project import copy_project
    from qualcode.store import copy as copying

    def disk_full(rows):
        raise OSError("disk full")

    monkeypatch.setattr(copying, "_parents_first", disk_full)  # fails after 8 tables
    with pytest.raises(OSError, match="disk full"):
        copy_project(example, tmp_path / "halv.db")
    assert not list(tmp_path.glob("halv.db*"))


def test_a_version_6_project_gets_the_covering_index_of_the_spans(tmp_path):
    """The counts read every coding's code, transcript, coder, origin and span; after the
    migration SQLite reads them from the index, not from the rows with their quotes."""
    path = tmp_path / "v6.db"
    store_engine.migrate(path, MIGRATIONS[:6])
    store = open_project(path)
    assert store.schema_version() == latest_version()
    store.close()
    conn = sqlite3.connect(path)
    plan = " ".join(row[-1] for row in conn.execute(
        'EXPLAIN QUERY PLAN SELECT transcript_pk, code_pk, start, "end", coder_pk, origin '
        "FROM coding WHERE origin != 'suggested'"))
    indexes = {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'coding'")}
    conn.close()
    assert "COVERING INDEX ix_coding_code_spans" in plan
    assert "ix_coding_code_pk" not in indexes  # the new index opens with the code


def _journal_mode(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        db.close()


def test_a_bulk_write_runs_with_a_rollback_journal_and_leaves_the_log_in_place(tmp_path):
    """Alone with the project, a bulk write is one transaction on a rollback journal (rows
    written once, not into the log and again into the file); committed or rolled back, the
    project is in write-ahead mode afterwards. Rows go in several to a statement, each
    whole and in order."""
    init_project(tmp_path / "p.db").close()
    store = store_engine.Store(tmp_path / "p.db")
    with store.writer(bulk=True) as db:
        assert db.column("PRAGMA journal_mode") == ["delete"]
        db.insert_rows("site", ("site_id", "name"),
                       [(f"skole_{i}", f"Skole {i} på Ørland") for i in range(123)])
    assert _journal_mode(tmp_path / "p.db") == "wal"
    with pytest.raises(RuntimeError), store.writer(bulk=True) as db:
        db.insert_rows("site", ("site_id",), [("skole_ny",)])
        raise RuntimeError("stopped half-way")
    assert _journal_mode(tmp_path / "p.db") == "wal"
    with store.snapshot() as db:
        assert db.column("SELECT count(*) FROM site") == [123]
        assert db.column("SELECT name FROM site WHERE site_id = 'skole_7'") == [
            "Skole 7 på Ørland"]
        assert db.column("SELECT pk FROM site ORDER BY pk") == list(range(1, 124))


def test_a_bulk_write_beside_an_open_connection_stays_in_the_log(tmp_path):
    """Another program with the project open keeps its write-ahead log: the bulk write does
    not wait for it to let go, and its reader keeps reading beside the write."""
    init_project(tmp_path / "p.db").close()
    store = store_engine.Store(tmp_path / "p.db")
    other = sqlite3.connect(tmp_path / "p.db", isolation_level=None)
    try:
        other.execute("SELECT count(*) FROM site").fetchone()
        with store.writer(bulk=True) as db:
            assert db.column("PRAGMA journal_mode") == ["wal"]
            db.insert_rows("site", ("site_id",), [("skole_1",), ("skole_2",)])
            assert other.execute("SELECT count(*) FROM site").fetchone() == (0,)
        assert other.execute("SELECT count(*) FROM site").fetchone() == (2,)
    finally:
        other.close()
    assert _journal_mode(tmp_path / "p.db") == "wal"
