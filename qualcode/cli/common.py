"""Helpers shared by the command modules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.render import OutputFormat

FormatOption = Annotated[OutputFormat, typer.Option(
    "--format", "-f", help="table for reading, csv or json for other programs.",
    case_sensitive=False)]


def project_path(ctx: typer.Context) -> Path:
    root = ctx.find_root()
    return (root.obj or {}).get("project") or Path("qualcode.db")


def open_project(ctx: typer.Context):
    from qualcode.services.project import open_project as _open

    return _open(project_path(ctx))
