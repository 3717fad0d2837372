"""Text normalisation and encoding detection shared by every importer.

Offsets everywhere in qualcode are Unicode code points into the *normalised* text, so
every path that stores text goes through :func:`normalise_text`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+$", re.MULTILINE)
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_WORD_CHARACTER = re.compile(r"\w")


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


# Characters looked at in one pass of count_words_in: its arrays take about ten bytes a
# character, so a pass stays within a few megabytes whatever the transcript's length.
_WORDS_BLOCK = 1 << 20
_JOINER_CODES = tuple(ord(ch) for ch in "-'’")
_word_characters = None  # by code point: True for what \w matches, grown as texts need


def count_words_in(text: str, spans: Sequence[tuple[int, int]]) -> list[int]:
    """``count_words(text[start:end])`` for each ``(start, end)`` span of ``text`` (offsets
    within it), counted in a few array passes instead of one regular-expression pass per
    span: an import counts the words of every turn, and the regular expression made a
    string of every word.

    A word is a run of word characters; runs joined by one hyphen or apostrophe are one word
    (``skole-hjem``, ``it’s``), as in :data:`_WORD`. So a span holds its runs less its
    joiners that have a word character on both sides within the span."""
    counts = [0] * len(spans)
    group: list[int] = []
    low = high = 0
    for i in sorted(range(len(spans)), key=lambda i: spans[i][0]):
        start, end = spans[i]
        if end <= start:
            continue  # an empty span holds no word
        if end - start > _WORDS_BLOCK:  # one turn longer than a pass: counted on its own
            counts[i] = count_words(text[start:end])
            continue
        if group and max(high, end) - low > _WORDS_BLOCK:
            _count_words_of_group(text, spans, group, low, high, counts)
            group = []
        if not group:
            low, high = start, end
        group.append(i)
        high = max(high, end)
    if group:
        _count_words_of_group(text, spans, group, low, high, counts)
    return counts


def _count_words_of_group(text: str, spans: Sequence[tuple[int, int]], group: list[int],
                          low: int, high: int, counts: list[int]) -> None:
    import numpy as np

    codes = np.frombuffer(text[low:high].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    word = _word_table(int(codes.max()) + 1)[codes]
    # where runs of word characters start, and where a joiner has a word character on each
    # side; a span's count is looked up in both by bisection
    run_start = word.copy()
    run_start[1:] &= ~word[:-1]
    runs = np.flatnonzero(run_start)
    joins = np.zeros(0, dtype=np.int64)
    if len(codes) > 2:
        inside = codes[1:-1]
        joiner = inside == _JOINER_CODES[0]
        for code in _JOINER_CODES[1:]:
            joiner |= inside == code
        joiner &= word[:-2]
        joiner &= word[2:]
        joins = np.flatnonzero(joiner) + 1
    bounds = np.array([spans[i] for i in group], dtype=np.int64).reshape(-1, 2) - low
    start, end = bounds[:, 0], bounds[:, 1]
    inner = np.minimum(start + 1, end)  # the span's second character, or its end
    last_join = np.maximum(end - 1, inner)  # a joiner needs a character after it
    found = word[start].astype(np.int64)  # a run the span opens inside of counts too
    found += np.searchsorted(runs, end) - np.searchsorted(runs, inner)
    found -= np.searchsorted(joins, last_join) - np.searchsorted(joins, inner)
    for i, value in zip(group, found.tolist(), strict=True):
        counts[i] = value


def _word_table(size: int):
    """Which code points below ``size`` are word characters, as the regular expressions
    see them (``\\w``), computed once per range of code points."""
    import numpy as np

    global _word_characters
    known = 0 if _word_characters is None else len(_word_characters)
    if known < size:
        size = max(size, 0x3000)  # the Latin, Greek, Cyrillic … blocks at once
        table = np.zeros(size, dtype=bool)
        if _word_characters is not None:
            table[:known] = _word_characters
        block = "".join(map(chr, range(known, size)))
        found = [m.start() + known for m in _WORD_CHARACTER.finditer(block)]
        table[np.array(found, dtype=np.int64)] = True
        _word_characters = table
    return _word_characters


def ascii_fold(text: str) -> str:
    """Fold Norwegian letters for ids and comparisons: æ→ae, ø→o, å→aa."""
    table = {"æ": "ae", "ø": "o", "å": "aa", "Æ": "Ae", "Ø": "O", "Å": "Aa"}
    folded = "".join(table.get(ch, ch) for ch in nfc(text))
    return unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")


def excerpt(text: str, width: int = 40) -> str:
    """A passage on one line, cut to ``width`` characters, for messages and summaries."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1].rstrip() + "…"
