"""A matrix as a Word document (``export matrix matrise.docx``): one landscape table per
cell measure, composed from the matrix service's :class:`~qualcode.services.matrix.Matrix`
and laid out by the one Word renderer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qualcode.reports.document import Cell, Document, Heading, Row, Table, Theme, cell, para
from qualcode.reports.wording import for_language

# The study report's house style (its tables, quotes and notes) on landscape pages.
MATRIX_THEME = Theme(
    heading_sizes={"Heading 1": 16, "Heading 2": 13, "Heading 3": 11.5},
    heading_spacing={"Heading 1": (0, 10), "Heading 2": (14, 6)},
    portrait=(2.5, 2.5, 2.2), landscape=(2.0, 2.5, 2.2), cell_size=9.0, note_after=10.0)
HEADER_FILL = "DCE6F0"
TEXT_WIDTH_CM = 29.7 - 2 * 2.0  # landscape A4 between the margins


def compose_matrix(m: Any, cells: list[str], w=None) -> Document:
    """One table per cell measure, with what the numbers rest on."""
    from qualcode.services import matrix as mx

    w = w or for_language("nb")
    doc = Document(title=w.matrix_title, language=w.language, running_header=w.matrix_title,
                   show_title=False, landscape=True, theme=MATRIX_THEME)
    doc.add(Heading(w.matrix_title, 1), para(w.matrix_intro(m.dimensions, m)))
    width = TEXT_WIDTH_CM
    for n, measure in enumerate(cells, start=1):
        ncols = len(m.columns)
        textual = measure in ("quotes", "summaries")
        label_w = min(6.0, width * 0.25)
        total_w = 0 if measure == "summaries" else (1.8 if not textual else
                                                     (width - label_w) / (ncols + 1))
        cell_w = (width - label_w - total_w) / max(ncols, 1)
        widths = [label_w] + [cell_w] * ncols + ([total_w] if total_w else [])
        align = "left" if textual else "right"
        head = [cell(w.code_header, bold=True)]
        head += [cell(m.column_label(i, "\n"), bold=True, align=align) for i in range(ncols)]
        if total_w:
            head.append(cell(w.total_header, bold=True, align=align))
        rows = [Row(head, header=True)]
        for mrow in [*m.rows, m.total_row]:
            label = w.all_rows if mrow.kind == "total" else \
                ("   " * mrow.depth) + mrow.label
            out = [cell(label, bold=mrow.kind == "total" or mrow.depth == 0)]
            for value in list(mrow.cells) + ([mrow.total] if total_w else []):
                if textual and measure == "quotes":
                    parts = []
                    for q in value.quotes:
                        where = w.where(q["transcript"], q["turns"], q.get("time"))
                        parts += [Cell(cell(q["text"]).runs, role="quote"),
                                  Cell(cell(f"— {w.quote_attribution(q)} ({where})").runs,
                                       role="source")]
                    out.append(Cell(parts[0].runs, role="quote", more=parts[1:]) if parts
                               else cell(""))
                else:
                    text = mx.cell_text(value, measure)
                    out.append(cell(text.replace(".", w.decimal) if measure == "coverage"
                                    else text, align=align))
            rows.append(Row(out))
        doc.add(Table(widths, rows, header_fill=HEADER_FILL,
                      caption=w.matrix_caption(n, measure),
                      notes=[para(w.matrix_note, role="note")]))
    return doc


def write_matrix_docx(m: Any, cells: list[str], path: Path, *, language: str = "nb") -> None:
    """A Word document with one landscape table per cell measure."""
    from qualcode.reports import docx

    docx.write(compose_matrix(m, cells, for_language(language)), path)
