"""What the store promises when things go wrong around it: a removed coding's id is never
handed out again, so undo always restores or explains; only `init` makes a project, and
any other file is refused untouched; a read-only project can be read; a full disk is one
line that prints no interview text."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from qualcode.domain.errors import ConflictError, ProjectError
from qualcode.services import codebooks, ingest
from qualcode.services.code_maintenance import merge_codes
from qualcode.services.coding_ops import add_coding, list_codings, remove_coding, undo_last
from qualcode.services.project import init_project, open_project
from qualcode.store import engine as store_engine
from qualcode.store.migrations import MIGRATIONS
from qualcode.store.models import AuditEvent, Code, Coding, Segment
from tests.conftest import CODEBOOK, EXAMPLE


def _turns(store, transcript: str, first: int, last: int) -> tuple[int, int]:
    from qualcode.services.coding_ops import turn_span
    from qualcode.services.common import get_transcript

    with store.read() as session:
        return turn_span(session, get_transcript(session, transcript), first, last)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rows(store) -> dict[str, int]:
    with store.snapshot() as db:
        return {t: db.rows(f"SELECT count(*) FROM {t}")[0][0]
                for t in ("coding", "audit_event", "segment", "transcript", "code")}


# --- ids are never reused, undo never blocks ---------------------------------------------

def test_a_removed_codings_id_is_never_given_to_another_coders_new_coding(example):
    """anna removes her newest coding; bjorn's next coding must not take its id, or anna's
    undo could never bring hers back (the audit log would name two codings by one id)."""
    start, end = _turns(example, "nordvik_rektor", 4, 4)
    mine = add_coding(example, "nordvik_rektor", "UTB.frafall", "anna", start, end).pk
    remove_coding(example, mine, coder="anna")
    other = _turns(example, "nordvik_rektor", 6, 6)
    theirs = add_coding(example, "nordvik_rektor", "LED", "bjorn", *other).pk
    assert theirs > mine
    assert undo_last(example, "anna") == f"undid remove of coding #{mine}"
    assert [r["id"] for r in list_codings(example, coder="anna")
            if r["code"] == "UTB.frafall" and r["start"] == start] == [mine]
    with example.read() as session:
        adds = session.exec(select(AuditEvent.entity_key).where(
            AuditEvent.entity == "coding", AuditEvent.action == "add")).all()
    assert len(adds) == len(set(adds)), "the audit log names two added codings by one id"


def test_undo_after_the_code_was_merged_restores_onto_the_code_it_went_into(example, tmp_path):
    own = tmp_path / "kodebok.yaml"  # a merge edits the codebook file: use a copy
    shutil.copy(CODEBOOK, own)
    codebooks.load_into_project(example, own)
    start, end = _turns(example, "nordvik_rektor", 4, 4)
    pk = add_coding(example, "nordvik_rektor", "UTB.frafall", "anna", start, end).pk
    remove_coding(example, pk, coder="anna")
    merge_codes(example, ["UTB.frafall"], "UTB")
    done = undo_last(example, "anna")
    assert done.startswith(f"undid remove of coding #{pk}")
    assert "merged into UTB" in done
    restored = [r for r in list_codings(example, coder="anna") if r["id"] == pk]
    assert [(r["code"], r["start"], r["end"]) for r in restored] == [("UTB", start, end)]


def test_an_undo_that_cannot_be_done_explains_and_can_be_passed_over(example, tmp_path):
    """The code of a removed coding left the codebook (not merged): undo says why and
    changes nothing; --skip passes over it, so the coder's earlier actions stay undoable."""
    first = add_coding(example, "nordvik_rektor", "LED", "anna",
                       *_turns(example, "nordvik_rektor", 2, 2)).pk
    gone = add_coding(example, "nordvik_rektor", "UTB.frafall", "anna",
                      *_turns(example, "nordvik_rektor", 4, 4)).pk
    remove_coding(example, gone, coder="anna")
    with example.write() as session:  # the code leaves the codebook once nothing uses it
        code = session.exec(select(Code).where(Code.code_id == "UTB.frafall")).one()
        for other in session.exec(select(Coding).where(Coding.code_pk == code.pk)):
            session.delete(other)
        session.flush()
        session.delete(code)
    before = _rows(example)
    for _ in range(2):  # the same explanation every time, and nothing written
        with pytest.raises(ConflictError, match=f"coding #{gone} cannot be restored.*"
                                                "removed from the codebook"):
            undo_last(example, "anna")
        assert _rows(example) == before
    assert undo_last(example, "anna", skip=True).startswith(
        f"passed over remove of coding #{gone}")
    assert undo_last(example, "anna").startswith(f"undid add of coding #{gone}")
    assert undo_last(example, "anna") == f"undid add of coding #{first}"
    assert undo_last(example, "anna") is None


