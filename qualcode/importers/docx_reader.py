"""Word transcripts, read with python-docx (imported here only: ``--help`` stays fast).

Each paragraph becomes a line. A bold run at the start of a paragraph ("**Rektor:** …" or
"**Rektor** …") is a speaker label and is written as ``Rektor: …`` in the stored text, so
every transcript, whatever its source, has the same plain shape. Transcripts laid out as a
two-column table (speaker | text) are read the same way.
"""

from __future__ import annotations

import io
import zipfile

from qualcode.domain.errors import InputFileError

_MAX_LABEL = 40


def _bold_label(paragraph) -> tuple[str | None, str]:
    """Split a paragraph into (bold leading label, rest of the text)."""
    label_parts: list[str] = []
    runs = list(paragraph.runs)
    i = 0
    while i < len(runs) and (runs[i].bold or (not runs[i].text.strip() and label_parts)):
        label_parts.append(runs[i].text)
        i += 1
    label = "".join(label_parts).strip()
    rest = "".join(r.text for r in runs[i:])
    if not label or len(label) > _MAX_LABEL or ":" in label.rstrip(":"):
        return None, paragraph.text
    if label.endswith(":"):
        label = label[:-1].strip()
    elif rest.lstrip().startswith(":"):
        rest = rest.lstrip()[1:]
    else:  # bold text without a colon is emphasis or a heading, not a speaker
        return None, paragraph.text
    if not label or label[-1] in ".!?":
        return None, paragraph.text
    return label, rest.strip()


def read_docx(data: bytes, path: str) -> tuple[str, set[str]]:
    """Return the transcript text (one line per paragraph) and the bold labels found."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputFileError(path, "not a valid .docx (the file is not a zip archive)",
                             hint="open it in Word or LibreOffice and save it again as .docx")
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types for broken files
        raise InputFileError(path, f"not a readable .docx ({type(exc).__name__}: {exc})",
                             hint="open it in Word or LibreOffice and save it again as .docx"
                             ) from None
    lines: list[str] = []
    labels: set[str] = set()
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            label, rest = _bold_label(block)
            if label:
                labels.add(label)
                lines.append(f"{label}: {rest}")
            else:
                lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells = [c.text.strip() for c in row.cells]
                if len(cells) >= 2 and cells[0] and len(cells[0]) <= _MAX_LABEL:
                    label = cells[0].rstrip(":").strip()
                    labels.add(label)
                    lines.append(f"{label}: {' '.join(cells[1:]).strip()}")
                else:
                    lines.append(" ".join(c for c in cells if c))
    return "\n".join(lines), labels
