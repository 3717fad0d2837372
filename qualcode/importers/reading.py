"""Opening input files within limits, before any parsing is done.

Every file qualcode reads goes through :func:`read_file`: it must be a regular file (not a
device, FIFO or socket, which would hang or never end) and no larger than the limit for
its kind, checked with ``os.stat`` before a byte is read. Zip containers (.docx, and
.qdpx later) go through :func:`open_zip` and :func:`read_member`, which check the zip's
central directory (sizes, compression method, encryption) before anything is expanded.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from pathlib import Path

from qualcode.domain.errors import InputFileError

MB = 1024 * 1024
TEXT_LIMIT = 50 * MB  # a .txt, .md, .vtt or .srt transcript
DOCX_LIMIT = 200 * MB  # a .docx as stored on disk
YAML_LIMIT = 10 * MB  # a sidecar, a YAML attributes sheet or a codebook
CSV_LIMIT = 100 * MB  # an attributes sheet or a coding file
# Every member of a zip together, expanded. Word's XML costs about eight times its size in
# memory while it is read (150 MB of XML took 1.2 GB), so 100 MB keeps any import under
# 1 GB; a two-hour interview is one or two MB of XML.
ZIP_EXPANDED_LIMIT = 100 * MB
ZIP_RATIO_LIMIT = 100  # expanded size / compressed size of one member …
ZIP_RATIO_FLOOR = MB  # … for a member that expands beyond this (small XML parts compress well)
READABLE_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_METHOD_NAMES = {9: "deflate64", 12: "bzip2", 14: "lzma", 93: "zstandard", 99: "AES encryption"}


def _size_text(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n} bytes"


def check_regular_file(path: Path, limit: int) -> int:
    """Refuse anything but a regular file of at most ``limit`` bytes; return its size.

    ``os.stat`` follows symbolic links, so a link is judged by what it points to."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise InputFileError(str(path), f"cannot read the file ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = ("a directory" if stat.S_ISDIR(info.st_mode)
                else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                else "a named pipe" if stat.S_ISFIFO(info.st_mode)
                else "a socket" if stat.S_ISSOCK(info.st_mode) else "not a file")
        raise InputFileError(str(path), f"not a regular file ({kind})",
                             hint="qualcode reads ordinary files only")
    if info.st_size > limit:
        raise InputFileError(str(path), f"the file is {_size_text(info.st_size)}, more than "
                             f"the {_size_text(limit)} qualcode reads for this kind of file",
                             hint="split it into smaller files")
    return info.st_size


def read_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (see :func:`check_regular_file`).

    At most ``limit`` bytes are read even if the file grows after it was checked."""
    check_regular_file(path, limit)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputFileError(str(path), f"cannot read the file ({exc.strerror})") from None
    if len(data) > limit:
        raise InputFileError(str(path), f"the file grew beyond {_size_text(limit)} while it "
                             "was read")
    return data


def open_zip(data: bytes, path: str, *, kind: str, hint: str) -> zipfile.ZipFile:
    """Open zip bytes and check every member in the central directory before anything is
    expanded: no encryption, a method qualcode reads, an expanded total of at most
    ``ZIP_EXPANDED_LIMIT`` and no member expanding more than ``ZIP_RATIO_LIMIT`` times."""
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise InputFileError(path, f"not a valid {kind} (the file is not a zip archive)",
                             hint=hint) from None
    total = 0
    for info in archive.infolist():
        if info.flag_bits & 0x1:
            raise InputFileError(path, f"{kind} is encrypted ({info.filename})",
                                 hint="remove the password in Word and save it again")
        if info.compress_type not in READABLE_METHODS:
            method = _METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
            raise InputFileError(path, f"{kind} uses a compression qualcode does not read "
                                 f"({method}, in {info.filename})", hint=hint)
        total += info.file_size
        if total > ZIP_EXPANDED_LIMIT:
            raise InputFileError(path, f"{kind} expands to more than "
                                 f"{_size_text(ZIP_EXPANDED_LIMIT)}; it is not read",
                                 hint="split the document into smaller files")
        if (info.file_size > ZIP_RATIO_FLOOR
                and info.file_size > ZIP_RATIO_LIMIT * max(info.compress_size, 1)):
            raise InputFileError(path, f"{kind} member {info.filename} expands "
                                 f"{info.file_size // max(info.compress_size, 1)} times "
                                 f"(more than {ZIP_RATIO_LIMIT}); it is not read", hint=hint)
    return archive


def read_member(archive: zipfile.ZipFile, name: str, path: str, *, kind: str,
                hint: str) -> bytes:
    """One member's bytes, never more than the central directory declared. Raises
    ``KeyError`` if there is no such member; damage is one :class:`InputFileError`."""
    info = archive.getinfo(name)
    try:
        with archive.open(info) as member:
            data = member.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError,
            NotImplementedError, RuntimeError) as exc:
        raise InputFileError(path, f"damaged {kind} ({name}: {exc})", hint=hint) from None
    if len(data) != info.file_size:
        raise InputFileError(path, f"damaged {kind} ({name} is not the size its zip "
                             "directory says)", hint=hint)
    return data
