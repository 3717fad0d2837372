"""Every file qualcode writes is whole or absent, and no cell of a CSV or Excel export is a
live formula.

The failures are real: a full disk is a file that stops taking bytes part-way through the
output (the low-level write raises ENOSPC), a small tmpfs when the machine allows mounting
one, and ``kill -9`` of a running export.
"""

from __future__ import annotations

import builtins
import csv
import errno
import io
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qualcode import output
from qualcode.output import TEMP_MARK, csv_cell, temporaries_of
from qualcode.services import coding_ops, ingest
from qualcode.services.matrix import set_summary
from tests.conftest import write

OLD = b"forrige versjon av filen\n"

# Every command that writes a file, with the file it writes (relative to the folder the
# command runs in).
EXPORTS = [
    ("r.docx", ["export", "report"]),
    ("m.xlsx", ["export", "matrix", "--cols", "landsdel"]),
    ("m.docx", ["export", "matrix"]),
    ("m.csv", ["export", "matrix", "--cols", "landsdel"]),
    ("m.md", ["export", "matrix"]),
    ("m.json", ["export", "matrix"]),
    ("o.csv", ["matrix", "-f", "csv", "-o"]),
    ("o.xlsx", ["matrix", "-f", "xlsx", "-o"]),
    ("p.csv", ["export", "presence"]),
    ("p.xlsx", ["export", "presence"]),
    ("a.html", ["export", "agreement", "--coders", "anna,bjorn", "--bootstrap", "50"]),
    ("a.docx", ["export", "agreement", "--coders", "anna,bjorn", "--bootstrap", "50"]),
    ("x.qdpx", ["export", "qdpx"]),
]


def _args(command: list[str], target: str) -> list[str]:
    # `matrix -o FILE` takes the file as the option's value; the exports as an argument.
    if command[-1] == "-o":
        return [*command, target]
    return [*command[:2], target, *command[2:]]


def _one_line(code: int, err: str, expected: str) -> None:
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.strip() == f"error: {expected}"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if TEMP_MARK in p.name)


class _FullDisk:
    """An open file that takes ``room`` bytes (or characters) and then fails as a full
    disk does."""

    def __init__(self, handle, room: int) -> None:
        self._handle = handle
        self._room = room

    def write(self, data):
        if len(data) > self._room:
            self._handle.write(data[:self._room])
            self._room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(data)
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()


@pytest.fixture
def full_disk(monkeypatch):
    """Call with a byte count: from then on, files qualcode writes its outputs to take that
    many bytes and then fail with ENOSPC."""
    real_open = io.open

    def arm(room: int) -> None:
        def opener(file, mode="r", *args, **kwargs):
            handle = real_open(file, mode, *args, **kwargs)
            if TEMP_MARK in str(file) and any(c in mode for c in "wax+"):
                return _FullDisk(handle, room)
            return handle

        monkeypatch.setattr(io, "open", opener)
        monkeypatch.setattr(builtins, "open", opener)

    yield arm


# --- whole or absent --------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # zip's __del__
@pytest.mark.parametrize(("name", "command"), EXPORTS, ids=[e[0] for e in EXPORTS])
def test_a_full_disk_part_way_leaves_the_old_file_and_one_line(example, cli, tmp_path,
                                                                full_disk, name, command):
    target = tmp_path / name
    target.write_bytes(OLD)
    full_disk(200)
    code, out, err = cli(*_args(command, name), project=example.path)
    _one_line(code, err, f"no space left on device writing {name} — free space and run again")
    assert "Wrote" not in out
    assert target.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(("name", "command"), EXPORTS, ids=[e[0] for e in EXPORTS])
def test_an_export_replaces_the_old_file_whole(example, cli, tmp_path, name, command):
    target = tmp_path / name
    target.write_bytes(OLD)
    os.chmod(target, 0o640)
    code, out, err = cli(*_args(command, name), project=example.path)
    assert code == 0, err
    assert target.read_bytes() != OLD and target.stat().st_size > 100
    assert (target.stat().st_mode & 0o777) == 0o640  # a replaced file keeps its mode
    assert _leftovers(tmp_path) == []


