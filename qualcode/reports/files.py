"""A report's file: the format its name asks for, and the one renderer that writes it.
Both reports are written this way, Word (.docx) or one self-contained HTML page (.html)."""

from __future__ import annotations

from pathlib import Path

FORMATS = (".docx", ".html", ".htm")


def checked_path(path: Path, what: str) -> Path:
    """``path`` if a report can be written there in a format it names; else a one-line
    error, before anything is computed."""
    from qualcode.domain.errors import QualcodeError
    from qualcode.output import check_output_path

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise QualcodeError(f"cannot write {what} as '{suffix or path.name}'",
                            hint="use a .docx or .html file name")
    check_output_path(path)
    return path


def write_document(model, path: Path) -> None:
    """Lay ``model`` out in the format of ``path`` (see :func:`checked_path`)."""
    if path.suffix.lower() == ".docx":
        from qualcode.reports import docx

        docx.write(model, path)
    else:
        from qualcode.output import write_text
        from qualcode.reports import html

        write_text(path, html.render(model))
