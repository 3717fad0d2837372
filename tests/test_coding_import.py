"""The coding import: one undo batch, ids in file order, the first problem in file order,
and the project's indexes kept when a large file goes in at once."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from qualcode.audit import current_actor
from qualcode.domain.errors import InputFileError
from qualcode.services.coding_ops import add_coding, list_codings, undo_last
from qualcode.services.codings import import_codings
from qualcode.services.log import read_log
from qualcode.services.overview import list_transcripts
from qualcode.services.queries import transcript_turns

HEADER = "transcript,turns,start,end,code,coder,memo,text\n"


def _import(store, rows: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "koder.csv"
        path.write_text(HEADER + rows, encoding="utf-8")
        return import_codings(store, [path])


def _turns(store, transcript: str) -> list[dict]:
    return transcript_turns(store, transcript)["turns"]


def _kept(store) -> list[tuple]:
    return [(c["id"], c["transcript"], c["code"], c["coder"], c["start"], c["end"])
            for c in list_codings(store)]


def test_a_coding_import_is_one_undo_batch_of_whoever_ran_it(example):
    before = _kept(example)
    mine = add_coding(example, "vestbo_rektor", "KOM", "cecilie", 0, 40).pk
    report = _import(example, "nordvik_rektor,4,,,LED,dag,\n"
                               "vestbo_rektor,2-3,,,RAM,dag,\n"
                               "nordvik_rektor,2,,,UTB,anna,\n")
    assert report.added == 3 and report.by_coder == {"dag": 2, "anna": 1}
    # One entry in the log for the whole import, with the ids it gave out.
    event = read_log(example, entity="codings", action="import", limit=1)[0]
    assert event["actor"] == current_actor() and event["batch"]
    first, last = event["after"]["ids"]
    assert last - first == 2
    # The coders whose layers it filled did not do it: their undo leaves it alone.
    assert undo_last(example, "dag") is None
    assert undo_last(example, current_actor()) == (
        "undid the import of koder.csv: 3 codings taken back")
    assert {c[0] for c in _kept(example)} == {c[0] for c in before} | {mine}
    # Then the import before it (the example study's own two files), and nothing more.
    assert undo_last(example, current_actor()) == (
        f"undid the import of codings_nordvik.csv, codings_vestbo.csv: {len(before)} "
        "codings taken back")
    assert [c[0] for c in _kept(example)] == [mine]
    assert undo_last(example, current_actor()) is None
    # The ids taken back are never handed out again.
    assert add_coding(example, "vestbo_rektor", "LED", "dag", 0, 40).pk > last


def test_imported_codings_get_ids_in_file_order(example):
    """Rows of several transcripts, mixed: the new codings are numbered as the file lists
    them, after every coding already there."""
    highest = max(c[0] for c in _kept(example))
    _import(example, "vestbo_rektor,4,,,LED,dag,\n"
                     "nordvik_rektor,6,,,KOM,dag,\n"
                     "vestbo_rektor,2,,,RAM,dag,\n"
                     "nordvik_fokusgruppe,3,,,UTB,dag,\n")
    new = sorted((c["id"], c["transcript"], c["code"]) for c in list_codings(example,
                                                                             coder="dag"))
    assert [(t, k) for _, t, k in new] == [
        ("vestbo_rektor", "LED"), ("nordvik_rektor", "KOM"), ("vestbo_rektor", "RAM"),
        ("nordvik_fokusgruppe", "UTB")]
    assert [i for i, _, _ in new] == list(range(highest + 1, highest + 5))


def test_the_first_problem_in_file_order_is_told_and_nothing_is_written(example):
    before = _kept(example)
    turn = _turns(example, "nordvik_rektor")[3]
    span = f"{turn['start']},{turn['start'] + 12}"
    quoted = turn["text"][:12]
    assert "\n" not in quoted and '"' not in quoted
    good = f'nordvik_rektor,,{span},LED,dag,,"{quoted}"\n'
    wrong_quote = f'nordvik_rektor,,{span},RAM,dag,,"Ola sa aldri"\n'
    unknown_code = "nordvik_rektor,5,,,LED.finnes_ikke,dag,\n"
    with pytest.raises(InputFileError, match="koder.csv:3: the text at .* is not the "
                                             "quoted text"):
        _import(example, good + wrong_quote + unknown_code)
    with pytest.raises(InputFileError, match="koder.csv:3: unknown code 'LED.finnes_ikke'"):
        _import(example, good + unknown_code + wrong_quote)
    # A row the file itself gets wrong is told before any row the project refuses.
    with pytest.raises(InputFileError, match="koder.csv:4: turns 'fire' is not N or N-M"):
        _import(example, unknown_code + good + "nordvik_rektor,fire,,,LED,dag,\n")
    assert _kept(example) == before
    assert list_codings(example, coder="dag") == []


def test_a_large_import_keeps_the_project_indexes_and_a_refused_one_changes_nothing(
        example, tmp_path):
    """More new codings than the project holds go in with the indexes built after them:
    the same indexes are there afterwards, and a refused import leaves them as well."""
    import sqlite3

    def indexes() -> list[tuple]:
        with sqlite3.connect(example.path) as db:
            return db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                              "AND tbl_name = 'coding' ORDER BY name").fetchall()

    before = indexes()
    assert len(before) >= 3
    rows = "".join(f"{t['name']},{i},,,{code},dag,\n"
                   for t in list_transcripts(example)
                   for i in range(1, len(_turns(example, t["name"])) + 1)
                   for code in ("LED", "RAM", "KOM", "UTB"))
    n_new = len(rows.splitlines())
    assert n_new > len(_kept(example))  # the case the indexes are built after the rows
    rows += rows[:rows.index("\n", 200) + 1]  # an earlier row again: skipped
    sheet = tmp_path / "mange.csv"
    sheet.write_text(HEADER + rows + "nordvik_rektor,1,,,INGEN,dag,\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="unknown code 'INGEN'"):
        import_codings(example, [sheet])
    assert indexes() == before
    sheet.write_text(HEADER + rows, encoding="utf-8")
    report = import_codings(example, [sheet])
    assert report.added == n_new and report.skipped_duplicates > 0
    assert indexes() == before
    with sqlite3.connect(example.path) as db:
        plan = db.execute("EXPLAIN QUERY PLAN SELECT count(*) FROM coding "
                          "WHERE transcript_pk = 1 AND coder_pk = 1").fetchall()
    assert "ix_coding_transcript_coder" in " ".join(str(step) for step in plan)


def test_coding_undo_says_how_many_codings_an_import_takes_back(cli, tmp_path):
    from tests.conftest import build_example

    project = tmp_path / "studie.db"
    build_example(project).close()
    code, out, err = cli("coding", "undo", "-c", current_actor(), project=project)
    assert code == 0, err
    assert out.strip() == ("undid the import of codings_nordvik.csv, codings_vestbo.csv: "
                           "315 codings taken back")
    code, out, _ = cli("coding", "list", "-f", "json", project=project)
    assert code == 0 and out.strip() == "[]"


def _rows_back_and_forth(store) -> str:
    """Rows over every transcript, visiting each several times (more transcripts between
    two visits than the import keeps at hand), with repeats that are duplicates."""
    names = [t["name"] for t in list_transcripts(store)]
    rows = []
    for code in ("LED", "RAM", "KOM", "UTB", "LED"):  # LED twice: the second are repeats
        for name in names:
            for i in range(1, min(len(_turns(store, name)), 12) + 1, 3):
                rows.append(f"{name},{i},,,{code},dag,åpen ø\n")
    return "".join(rows)


def test_a_streamed_bulk_import_stores_what_a_small_one_stores(example, tmp_path,
                                                                monkeypatch):
    """The import writes as it reads, a few rows at a time, and a transcript left and come
    back to keeps its duplicates found: the same codings, ids and skipped repeats whether
    the file goes in as a bulk write (rollback journal) or in the log."""
    import shutil

    from qualcode.services import codings
    from qualcode.services.project import open_project

    rows = _rows_back_and_forth(example)
    sheet = tmp_path / "mange.csv"
    sheet.write_text(HEADER + rows, encoding="utf-8")
    other_path = tmp_path / "kopi.db"
    shutil.copy(example.path, other_path)
    small = import_codings(example, [sheet])
    monkeypatch.setattr(codings, "BULK_ROWS", 1)
    monkeypatch.setattr(codings, "_WRITE_EVERY", 7)
    other = open_project(other_path)
    try:
        bulk = import_codings(other, [sheet])
        assert (bulk.added, bulk.skipped_duplicates) == (small.added, small.skipped_duplicates)
        assert small.skipped_duplicates == len(rows.splitlines()) // 5
        assert [(c, c["memo"]) for c in list_codings(other)] == [
            (c, c["memo"]) for c in list_codings(example)]
        assert {c["memo"] for c in list_codings(other, coder="dag")} == {"åpen ø"}
    finally:
        other.close()


def test_a_bad_row_after_thousands_written_leaves_the_project_as_it_was(example, tmp_path,
                                                                          monkeypatch):
    """Rows are handed to the database before the file is read to its end: a refused row
    far down still takes every one of them back, in bulk mode as in the log."""
    from qualcode.services import codings

    monkeypatch.setattr(codings, "_WRITE_EVERY", 5)
    before = _kept(example)
    rows = _rows_back_and_forth(example)
    for bulk_rows in (10**9, 1):
        monkeypatch.setattr(codings, "BULK_ROWS", bulk_rows)
        sheet = tmp_path / "mange.csv"
        line = len(rows.splitlines()) + 2
        sheet.write_text(HEADER + rows + "nordvik_rektor,999,,,LED,dag,\n", encoding="utf-8")
        with pytest.raises(InputFileError, match=f"mange.csv:{line}: 'nordvik_rektor' has "
                                                 "turns 1-"):
            import_codings(example, [sheet])
        assert _kept(example) == before
        assert list_codings(example, coder="dag") == []


_KILLED_IMPORT = """
import os, sys, time
from pathlib import Path
from qualcode.services import codings
from qualcode.services.project import open_project

