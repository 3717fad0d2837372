"""PostgreSQL projects, on a real server: every test gets a new, empty database.

The server is named by QUALCODE_TEST_POSTGRES (a URL whose role may create databases,
e.g. postgresql://qualcode:qualcode@127.0.0.1/postgres); `.ci/run` installs and starts
one and sets it. Without it these tests are skipped on a developer's machine, and fail
in CI, where a skip would hide that PostgreSQL was never tested.
"""

from __future__ import annotations

import inspect
import json
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from qualcode.domain.errors import ConflictError, ProjectError
from qualcode.services import coding_ops, overview, queries, reconcile
from qualcode.services.project import copy_project, init_project, open_project
from qualcode.store.migrations import MIGRATIONS, Migration, latest_version
from tests import (
    test_coding_cli,
    test_coding_import,
    test_log,
    test_memos,
    test_project_safety,
    test_workbench,
)
from tests.conftest import assert_same_study, build_example

psycopg = pytest.importorskip("psycopg")


def server_url() -> str:
    """The test server's URL; a skip without one (a failure in CI, which starts one)."""
    url = os.environ.get("QUALCODE_TEST_POSTGRES")
    if not url:
        message = ("QUALCODE_TEST_POSTGRES is not set: the PostgreSQL tests need a server "
                   "(see the README's Development section)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def postgres_server() -> str:
    return server_url()


@contextmanager
def _database(server: str, template: str | None = None) -> Iterator[str]:
    """A new database on ``server`` (empty, or a copy of ``template``), dropped after."""
    name = f"qualcode_test_{uuid.uuid4().hex[:12]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(postgres_server):
    """The URL of a new, empty database, dropped after the test."""
    with _database(postgres_server) as url:
        yield url


@pytest.fixture(scope="session")
def _pg_example_template(postgres_server):
    """The example study imported once; each test gets a copy (CREATE DATABASE … TEMPLATE)."""
    with _database(postgres_server) as url:
        build_example(url).close()
        yield url.rsplit("/", 1)[1]


@pytest.fixture
def pg_example(postgres_server, _pg_example_template):
    with _database(postgres_server, _pg_example_template) as url:
        store = open_project(url)
        yield store
        store.close()


def test_init_creates_a_project_that_opens_and_hides_the_password(pg_url):
    store = init_project(pg_url)
    assert store.dialect == "postgresql"
    assert store.schema_version() == latest_version()
    store.close()
    reopened = open_project(pg_url)
    status = overview.project_status(reopened)
    assert status["project"] == _redacted(pg_url)
    assert status["schema_version"] == latest_version()
    reopened.close()
    with pytest.raises(ProjectError, match="already holds a qualcode project"):
        init_project(pg_url)


def test_an_empty_database_is_no_project_and_a_dead_server_says_so(pg_url):
    with pytest.raises(ProjectError, match="holds no qualcode project.*qualcode init"):
        open_project(pg_url)
    unreachable = "postgresql://someone:secret@127.0.0.1:1/nothing"
    with pytest.raises(ProjectError, match="cannot connect") as caught:
        open_project(unreachable)
    assert "secret" not in str(caught.value)


def test_the_example_study_gives_the_same_results_as_in_a_sqlite_file(pg_example, example):
    """Import, matrices, quotes, co-occurrence, frequencies, codings and agreement: the
    same study in a database and in a file gives identical results."""
    assert_same_study(pg_example, example)


def test_a_file_project_moves_into_a_database_and_back(example, pg_url, tmp_path):
    """A study started in a file is copied into a team's database, coded there, and the
    database is archived as a file again: every step keeps every result, ids included,
    and new codings in the database get new ids after the copied ones."""
    shared, counts = copy_project(example, pg_url)
    assert counts["coding"] == 315 and counts["transcript"] == 8
    assert_same_study(shared, example, ids=True)
    added = coding_ops.add_coding(shared, "vestbo_rektor", "KOM", "dag",
                                  *_turns(shared, "vestbo_rektor", 2, 2))
    assert added.pk > max(c["id"] for c in coding_ops.list_codings(example))
    archived, _ = copy_project(shared, tmp_path / "arkiv.db")
    assert_same_study(archived, shared, ids=True)
    with pytest.raises(ProjectError, match="already holds a qualcode project"):
        copy_project(example, pg_url)
    assert_same_study(shared, archived, ids=True)  # the refused copy changed nothing
    # The audit log came along: undo in the archive takes back what was done in the
    # database.
    assert coding_ops.undo_last(archived, "dag") == f"undid add of coding #{added.pk}"
    assert coding_ops.list_codings(archived, coder="dag") == []


def test_a_removed_codings_id_stays_retired_through_copies_both_ways(example, pg_url, tmp_path):
    """The newest coding is removed in the file; neither the database copy nor the file
    copied back from it hands that id to a new coding, so undo can still restore it."""
    removed = coding_ops.add_coding(example, "vestbo_rektor", "KOM", "dag",
                                    *_turns(example, "vestbo_rektor", 2, 2)).pk
    coding_ops.remove_coding(example, removed, coder="dag")
    shared, _ = copy_project(example, pg_url)
    in_db = coding_ops.add_coding(shared, "vestbo_rektor", "LED", "eva",
                                  *_turns(shared, "vestbo_rektor", 3, 3)).pk
    assert in_db > removed
    archived, _ = copy_project(shared, tmp_path / "arkiv.db")
    in_file = coding_ops.add_coding(archived, "vestbo_rektor", "LED", "frida",
                                    *_turns(archived, "vestbo_rektor", 4, 4)).pk
    assert in_file > in_db
    assert coding_ops.undo_last(archived, "dag") == f"undid remove of coding #{removed}"


def test_a_laptops_layer_merges_into_a_database_with_its_log(pg_example, example):
    """The merge writes a layer in one statement (COPY on PostgreSQL): the codings, their
    times and one log entry each arrive as they do in a project file."""
    from qualcode.domain.times import stored_time
    from qualcode.services.log import read_log
    from qualcode.services.merge import merge_project

    span = _turns(example, "vestbo_rektor", 2, 3)
    coding_ops.add_coding(example, "vestbo_rektor", "KOM", "dag", *span)
    report = merge_project(pg_example, example, only_coders=["dag"])
    assert report.added == {"dag": 1}
    [row] = coding_ops.list_codings(pg_example, coder="dag")
    [mine] = coding_ops.list_codings(example, coder="dag")
    assert (row["start"], row["end"], row["text"]) == (mine["start"], mine["end"], mine["text"])
    sql = "SELECT created_at, updated_at FROM coding WHERE pk = ?"
    with pg_example.snapshot() as there, example.snapshot() as here:
        assert [stored_time(t) for t in there.rows(sql, (row["id"],))[0]] == \
            [stored_time(t) for t in here.rows(sql, (mine["id"],))[0]]
    [event] = read_log(pg_example, action="merge_add")
    assert event["key"] == str(row["id"]) and event["after"]["coder"] == "dag"
    assert not merge_project(pg_example, example, only_coders=["dag"]).changed


def test_a_study_copied_into_a_database_exports_the_identical_qdpx(example, pg_url, tmp_path):
    """The REFI-QDA export reads the same rows, ids and times from a database as from the
    file it was copied from: every entry of the two .qdpx files is the same, but for the
    project's name (the file's, the database's)."""
    import zipfile

    from qualcode.services.refi import write_qdpx

    shared, _ = copy_project(example, pg_url)
    entries = []
    for store, path in ((example, tmp_path / "fil.qdpx"), (shared, tmp_path / "db.qdpx")):
        write_qdpx(store, path)
        with zipfile.ZipFile(path) as archive:
            entries.append({info.filename: (info.date_time, archive.read(info))
                            for info in archive.infolist()})
    in_file, in_database = entries
    qde = in_file.pop("project.qde")[1].decode()
    assert f'name="{example.name.removesuffix(".db")}"' in qde
    assert in_database.pop("project.qde")[1].decode() == qde.replace(
        f'name="{example.name.removesuffix(".db")}"', f'name="{shared.name}"', 1)
    assert in_database == in_file and len(in_file) == 8


def test_times_and_a_recording_from_a_qdpx_land_in_a_database(store, pg_url, tmp_path,
                                                              monkeypatch):
    """Sync points become turn times in a shared database as in a project file, and the
    recording beside the .qdpx is attached where it lies (a database has no folder: its
    path is kept from the working folder, as `media attach` keeps it)."""
    from qualcode.services import ingest, media
    from qualcode.services.refi import write_qdpx
    from qualcode.services.refi_import import import_qdpx
    from tests.test_media import make_wav
    from tests.test_refi_media import TEAMS_VTT, _times

    (tmp_path / "teams_rektor.vtt").write_text(TEAMS_VTT, encoding="utf-8")
    ingest.import_transcripts(store, [tmp_path / "teams_rektor.vtt"])
    media.attach(store, "teams_rektor", make_wav(tmp_path / "teams_rektor.wav", 1.0))
    qdpx = write_qdpx(store, tmp_path / "studie.qdpx").path
    monkeypatch.chdir(tmp_path)
    shared = init_project(pg_url)
    try:
        report = import_qdpx(shared, qdpx)
        assert report.timed == ["teams_rektor"] and report.missing_recordings == []
        assert _times(shared) == _times(store)
        assert [(r["transcript"], r["recording"], r["state"])
                for r in media.recordings(shared)] == [
            ("teams_rektor", "teams_rektor.wav", "ok")]
    finally:
        shared.close()

def test_a_copy_that_fails_half_way_leaves_the_database_empty(example, pg_url, monkeypatch):
    from qualcode.store import copy as copying

    def server_gone(rows):
        raise ConnectionError("server closed the connection")

    monkeypatch.setattr(copying, "_parents_first", server_gone)
    with pytest.raises(ConnectionError):
        copy_project(example, pg_url)
    with pytest.raises(ProjectError, match="holds no qualcode project"):
        open_project(pg_url)
    init_project(pg_url).close()  # the database is as good as new


def test_coding_trim_undo_and_reconcile_in_a_database(pg_example):
    added = coding_ops.add_coding(pg_example, "nordvik_rektor", "UTB.frafall", "cecilie",
                                  *_turns(pg_example, "nordvik_rektor", 3, 7))
    before = _coding(pg_example, added.pk)
    turn5 = _turns(pg_example, "nordvik_rektor", 5, 5)
    result = coding_ops.trim_coding(pg_example, added.pk, *turn5, coder="cecilie")
    assert len(result.left) == 2
    assert coding_ops.undo_last(pg_example, "cecilie")
    assert _coding(pg_example, added.pk) == before
    assert [c["id"] for c in coding_ops.list_codings(pg_example, coder="cecilie")] == [added.pk]
    with pytest.raises(ConflictError):
        coding_ops.remove_coding(pg_example, added.pk, coder="anna")
    made = reconcile.auto(pg_example, "anna,bjorn", "union")
    assert made and coding_ops.list_codings(pg_example, coder="consensus")


def test_two_coders_saving_at_once_queue_and_extend_instead_of_duplicating(pg_example):
    """The writer lock: 8 threads apply one code to overlapping spans of one turn at the
    same moment. Each add reads the coder's codings, then extends or inserts; without
    the lock two of them could both insert. The result is one coding over the union."""
    start, end = _turns(pg_example, "vestbo_rektor", 2, 2)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def add(i: int) -> None:
        try:
            barrier.wait()
            coding_ops.add_coding(pg_example, "vestbo_rektor", "KOM", "dag",
                                  start + i, min(end, start + i + 20))
        except BaseException as exc:  # noqa: BLE001  (collected and asserted below)
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    mine = coding_ops.list_codings(pg_example, coder="dag")
    assert [(c["start"], c["end"]) for c in mine] == [(start, min(end, start + 27))]


def test_the_audit_log_is_append_only_in_a_database(pg_example):
    with pg_example.engine.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.exec_driver_sql("UPDATE audit_event SET actor = 'mallory'")
    with pg_example.engine.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.exec_driver_sql("DELETE FROM audit_event")


def test_a_snapshot_sees_one_state_and_cannot_write(pg_example):
    with pg_example.snapshot() as db:
        before = db.column("SELECT count(*) FROM coding")[0]
        coding_ops.add_coding(pg_example, "vestbo_rektor", "KOM", "dag",
                              *_turns(pg_example, "vestbo_rektor", 1, 1))
        assert db.column("SELECT count(*) FROM coding")[0] == before
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            db.rows("DELETE FROM coding")
    with pg_example.snapshot() as db:
        assert db.column("SELECT count(*) FROM coding")[0] == before + 1


def test_migrations_on_a_database(pg_url):
    """A new step runs in one transaction and raises the version; a failing step leaves
    the project as it was; a newer project is refused; a step without PostgreSQL SQL is
    reported rather than skipped."""
    from qualcode.store.postgres import migrate_postgres

    store = init_project(pg_url)
    nxt = latest_version() + 1
    migrate_postgres(store, MIGRATIONS + [Migration(
        nxt, "test step", "ALTER TABLE site ADD COLUMN note VARCHAR;",
        postgresql="ALTER TABLE site ADD COLUMN note VARCHAR;")])
    assert store.schema_version() == nxt
    broken = Migration(nxt + 1, "broken", "", postgresql="ALTER TABLE site ADD COLUMN x INT; "
                       "ALTER TABLE no_such_table ADD COLUMN y INT;")
    with pytest.raises(Exception, match="no_such_table"):
        migrate_postgres(store, MIGRATIONS + [broken])
    assert store.schema_version() == nxt
    with store.snapshot() as db:
        assert "x" not in db.column("SELECT column_name FROM information_schema.columns "
                                    "WHERE table_name = 'site'")
    with pytest.raises(ProjectError, match="no PostgreSQL form"):
        migrate_postgres(store, MIGRATIONS + [Migration(nxt + 1, "sqlite only", "SELECT 1;")])
    store.close()
    with pytest.raises(ProjectError, match="newer qualcode"):
        open_project(pg_url)  # knows only up to latest_version(): nxt is newer


def test_every_migration_after_the_postgres_baseline_has_a_postgres_form():
    from qualcode.store.postgres import BASELINE_VERSION

    assert all(m.postgresql for m in MIGRATIONS if m.version > BASELINE_VERSION)


def test_the_command_line_takes_a_database_url(pg_url, cli):
    code, out, err = cli("init", project=pg_url)
    assert code == 0, err
    assert "Created project" in out and _password(pg_url) not in out.replace("***", "")
    code, out, err = cli("status", "--format", "json", project=pg_url)
    assert code == 0, err
    assert json.loads(out)["project"] == _redacted(pg_url)
    code, out, err = cli("init", project=pg_url)
    assert code == 1 and "already holds a qualcode project" in err


def _password(url: str) -> str:
    return ":" + url.split("://", 1)[1].split("@", 1)[0].partition(":")[2] + "@"


def _redacted(url: str) -> str:
    """The URL as a user may see it: the password replaced by ***."""
    assert _password(url) != ":@", "the test server's URL should carry a password"
    return url.replace(_password(url), ":***@")


def _turns(store, transcript: str, first: int, last: int) -> tuple[int, int]:
    turns = queries.transcript_turns(store, transcript)["turns"]
    return turns[first - 1]["start"], turns[last - 1]["end"]


def _coding(store, pk: int) -> dict:
    with store.snapshot() as db:
        columns = ["pk", "coder_pk", "code_pk", "transcript_pk", "start", "end", "quote",
                   "text_sha256", "origin", "memo"]
        row = db.rows(f'SELECT {", ".join(chr(34) + c + chr(34) for c in columns)} '
                      "FROM coding WHERE pk = ?", (pk,))
    return dict(zip(columns, row[0], strict=True))


def _tests_on_the_example(*modules) -> list:
    """The tests of ``modules`` that take only the example study: run again on a database,
    they check that coding, cutting, memos, undo and the workbench behave the same there."""
    return [pytest.param(test, id=test.__name__)
            for module in modules for name, test in vars(module).items()
            if name.startswith("test_") and callable(test)
            and list(inspect.signature(test).parameters) == ["example"]]


@pytest.mark.parametrize("test", _tests_on_the_example(
    test_coding_cli, test_workbench, test_log, test_project_safety, test_memos,
    test_coding_import))
def test_coding_and_the_workbench_behave_the_same_in_a_database(pg_example, test):
    test(pg_example)


def test_a_qdpx_imported_into_a_database_is_the_same_study(example, pg_url, tmp_path,
                                                           monkeypatch):
    """The REFI-QDA import writes through the store like every import: into a shared
    database the study arrives whole, and its codebook file lands in the working folder."""
    from qualcode.services.refi import write_qdpx
    from qualcode.services.refi_import import import_qdpx

    qdpx = write_qdpx(example, tmp_path / "studie.qdpx").path
    monkeypatch.chdir(tmp_path)
    shared = init_project(pg_url)
    try:
        report = import_qdpx(shared, qdpx)
        assert report.codebook_file == tmp_path / "studie.codebook.yaml"
        assert_same_study(example, shared, codebook_file=False)
    finally:
        shared.close()


def test_a_corrected_transcript_and_changed_metadata_come_in_the_same_way_in_a_database(
        pg_example, tmp_path):
    from qualcode.services import ingest
    from tests.conftest import EXAMPLE

    source = (EXAMPLE / "nordvik_rektor.txt").read_text(encoding="utf-8")
    before = {c["id"]: c["text"] for c in coding_ops.list_codings(
        pg_example, transcript="nordvik_rektor")}
    assert before
    path = tmp_path / "nordvik_rektor.txt"
    path.write_text(source.replace("Bare sett i gang.", "Bare sett i gang, du."),
                    encoding="utf-8")
    report = ingest.import_transcripts(pg_example, [path], replace=True)
    assert report.replaced == ["nordvik_rektor"] and report.moved
    after = {c["id"]: c["text"] for c in coding_ops.list_codings(
        pg_example, transcript="nordvik_rektor")}
    assert after == before  # every coding kept its text at its new place
    path.write_text(path.read_text(encoding="utf-8").replace("runde: 1", "runde: 2"),
                    encoding="utf-8")
    report = ingest.import_transcripts(pg_example, [path])
    assert report.metadata_updated == ["nordvik_rektor"]
    shown = queries.transcript_turns(pg_example, "nordvik_rektor")
    assert shown["attributes"]["runde"] == 2
