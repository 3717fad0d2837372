"""Plain-text and Markdown transcripts."""

from __future__ import annotations

from qualcode.domain.errors import InputFileError
from qualcode.domain.text import decode_bytes


def decode_transcript(data: bytes, path: str) -> tuple[str, str]:
    if data[:4] == b"PK\x03\x04":
        raise InputFileError(path, "this is a zip/Word file with a text extension",
                             hint="rename it to .docx")
    try:
        text, encoding = decode_bytes(data)
    except UnicodeDecodeError:
        raise InputFileError(path, "unknown text encoding (not UTF-8, UTF-16 or cp1252)",
                             hint="save the file as UTF-8") from None
    if "\x00" in text:
        raise InputFileError(path, "the file contains binary data, not text",
                             hint="export the transcript as .txt or .docx")
    return text, encoding