def test_undo_gives_a_new_id_when_an_older_project_handed_the_old_one_out_again(example):
    """Projects from before ids were retired may already hold another coding under a
    removed coding's id: the coding comes back under a new id, and undo says so."""
    span = _turns(example, "nordvik_rektor", 4, 4)
    pk = add_coding(example, "nordvik_rektor", "UTB.frafall", "anna", *span).pk
    remove_coding(example, pk, coder="anna")
    with example.write() as session:  # what a schema-3 file did: the id given out again
        row = session.exec(select(Coding).where(Coding.code_pk != 0)).first()
        values = {c: getattr(row, c) for c in Coding.model_fields if c != "pk"}
        session.add(Coding(pk=pk, **values))
    done = undo_last(example, "anna")
    assert f"its id #{pk} now belongs to another coding" in done
    new_pk = int(done.rsplit("#", 1)[1])
    assert [(r["start"], r["end"]) for r in list_codings(example, coder="anna")
            if r["id"] == new_pk] == [span]


def test_the_migration_retires_every_id_the_audit_log_names(tmp_path):
    """A schema-3 file whose newest coding was removed (id 7 named only in the audit log):
    after the migration, the next coding gets id 8, not 7."""
    path = tmp_path / "old.db"
    store_engine.migrate(path, MIGRATIONS[:3])
    conn = sqlite3.connect(path)
    conn.executescript("""
        INSERT INTO audit_event (at, actor, action, entity, entity_key, batch)
        VALUES ('2025-01-01', 'anna', 'remove', 'coding', '7', 'b1');
    """)
    conn.commit()
    conn.close()
    store = open_project(path)
    assert store.schema_version() == MIGRATIONS[-1].version
    codebooks.load_into_project(store, CODEBOOK)
    ingest.import_attributes(store, [EXAMPLE / "attributes.yaml"])
    ingest.import_transcripts(store, [EXAMPLE / "nordvik_rektor.txt"])
    assert add_coding(store, "nordvik_rektor", "LED", "anna",
                      *_turns(store, "nordvik_rektor", 2, 2)).pk == 8
    store.close()


# --- only init makes a project --------------------------------------------------------

def _foreign(path: Path, sql: str) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("make, why", [
    (lambda p: _foreign(p, "CREATE TABLE orders (id INTEGER PRIMARY KEY, sum REAL);"),
     "another program's database"),
    (lambda p: _foreign(p, "CREATE TABLE transcript (x); PRAGMA user_version = 2;"),
     "another program's database"),  # a clashing table name and a schema number
    (lambda p: p.write_bytes(b""), "the file is empty"),
    (lambda p: p.write_text("Rektor: hei\n", encoding="utf-8"), "file is not a database"),
])
def test_a_file_that_is_not_a_qualcode_project_is_refused_untouched(cli, tmp_path, make, why):
    path = tmp_path / "other.sqlite"
    make(path)
    digest, mode = _sha(path), path.stat().st_mode
    for command in (("status",), ("transcripts",), ("import", str(EXAMPLE)),
                    ("coding", "undo", "-c", "anna")):
        code, out, err = cli(*command, project=path)
        assert code == 1 and err.count("\n") == 1, err
        assert "not a qualcode project" in err and why in err
    assert _sha(path) == digest and path.stat().st_mode == mode
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("other")) == [
        "other.sqlite"], "no write-ahead log or backup was made beside it"


def test_init_turns_an_empty_file_into_a_project_and_nothing_else(cli, tmp_path):
    empty = tmp_path / "ny.db"
    empty.write_bytes(b"")
    assert cli("init", project=empty)[0] == 0
    assert cli("status", project=empty)[0] == 0
    other = _foreign(tmp_path / "other.db", "CREATE TABLE orders (id INTEGER);")
    code, _, err = cli("init", project=other)
    assert code == 1 and "already exists" in err


# --- read-only projects and full disks (a small file system of their own) ------------------

def _mount_tmpfs(path: Path, size: str) -> None:
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("needs permission to mount a small tmpfs (CI runs as root)")


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, "16m")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_read_only_project_can_be_read_and_refuses_writes_in_one_line(
        example, small_disk, cli):
    project = small_disk / "studie [final].db"  # brackets: shown as written, not as markup
    example.close()
    shutil.copy(example.path, project)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    digest = _sha(project)
    code, out, err = cli("status", project=project)
    assert code == 0 and "Transcripts    8" in out, err
    code, out, _ = cli("quotes", "LED", "-f", "json", project=project)
    assert code == 0 and json.loads(out)
    code, _, err = cli("coding", "add", "nordvik_rektor", "-t", "2", "-k", "LED", "-c", "anna",
                       project=project)
    assert code == 1 and err.count("\n") == 1
    assert "is read-only: nothing was changed" in err and "[final]" in err
    assert _sha(project) == digest


