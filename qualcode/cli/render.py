"""Output: rich tables for people, CSV and JSON (stable keys, full precision) for pipes."""

from __future__ import annotations

import csv
import json
import sys
import unicodedata
from enum import Enum
from typing import Any

from rich.console import Console
from rich.markup import escape
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
            table.add_row(*[plain(_cell(row.get(c))) for c in columns])
    console.print(table)


def plain(text: object) -> str:
    """User text (a path, a name, a memo) made safe to put inside rich markup: a project
    called `studie [final]` is shown as it is, not read as a style."""
    return escape(str(text))


# Escapes that read as what they stand for; other control characters show their code.
_VISIBLE = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """``text`` with line breaks and other control characters shown as escapes (``\\n``,
    ``\\x1b``, ``\\u2028``): a file name with a newline cannot split an error line, and
    one with terminal escapes cannot move the cursor."""
    return "".join(_VISIBLE.get(ch) or (ch.encode("unicode_escape").decode("ascii")
                                        if _invisible(ch) else ch) for ch in text)


def _invisible(ch: str) -> bool:
    # Cc: C0 and C1 controls; Zl, Zp: line and paragraph separators; Cf holds the
    # bidirectional overrides that can make a name read backwards.
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp") or \
        "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069"


def print_error(message: str) -> None:
    """The one line of an error on stderr: ``error: <message>``."""
    err_console.print(f"[bold red]error:[/] {plain(one_line(message))}", soft_wrap=True,
                      highlight=False)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
