"""Helpers shared by the command modules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.render import OutputFormat

FormatOption = Annotated[OutputFormat, typer.Option(
    "--format", "-f", help="table for reading, csv or json for other programs.",
    case_sensitive=False)]


def project_path(ctx: typer.Context) -> Path | str:
    """The project file, or a database URL as given (a URL is no path)."""
    root = ctx.find_root()
    target = str((root.obj or {}).get("project") or "qualcode.db")
    return target if "://" in target else Path(target)


def open_project(ctx: typer.Context):
    from qualcode.services.project import open_project as _open

    return _open(project_path(ctx))


RawOption = Annotated[bool, typer.Option(
    "--raw", help="CSV: write text exactly as stored. By default text that a spreadsheet "
    "would run as a formula (starting with =, +, -, @, tab or carriage return) gets a "
    "leading apostrophe ('=1+1); use --raw for programs that read the CSV.")]
