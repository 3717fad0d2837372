"""Output: rich tables for people, CSV and JSON (stable keys, full precision) for pipes."""

from __future__ import annotations

import csv
import json
import sys
from enum import Enum
from typing import Any

from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True)


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return str(value)


def _csv_value(value: Any, raw: bool) -> str:
    """A CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe
    (see :func:`qualcode.output.csv_cell`); numbers are never guarded."""
    from qualcode.output import csv_cell

    text = _cell(value)
    return csv_cell(text, raw=raw) if isinstance(value, (str, list, tuple)) else text


def emit_rows(rows: list[dict], fmt: OutputFormat, *, columns: list[str] | None = None,
              title: str | None = None, table: Table | None = None,
              raw: bool = False) -> None:
    """Print ``rows`` (a list of dicts) as a table, CSV or JSON.

    ``columns`` fixes the column order; for CSV every key found in any row is included.
    ``raw`` writes CSV text as stored, formula-like text included.
    """
    if columns is None:
        columns = []
        for row in rows:
            for key in row:
                if key not in columns:
                    columns.append(key)
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    if fmt is OutputFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([_csv_value(c, raw) for c in columns])
        for row in rows:
            writer.writerow([_csv_value(row.get(c), raw) for c in columns])
        return
    if table is None:
        table = Table(title=title, header_style="bold", show_lines=False)
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*[_cell(row.get(c)) for c in columns])
    console.print(table)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
