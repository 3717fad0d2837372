"""`qualcode coding import` (more coding commands come with the coding workbench)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import open_project
from qualcode.cli.render import console

app = typer.Typer(help="Codings: spans of transcripts coded by a coder.", no_args_is_help=True)


@app.command("import")
def import_codings(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(
        help="CSV files with transcript, turns | start,end, code, coder, memo.")],
) -> None:
    """Import codings from a coding file — validated whole, all or nothing."""
    from qualcode.services.codings import import_codings as run

    report = run(open_project(ctx), paths)
    per = ", ".join(f"{k} {v}" for k, v in sorted(report.by_coder.items()))
    skipped = (f"; {report.skipped_duplicates} already present"
               if report.skipped_duplicates else "")
    console.print(f"Imported {report.added} codings ({per or 'none new'}){skipped}.",
                  highlight=False)
