"""Plain-text and Markdown transcripts."""

from __future__ import annotations

from qualcode.domain.errors import InputFileError
from qualcode.domain.text import decode_text


def decode_transcript(data: bytes, path: str) -> tuple[str, str]:
    if data[:4] == b"PK\x03\x04":
        raise InputFileError(path, "this is a zip/Word file with a text extension",
                             hint="rename it to .docx")
    text, encoding = decode_text(data, path)
    if "\x00" in text:
        raise InputFileError(path, "the file contains binary data, not text",
                             hint="export the transcript as .txt or .docx")
    return text, encoding
