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


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode transcript bytes; return ``(text, encoding)``.

    Order: byte-order marks, strict UTF-8, UTF-16 without BOM (many NUL bytes), then
    cp1252 — the usual encoding of Norwegian Windows files. Latin-1 is a superset of
    nothing useful here and would silently accept anything, so it is not tried.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
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
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise UnicodeDecodeError(
            exc.encoding, exc.object, exc.start, exc.end,
            "not UTF-8, UTF-16 or cp1252",
        ) from None


def normalise_text(text: str) -> str:
    """NFC, ``\\n`` line ends, no trailing spaces on lines, no leading/trailing blank lines."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = _TRAILING_SPACE.sub("", text)
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