codings.BULK_ROWS = 1
codings._WRITE_EVERY = 10
reader = codings.iter_coding_file

def stalling(path, warnings=None, **kw):
    for n, row in enumerate(reader(path, warnings, **kw)):
        if n == 60:  # rows are in the database's hands: stop here until killed
            Path(sys.argv[3]).write_text("ready")
            time.sleep(600)
        yield row

codings.iter_coding_file = stalling
write = codings._Import.write

def spilling(self):  # a page cache this small puts the rows into the file itself
    self.db.execute("PRAGMA cache_size = 5")
    write(self)

codings._Import.write = spilling
codings.import_codings(open_project(Path(sys.argv[1])), [Path(sys.argv[2])])
"""


def test_an_import_killed_half_way_leaves_the_project_as_it_was(example, tmp_path):
    """A crash in the middle of a bulk import (the process killed outright, with rows
    already written in its transaction): the next user of the project finds it as it
    was, whole, and back in write-ahead mode after the next write."""
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time
    from contextlib import closing

    from qualcode.services.project import open_project

    path = example.path
    sheet = tmp_path / "mange.csv"
    sheet.write_text(HEADER + _rows_back_and_forth(example), encoding="utf-8")
    example.close()  # the child is alone with the project: a bulk write's journal
    with closing(sqlite3.connect(path)) as db:
        before = db.execute('SELECT pk, coder_pk, code_pk, start, "end", quote FROM coding '
                            "ORDER BY pk").fetchall()
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the file holds everything
    size = path.stat().st_size
    ready = tmp_path / "ready"
    child = subprocess.Popen([sys.executable, "-c", _KILLED_IMPORT, str(path), str(sheet),
                              str(ready)], stderr=subprocess.PIPE)
    try:
        for _ in range(600):
            if ready.exists() or child.poll() is not None:
                break
            time.sleep(0.1)
        assert ready.exists(), child.stderr.read().decode() if child.poll() is not None else ""
        assert Path(f"{path}-journal").exists()  # its transaction is on a rollback journal
        assert path.stat().st_size > size  # and has written pages into the file
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait()
    store = open_project(path)
    try:
        with closing(sqlite3.connect(path)) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert db.execute('SELECT pk, coder_pk, code_pk, start, "end", quote FROM coding '
                              "ORDER BY pk").fetchall() == before
        assert list_codings(store, coder="dag") == []
        add_coding(store, "vestbo_rektor", "KOM", "cecilie", 0, 40)
        with closing(sqlite3.connect(path)) as db:
            assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert not Path(f"{path}-journal").exists()
    finally:
        store.close()