def test_a_full_disk_is_one_line_without_the_quotes_and_changes_nothing(small_disk, cli):
    project = small_disk / "p.db"
    store = init_project(project)
    codebooks.load_into_project(store, CODEBOOK)
    ingest.import_attributes(store, [EXAMPLE / "attributes.yaml"])
    ingest.import_transcripts(store, [EXAMPLE / "nordvik_rektor.txt"])
    store.close()
    # Fill the disk, leaving too little for a large memo to be saved.
    filler = small_disk / "filler"
    with filler.open("wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    memo = "Et hemmelig sitat fra rektor. " * 20_000
    code, _, err = cli("coding", "add", "nordvik_rektor", "-t", "2", "-k", "LED", "-c", "anna",
                       "--memo", memo, project=project)
    assert code == 1 and err.count("\n") == 1, err[:500]
    assert "full" in err and "hemmelig" not in err and "INSERT" not in err
    filler.unlink()
    store = open_project(project)
    assert list_codings(store) == []
    with store.snapshot() as db:
        assert db.rows("PRAGMA integrity_check") == [("ok",)]
    store.close()


# --- a refused command writes nothing, not even a cache ------------------------------------

def test_a_refused_sentence_coding_leaves_the_sentence_cache_unwritten(cli, tmp_path, example):
    example.close()
    before = _rows(open_project(example.path))
    code, _, err = cli("coding", "add", "nordvik_rektor", "--sentences", "4:1-99", "-k", "LED",
                       "-c", "anna", project=example.path)
    assert code == 1 and "sentences 1-" in err
    code, _, err = cli("coding", "add", "nordvik_rektor", "--sentences", "4:1-1", "-k",
                       "LED.nope", "-c", "anna", project=example.path)
    assert code == 1 and "no code 'LED.nope'" in err
    store = open_project(example.path)
    assert _rows(store) == before
    with store.read() as session:
        assert session.exec(select(Segment)).first() is None
    store.close()


def test_the_project_file_is_never_created_by_a_read(tmp_path):
    """`status` on a path with no file says so, and leaves no file behind."""
    missing = tmp_path / "nope.db"
    done = subprocess.run([sys.executable, "-m", "qualcode", "-p", str(missing), "status"],
                          capture_output=True, text=True)
    assert done.returncode == 1 and "no project at" in done.stderr
    assert not missing.exists()
    with pytest.raises(ProjectError):
        open_project(missing)


# --- kill -9 at any moment: all or nothing ------------------------------------------------

def _killed_at_random(args: list[str], env: dict, seconds: float) -> None:
    import contextlib
    import os
    import signal
    import time

    process = subprocess.Popen([sys.executable, "-m", "qualcode", *args], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    time.sleep(seconds)
    with contextlib.suppress(ProcessLookupError):  # it may have finished already
        os.killpg(process.pid, signal.SIGKILL)  # the import and its parsing workers
    process.wait(timeout=30)


@pytest.mark.parametrize("moment", [0.4, 0.9, 1.6, 2.5])
def test_an_import_killed_at_any_moment_leaves_all_or_nothing(tmp_path, moment):
    """A batch of 40 transcripts imported by a process killed with SIGKILL part-way: the
    project holds either none of the batch or all of it, its audit log agrees, and the
    file passes SQLite's integrity check."""
    import os

    batch = tmp_path / "batch"
    batch.mkdir()
    texts = sorted(EXAMPLE.glob("*.txt"))
    for i in range(40):
        source = texts[i % len(texts)]
        (batch / f"{source.stem}_{i:02d}.txt").write_text(
            source.read_text(encoding="utf-8"), encoding="utf-8")
    project = tmp_path / "p.db"
    store = init_project(project)
    codebooks.load_into_project(store, CODEBOOK)
    ingest.import_attributes(store, [EXAMPLE / "attributes.yaml"])
    store.close()
    env = {**os.environ, "QUALCODE_PROJECT": str(project)}
    _killed_at_random(["import", str(batch)], env, moment)
    store = open_project(project)
    with store.snapshot() as db:
        assert db.rows("PRAGMA integrity_check") == [("ok",)]
        transcripts = db.rows("SELECT count(*) FROM transcript")[0][0]
        logged = db.rows("SELECT count(*) FROM audit_event WHERE entity = 'transcript'")[0][0]
        turns_orphaned = db.rows("SELECT count(*) FROM turn WHERE transcript_pk NOT IN "
                                 "(SELECT pk FROM transcript)")[0][0]
    assert transcripts in (0, 40) and logged == transcripts and turns_orphaned == 0
    store.close()
