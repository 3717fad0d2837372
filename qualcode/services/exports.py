"""Matrices and the persons × codes presence table as spreadsheets (xlsx, CSV): numbers
stay numbers, and text that would start a formula is written as text. openpyxl is imported
inside the functions that use it."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from qualcode.output import atomic_output, csv_cell, save_workbook
from qualcode.services import matrix as mx

HEADER_FILL = "DCE6F0"


# --- matrices as files ------------------------------------------------------------------

def _xlsx_header(ws, m: mx.Matrix, textual: bool) -> int:
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    nested = len(m.dimensions) == 2
    n_header = 2 if nested else 1
    fixed = ["code", "label", "depth"]
    for j, name in enumerate(fixed, start=1):
        ws.cell(row=1, column=j, value=name)
        if nested:
            ws.merge_cells(start_row=1, end_row=2, start_column=j, end_column=j)
    ncols = len(m.columns)
    if nested:
        start = 0
        while start < ncols:
            end = start
            while end + 1 < ncols and m.columns[end + 1][0] == m.columns[start][0]:
                end += 1
            ws.cell(row=1, column=4 + start,
                    value=mx.value_display(m.dimensions[0], m.columns[start][0]))
            if end > start:
                ws.merge_cells(start_row=1, end_row=1, start_column=4 + start,
                               end_column=4 + end)
            start = end + 1
        for i, key in enumerate(m.columns):
            ws.cell(row=2, column=4 + i, value=mx.value_display(m.dimensions[1], key[1]))
    else:
        for i in range(ncols):
            ws.cell(row=1, column=4 + i, value=m.column_label(i))
    ws.cell(row=1, column=4 + ncols, value="total")
    if nested:
        ws.merge_cells(start_row=1, end_row=2, start_column=4 + ncols, end_column=4 + ncols)
    for r in range(1, n_header + 1):
        for c in range(1, 5 + ncols):
            cell = ws.cell(row=r, column=c)
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(horizontal="center" if c > 3 else "left",
                                       vertical="center", wrap_text=True)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 7
    from openpyxl.utils import get_column_letter

    for c in range(4, 5 + ncols):
        ws.column_dimensions[get_column_letter(c)].width = 60 if textual else 14
    ws.freeze_panes = ws.cell(row=n_header + 1, column=4)
    return n_header


def write_matrix_xlsx(m: mx.Matrix, cells: list[str], path: Path) -> None:
    """One sheet per cell measure (numbers stay numbers), and a sheet with the rules."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    for measure in cells:
        ws = wb.create_sheet(measure[:31])
        textual = measure in ("quotes", "summaries")
        n_header = _xlsx_header(ws, m, textual)
        for r, row in enumerate([*m.rows, m.total_row], start=n_header + 1):
            ws.cell(row=r, column=1, value=row.code if row.kind != "total" else "total")
            ws.cell(row=r, column=2, value=row.label)
            ws.cell(row=r, column=3, value=row.depth)
            values = [*row.cells, row.total]
            for j, cell in enumerate(values):
                target = ws.cell(row=r, column=4 + j)
                if textual:
                    target.value = mx.cell_text(cell, measure) or None
                    target.alignment = Alignment(wrap_text=True, vertical="top")
                else:
                    target.value = cell.value(measure)
                    if measure == "coverage":
                        target.number_format = "0.0"
            if row.kind == "total" or row.depth == 0:
                for c in range(1, 4 + len(values)):
                    ws.cell(row=r, column=c).font = Font(bold=True)
    about = wb.create_sheet("about")
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 110
    lines = [("layer", m.layer), ("columns", " × ".join(m.dimensions) or "all"),
             ("words spoken", m.total_words), ("informants", m.total_informants),
             ("generated", date.today().isoformat()),
             ("counting rules", mx.COUNTING_RULES)]
    for r, (k, v) in enumerate(lines, start=1):
        about.cell(row=r, column=1, value=k).font = Font(bold=True)
        cell = about.cell(row=r, column=2, value=v)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    save_workbook(wb, path)


def write_presence(headers: list[str], records: list[dict], path: Path, *,
                   raw: bool = False) -> None:
    """The persons × codes 0/1 table as CSV (UTF-8, no BOM) or xlsx. Text that would start
    a formula is written as text (in CSV with a leading apostrophe, unless ``raw``)."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        ws.title = "presence"
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for rec in records:
            ws.append([_plain(rec.get(h)) for h in headers])
        ws.freeze_panes = "B2"
        save_workbook(wb, path)
        return
    with atomic_output(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([csv_cell(h, raw=raw) for h in headers])
        for rec in records:
            writer.writerow(["" if rec.get(h) is None else csv_cell(_plain(rec.get(h)), raw=raw)
                             for h in headers])


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
