"""Every file qualcode writes is written whole or not at all, and never holds a live formula.

Reports, matrices, presence tables, agreement reports, .qdpx archives and copied projects
are written through :func:`atomic_output`: into a temporary file in the target's own
folder (``.<name>.qualcode-tmp-<pid>-<random>``), flushed to disk, and renamed over the
target only when complete. A killed export, a full disk or a failing writer leaves the
earlier file as it was and no temporary behind (one left by a killed process is removed
by the next export to the same name).

Cells of CSV and Excel output are text written by informants and coders, and a
spreadsheet runs a cell that starts with ``=`` (and in CSV also ``+``, ``-``, ``@``, tab
or carriage return) as a formula. :func:`csv_cell` writes such text with a leading
apostrophe, as OWASP recommends for CSV; :func:`save_workbook` stores every text cell of
a workbook as a string. Numbers stay numbers.

No database, no terminal: the pure core. openpyxl is imported only to save a workbook.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from qualcode.domain.errors import QualcodeError

TEMP_MARK = ".qualcode-tmp-"
# Text a spreadsheet would read as the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_STARTED = time.time()  # about when this process started: older temporaries are not ours


class OutputError(QualcodeError):
    """A file could not be written; what was at its path before is unchanged."""


# --- where a file may be written --------------------------------------------------------

def check_output_path(path: Path | str) -> Path:
    """Refuse, before anything is computed or written, a path that cannot be written: a
    folder that does not exist (a typo should not create folders), a target that is a
    folder, or a folder or file without write permission. Returns the path to write, a
    symbolic link's target if ``path`` is one, so the link stays."""
    path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    folder = path.parent
    if not folder.exists():
        raise OutputError(f"folder {folder} does not exist", hint="create it first")
    if not folder.is_dir():
        raise OutputError(f"{folder} is not a folder", hint="give a path inside a folder")
    if path.is_dir():
        raise OutputError(f"{path} is a folder", hint="give a file name")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"no permission to write in folder {folder}",
                          hint="choose another folder")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"{path} is read-only", hint="choose another name, or make it "
                          "writable first")
    return path


def output_error(exc: OSError, path: Path | str) -> OutputError:
    """One line for a failed write, naming the file the user asked for."""
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return OutputError(f"no space left on device writing {path}",
                           hint="free space and run again")
    if code in (errno.EACCES, errno.EPERM):
        return OutputError(f"no permission to write {path}", hint="choose another folder, "
                           "or close the file if another program has it open")
    if code == errno.EROFS:
        return OutputError(f"cannot write {path}: the disk is read-only",
                           hint="choose another folder")
    if code == errno.ENOENT:
        return OutputError(f"folder {Path(path).parent} does not exist",
                           hint="create it first")
    reason = exc.strerror or str(exc)
    return OutputError(f"cannot write {path} ({reason})", hint="check the disk and run again")


# --- whole or absent --------------------------------------------------------------------

@contextmanager
def atomic_output(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path next to ``path`` to write the whole output to; when the block
    ends normally, the temporary is flushed to disk and renamed to ``path`` in one step.
    If the block (or the rename) fails, the temporary is removed and ``path`` is untouched.
    An OSError from the file system becomes one :class:`OutputError` line."""
    target = check_output_path(path)
    remove_stale_temporaries(target)
    tmp = _reserve(target)
    try:
        yield tmp
        _sync(tmp)
        os.replace(tmp, target)
        _sync_folder(target.parent)
    except OSError as exc:
        _discard(tmp)
        if exc.errno is None:  # raised by a writer, not by the file system
            raise
        raise output_error(exc, path) from None
    except BaseException:
        _discard(tmp)
        raise


def write_text(path: Path | str, text: str) -> None:
    """A whole text file (UTF-8, lines as given), atomically."""
    with atomic_output(path) as tmp:
        tmp.write_bytes(text.encode("utf-8"))


def temporaries_of(target: Path) -> list[Path]:
    """The temporaries of exports to ``target`` in its folder (a killed export's too)."""
    prefix = f".{target.name}{TEMP_MARK}"
    try:
        with os.scandir(target.parent) as entries:
            return [target.parent / e.name for e in entries if e.name.startswith(prefix)]
    except OSError:
        return []


def remove_stale_temporaries(target: Path) -> None:
    """Remove what killed exports to ``target`` left: temporaries of processes that no
    longer run (an export still running elsewhere keeps its own)."""
    for tmp in temporaries_of(target):
        if _stale(tmp):
            _discard(tmp)


def _reserve(target: Path) -> Path:
    prefix = f".{target.name}{TEMP_MARK}{os.getpid()}-"
    mode = None  # a new file: 0o666 less the umask, shared as any new file is
    with suppress(OSError):
        mode = stat.S_IMODE(os.stat(target).st_mode)  # a replaced file keeps its mode
    while True:
        tmp = target.parent / f"{prefix}{secrets.token_hex(4)}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise output_error(exc, target) from None
        os.close(fd)
        if mode is not None:
            with suppress(OSError):
                os.chmod(tmp, mode)
        return tmp


def _stale(tmp: Path) -> bool:
    owner = tmp.name.rsplit(TEMP_MARK, 1)[-1].split("-", 1)[0]
    if owner.isdigit() and os.name == "posix":
        pid = int(owner)
        if pid == os.getpid():
            return False
        try:
            os.kill(pid, 0)  # signal 0 only asks whether the process exists
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False
    try:
        return tmp.stat().st_mtime < _STARTED
    except OSError:
        return False


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; elsewhere the rename is all there is)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _discard(tmp: Path) -> None:
    # SQLite keeps a write-ahead log and shared memory next to a database it writes.
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(OSError):
            Path(f"{tmp}{suffix}").unlink()


# --- no live formulas -------------------------------------------------------------------

def is_formula_text(value: Any) -> bool:
    """Text a spreadsheet would run as a formula; numbers never are."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any, *, raw: bool = False) -> Any:
    """A value for a CSV cell: text that would start a formula gets a leading apostrophe
    (``'=1+1``), which spreadsheets show and do not run. ``raw`` leaves it as it is, for
    programs that read the CSV."""
    if not raw and is_formula_text(value):
        return "'" + value
    return value


def save_workbook(wb: Any, path: Path | str) -> None:
    """Save an openpyxl workbook atomically, every text cell stored as a string: openpyxl
    makes a text starting with ``=`` a formula, and qualcode writes no formulas."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type != "s":
                    cell.data_type = "s"
    with atomic_output(path) as tmp:
        wb.save(str(tmp))


def save_document(doc: Any, path: Path | str) -> None:
    """Save a python-docx document atomically."""
    with atomic_output(path) as tmp:
        doc.save(str(tmp))