def test_a_failure_while_syncing_leaves_nothing_new(example, tmp_path, monkeypatch):
    """The last moment a write can fail (the disk reports it at fsync): the old file
    stays, the new one is gone."""
    from qualcode.services.exports import write_presence

    def no_room(path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    target = tmp_path / "p.csv"
    target.write_bytes(OLD)
    monkeypatch.setattr(output, "_sync", no_room)
    with pytest.raises(output.OutputError, match="no space left on device writing"):
        write_presence(["person", "site"], [{"person": "kari", "site": "nordvik_u"}], target)
    assert target.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


def test_a_copy_that_cannot_be_finished_leaves_no_project(example, cli, tmp_path,
                                                          monkeypatch):
    def no_room(path):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    sync = output._sync
    monkeypatch.setattr(output, "_sync", no_room)
    code, out, err = cli("copy", "kopi.db", project=example.path)
    _one_line(code, err, "no space left on device writing kopi.db — free space and run again")
    assert not [p for p in tmp_path.iterdir() if "kopi.db" in p.name]
    monkeypatch.setattr(output, "_sync", sync)
    code, out, err = cli("copy", "kopi.db", project=example.path)  # a re-run works
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir() if "kopi.db" in p.name) == ["kopi.db"]
    code, out, _ = cli("status", "-f", "json", project=tmp_path / "kopi.db")
    assert code == 0 and '"codings": 315' in out


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_what_a_killed_export_left_is_removed_by_the_next_one(example, cli, tmp_path):
    """A killed export leaves its temporary; the next export to the same name removes it,
    and leaves alone the temporary of an export that is still running."""
    dead = tmp_path / f".x.qdpx{TEMP_MARK}{_dead_pid()}-0a1b2c3d"
    dead.write_bytes(b"PK\x03\x04 halvferdig")
    running = tmp_path / f".x.qdpx{TEMP_MARK}{os.getppid()}-4e5f6a7b"
    running.write_bytes(b"PK\x03\x04 underveis")
    other = tmp_path / f".r.docx{TEMP_MARK}{_dead_pid()}-0a1b2c3d"  # another target's
    other.write_bytes(b"PK")
    code, _, err = cli("export", "qdpx", "x.qdpx", project=example.path)
    assert code == 0, err
    assert not dead.exists() and running.exists() and other.exists()
    assert temporaries_of(tmp_path / "x.qdpx") == [running]


def test_a_killed_copy_leaves_nothing_under_the_name_and_a_rerun_works(example, cli,
                                                                       tmp_path):
    stale = tmp_path / f".c.db{TEMP_MARK}{_dead_pid()}-0a1b2c3d"
    shutil.copy(example.path, stale)  # what a copy killed before the rename leaves
    code, _, err = cli("copy", "c.db", project=example.path)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir() if "c.db" in p.name) == ["c.db"]


# --- folders and permissions ------------------------------------------------------------

@pytest.mark.parametrize(("name", "command"), [*EXPORTS, ("k.db", ["copy"])],
                         ids=[e[0] for e in EXPORTS] + ["copy"])
def test_a_folder_that_does_not_exist_is_refused_not_created(example, cli, tmp_path, name,
                                                             command):
    code, out, err = cli(*_args(command, f"mangler/{name}"), project=example.path)
    _one_line(code, err, "folder mangler does not exist — create it first")
    assert not (tmp_path / "mangler").exists()


@pytest.mark.parametrize(("name", "command"), [*EXPORTS, ("k.db", ["copy"])],
                         ids=[e[0] for e in EXPORTS] + ["copy"])
def test_a_target_that_is_a_folder_is_refused(example, cli, tmp_path, name, command):
    (tmp_path / name).mkdir()
    code, out, err = cli(*_args(command, name), project=example.path)
    _one_line(code, err, f"{name} is a folder — give a file name")
    assert list((tmp_path / name).iterdir()) == []


def test_no_permission_to_write_is_one_line(example, cli, tmp_path, monkeypatch):
    real_open = os.open

    def refused(path, flags, *args, **kwargs):
        if TEMP_MARK in str(path) and flags & os.O_CREAT:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_open(path, flags, *args, **kwargs)

    (tmp_path / "r.docx").write_bytes(OLD)
    monkeypatch.setattr(os, "open", refused)
    code, _, err = cli("export", "report", "r.docx", project=example.path)
    _one_line(code, err, "no permission to write r.docx — choose another folder, or close "
                         "the file if another program has it open")
    assert (tmp_path / "r.docx").read_bytes() == OLD


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs a user that file permissions apply to")
def test_a_folder_without_write_permission_is_refused(example, cli, tmp_path):
    locked = tmp_path / "laast"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        code, _, err = cli("export", "presence", "laast/p.csv", project=example.path)
        _one_line(code, err, "no permission to write in folder laast — choose another folder")
    finally:
        locked.chmod(0o755)


