"""Text normalisation and encoding detection shared by every importer.

Offsets everywhere in qualcode are Unicode code points into the *normalised* text, so
every path that stores text goes through :func:`normalise_text`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+$", re.MULTILINE)
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


# A well-formed UTF-8 sequence of two to four bytes. A cp1252 file almost never contains one
# (it would take a letter such as Ã followed by a symbol such as ¥), so finding one means
# the file was meant to be UTF-8.
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")


class BrokenUtf8Error(UnicodeDecodeError):
    """UTF-8 text with a few bytes that are not: decoding it as cp1252 would garble every
    æ, ø and å (``på`` → ``pÃ¥``), so it is refused instead."""


class Utf32Error(UnicodeDecodeError):
    """UTF-32 text: no editor a transcriber uses writes it, so it is refused, not guessed."""


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode transcript bytes; return ``(text, encoding)``.

    Order: byte-order marks, strict UTF-8, UTF-16 without BOM (many NUL bytes), then
    cp1252 — the usual encoding of Norwegian Windows files — but only for a file with no
    valid multi-byte UTF-8 sequence at all: UTF-8 with a stray bad byte raises
    :class:`BrokenUtf8Error`. Latin-1 is a superset of nothing useful here and would
    silently accept anything, so it is not tried.
    """
    if data.startswith(_UTF32_BOMS):
        raise Utf32Error("utf-32", data, 0, 4, "UTF-32 is not read")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        first_bad = exc
    if data and data.count(b"\x00") > len(data) // 4:
        # Mostly-Latin text in UTF-16 has its zero bytes at odd offsets (little-endian)
        # or at even offsets (big-endian): that tells the byte order without a BOM.
        even_zeros = data[0::2].count(0)
        odd_zeros = data[1::2].count(0)
        order = ("utf-16-be", "utf-16-le") if even_zeros > odd_zeros else \
            ("utf-16-le", "utf-16-be")
        for encoding in order:
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                continue
    if _UTF8_MULTIBYTE.search(data):
        raise BrokenUtf8Error("utf-8", data, first_bad.start, first_bad.end,
                              "valid UTF-8 except for some bytes")
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise UnicodeDecodeError(
            exc.encoding, exc.object, exc.start, exc.end,
            "not UTF-8, UTF-16 or cp1252",
        ) from None


def decode_text(data: bytes, path: str) -> tuple[str, str]:
    """:func:`decode_bytes` for a file: every failure is one :class:`InputFileError` that
    names the file and, for UTF-8 with a bad byte, the line of the first one."""
    from qualcode.domain.errors import InputFileError

    try:
        return decode_bytes(data)
    except BrokenUtf8Error as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputFileError(
            path, f"not valid UTF-8: byte 0x{data[exc.start]:02X} cannot be decoded (the rest "
            "of the file is UTF-8, so it is not read as Windows-1252)", line=line,
            hint="retype or delete the broken character on that line, or save the file "
                 "again as UTF-8") from None
    except Utf32Error:
        raise InputFileError(path, "the file is UTF-32 text, which qualcode does not read",
                             hint="save it as UTF-8") from None
    except UnicodeDecodeError:
        raise InputFileError(path, "unknown text encoding (not UTF-8, UTF-16 or cp1252)",
                             hint="save the file as UTF-8") from None


CP1252_NOTE = "not UTF-8: read as Windows-1252 (cp1252); check that æ, ø and å look right"

# Control characters break Word and Excel exports (XML cannot hold them) and can drive a
# terminal. Tab and line ends are text; vertical tab and form feed are the line and page
# breaks of older word processors and become line ends; the rest (C0, DEL, C1, escape
# sequences, U+FFFE/U+FFFF) is removed.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?|\x1b[^\n]?")
_LINE_BREAK_CONTROLS = re.compile(r"[\x0b\x0c]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_ANY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")  # one look


def strip_controls(text: str) -> tuple[str, int]:
    """Remove control characters and escape sequences; return ``(text, how many removed)``.

    Vertical tab and form feed count as removed too: they are replaced by a line end."""
    if not _ANY_CONTROL.search(text):
        return text, 0
    count = 0

    def drop(match: re.Match) -> str:
        nonlocal count
        count += 1
        return ""

    text = _ESCAPE_SEQUENCE.sub(drop, text)
    text, n_breaks = _LINE_BREAK_CONTROLS.subn("\n", text)
    text, n_controls = _CONTROLS.subn("", text)
    return text, count + n_breaks + n_controls


def controls_note(count: int) -> str:
    return (f"{count} control character(s) (escape sequences, form feeds, NUL …) were removed "
            "from the text")


def normalise_text(text: str) -> str:
    """NFC, ``\\n`` line ends, no trailing spaces on lines, no leading/trailing blank lines."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if any(f"{space}\n" in text for space in " \t\u00a0") or text.endswith((" ", "\t", "\u00a0")):
        text = _TRAILING_SPACE.sub("", text)  # most texts have none: a look costs less
    return text.strip("\n")


def nfc(text: str) -> str:
    """NFC-normalise a short string (labels, ids, attribute values)."""
    return unicodedata.normalize("NFC", text)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


def ascii_fold(text: str) -> str:
    """Fold Norwegian letters for ids and comparisons: æ→ae, ø→o, å→aa."""
    table = {"æ": "ae", "ø": "o", "å": "aa", "Æ": "Ae", "Ø": "O", "Å": "Aa"}
    folded = "".join(table.get(ch, ch) for ch in nfc(text))
    return unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")


def excerpt(text: str, width: int = 40) -> str:
    """A passage on one line, cut to ``width`` characters, for messages and summaries."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1].rstrip() + "…"