# --- a real full disk and a real kill -----------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A 64 KiB tmpfs, when this machine lets the tests mount one."""
    if not sys.platform.startswith("linux") or shutil.which("mount") is None:
        pytest.skip("needs Linux mount")
    folder = tmp_path / "liten"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("mounting a tmpfs is not permitted here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def test_a_full_tmpfs_gives_one_line_and_keeps_the_old_file(example, cli, small_disk):
    (small_disk / "r.docx").write_bytes(OLD)
    code, _, err = cli("export", "report", "liten/r.docx", project=example.path)
    _one_line(code, err, "no space left on device writing liten/r.docx — free space and run "
                         "again")
    assert (small_disk / "r.docx").read_bytes() == OLD
    code, _, err = cli("copy", "liten/c.db", project=example.path)
    _one_line(code, err, "no space left on device writing liten/c.db — free space and run "
                         "again")
    assert sorted(p.name for p in small_disk.iterdir()) == ["r.docx"]


def test_kill_9_during_the_report_leaves_the_old_or_the_new_report(example, tmp_path):
    """A real `qualcode export report` killed at a random moment: the .docx at the path is
    always a whole Word document, the old one or the new one. Most of a run is counting,
    so two of the four kills come at a random moment after the writing has begun."""
    from docx import Document

    example.close()
    target = tmp_path / "rapport.docx"
    env = {**os.environ, "QUALCODE_PROJECT": str(example.path)}

    def run(title: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "qualcode", "export", "report",
                                 str(target), "--title", title], env=env, cwd=tmp_path,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def writing_began(before: os.stat_result) -> bool:
        if temporaries_of(target):
            return True
        try:
            now = target.stat()
        except FileNotFoundError:
            return True
        return (now.st_ino, now.st_size, now.st_mtime_ns) != \
            (before.st_ino, before.st_size, before.st_mtime_ns)

    started = time.monotonic()
    assert run("Forrige rapport").wait(timeout=300) == 0
    duration = time.monotonic() - started
    chance = random.Random(19)
    titles = ["Forrige rapport"]
    for trial in range(4):
        before = target.stat()
        titles.append(f"Ny rapport {trial}")
        process = run(titles[-1])
        if trial < 2:
            time.sleep(chance.uniform(0.3, 1.0) * duration)
        else:
            deadline = time.monotonic() + 300
            while process.poll() is None and not writing_began(before) \
                    and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(chance.uniform(0, 0.05))
        process.kill()
        process.wait(timeout=60)
        assert Document(str(target)).core_properties.title in titles  # opens: it is whole
    assert run("Siste rapport").wait(timeout=300) == 0
    assert Document(str(target)).core_properties.title == "Siste rapport"
    assert _leftovers(tmp_path) == []


# --- no live formulas ---------------------------------------------------------------------

@pytest.fixture
def formulas(example, tmp_path):
    """The example study with text a spreadsheet would run: a site attribute, a transcript
    title, a quote, a coding memo, a code label and a summary."""
    with example.write() as session:
        conn = session.connection()
        conn.exec_driver_sql("UPDATE site_attribute SET value_text = '=1+1' "
                             "WHERE name = 'landsdel' AND value_text = 'nord'")
        conn.exec_driver_sql("UPDATE code SET label = '+Forankring' "
                             "WHERE code_id = 'LED.forankring_eier'")
    write(tmp_path / "nordvik_oppfolging.txt",
          "---\ntitle: '=Oppfølging, Nordvik'\nsite: nordvik_u\nformat: individuelt\n"
          "speakers:\n  Rektor: nordvik_rektor\n---\n"
          "Intervjuer: Hvor mange valgte yrkesfag?\n"
          "Rektor: =1+1 er det Kari skrev på tavla, og -3 elever byttet linje.\n")
    ingest.import_transcripts(example, [tmp_path / "nordvik_oppfolging.txt"])
    with example.snapshot() as db:
        text = db.rows("SELECT text FROM transcript WHERE name = 'nordvik_oppfolging'")[0][0]
    start = text.index("=1+1")
    coding_ops.add_coding(example, "nordvik_oppfolging", "LED.forankring_eier", "anna",
                          start, start + len("=1+1 er det Kari skrev på tavla"),
                          memo="@Ola: sjekk dette")
    set_summary(example, "LED.forankring_eier", site="nordvik_u", text="-Rektor eier arbeidet")
    return example


def _unguarded(cells: list[str]) -> list[str]:
    """Cells a spreadsheet would run; a plain number (a negative count) is not one."""
    def number(cell: str) -> bool:
        try:
            float(cell)
        except ValueError:
            return False
        return True

    return [c for c in cells if output.is_formula_text(c) and not number(c)]


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


CSV_COMMANDS = [
    (["coding", "list", "-f", "csv"], ["'=1+1 er det Kari skrev på tavla", "'@Ola: sjekk dette"]),
    (["quotes", "LED.forankring_eier", "-f", "csv"], ["'=1+1 er det Kari skrev på tavla"]),
    (["cases", "-f", "csv", "--show", "sites"], ["'=1+1"]),
    (["cases", "-f", "csv", "--show", "persons"], []),
    (["transcripts", "-f", "csv"], ["'=Oppfølging, Nordvik"]),
    (["show", "nordvik_oppfolging", "-f", "csv"], []),
    (["search", "tavla", "-f", "csv"], []),
    (["summary", "list", "-f", "csv"], ["'-Rektor eier arbeidet"]),
    (["codebook", "show", "-f", "csv"], ["'+Forankring"]),
    (["matrix", "-f", "csv", "--rows", "LED", "--cols", "landsdel"], ["'=1+1", "'+Forankring"]),
    (["matrix", "-f", "csv", "--rows", "LED", "--cols", "site", "--cell", "summaries"],
     ["'-Rektor eier arbeidet"]),
    (["frequencies", "-f", "csv"], ["'+Forankring"]),
    (["agreement", "-f", "csv", "--coders", "anna,bjorn", "--bootstrap", "50"], []),
]


@pytest.mark.parametrize(("command", "guarded"), CSV_COMMANDS,
                         ids=[" ".join(c[0][:2]) for c in CSV_COMMANDS])
def test_csv_on_the_terminal_holds_no_live_formula(formulas, cli, command, guarded):
    code, out, err = cli(*command, project=formulas.path)
    assert code == 0, err
    cells = _csv_cells(out)
    assert _unguarded(cells) == []
    for text in guarded:
        assert text in cells
    if guarded:  # --raw: as stored, for programs that read the CSV
        code, out, err = cli(*command, "--raw", project=formulas.path)
        assert code == 0, err
        assert {t[1:] for t in guarded} <= set(_csv_cells(out))


@pytest.mark.parametrize(("name", "command", "guarded"), [
    ("m.csv", ["export", "matrix", "--rows", "LED", "--cols", "landsdel"],
     ["'=1+1", "'+Forankring"]),
    ("s.csv", ["export", "matrix", "--rows", "LED", "--cols", "site", "--cell", "summaries"],
     ["'-Rektor eier arbeidet"]),
    ("p.csv", ["export", "presence"], ["'=1+1"]),
])
def test_csv_files_hold_no_live_formula(formulas, cli, tmp_path, name, command, guarded):
    code, _, err = cli(*_args(command, name), project=formulas.path)
    assert code == 0, err
    cells = _csv_cells((tmp_path / name).read_text(encoding="utf-8"))
    assert _unguarded(cells) == []
    assert set(guarded) <= set(cells)
    code, _, err = cli(*_args(command, name), "--raw", project=formulas.path)
    assert code == 0, err
    assert {t[1:] for t in guarded} <= set(_csv_cells((tmp_path / name).read_text("utf-8")))


@pytest.mark.parametrize(("name", "command", "texts"), [
    ("m.xlsx", ["export", "matrix", "--rows", "LED", "--cols", "landsdel"],
     ["=1+1", "+Forankring"]),
    ("s.xlsx", ["export", "matrix", "--rows", "LED", "--cols", "site", "--cell", "summaries"],
     ["-Rektor eier arbeidet"]),
    ("o.xlsx", ["matrix", "-f", "xlsx", "--cols", "landsdel", "-o"], ["=1+1"]),
    ("p.xlsx", ["export", "presence"], ["=1+1"]),
])
def test_xlsx_cells_are_text_never_formulas(formulas, cli, tmp_path, name, command, texts):
    from openpyxl import load_workbook

    code, _, err = cli(*_args(command, name), project=formulas.path)
    assert code == 0, err
    wb = load_workbook(tmp_path / name)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    as_text = {c.value for c in cells if c.data_type == "s"}
    assert set(texts) <= as_text
    assert any(c.data_type == "n" and isinstance(c.value, int) for c in cells)  # numbers stay


def test_only_text_is_guarded_numbers_stay_numbers(capsys):
    from qualcode.cli.render import OutputFormat, emit_rows

    assert csv_cell("=1+1") == "'=1+1" and csv_cell("=1+1", raw=True) == "=1+1"
    for text in ("+47 900 00 000", "-3", "@Kari", "\tinnrykk", "\rretur"):
        assert csv_cell(text) == "'" + text
    assert csv_cell(-3) == -3 and csv_cell(2.5) == 2.5 and csv_cell("Kari") == "Kari"
    emit_rows([{"antall": -3, "tekst": "-3", "liste": ["=A1", "b"]}], OutputFormat.csv)
    assert capsys.readouterr().out == "antall,tekst,liste\n-3,'-3,\"'=A1, b\"\n"
