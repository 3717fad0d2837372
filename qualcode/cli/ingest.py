"""`qualcode import` and `qualcode attributes import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import Group, open_project
from qualcode.cli.render import console, err_console, plain

attributes_app = typer.Typer(cls=Group, no_args_is_help=True,
                             help="Attributes of sites (schools), persons and interviews.")


def register(app: typer.Typer) -> None:
    app.command("import")(import_transcripts)
    app.add_typer(attributes_app, name="attributes")


def import_transcripts(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(
        help="Transcript files (.txt, .md, .docx, .vtt, .srt) or folders of them.")],
    replace: Annotated[bool, typer.Option(
        "--replace", help="Update transcripts whose text changed (codings are re-anchored "
                          "or the import is refused).")] = False,
) -> None:
    """Import transcripts with their speakers and metadata — all or nothing."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from qualcode.services.ingest import expand_paths
    from qualcode.services.ingest import import_transcripts as run

    store = open_project(ctx)
    files = expand_paths(paths)
    with Progress(TextColumn("Reading"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.description}"), console=err_console,
                  transient=True,
                  # Off a terminal the bar would leave a blank line above an error.
                  disable=len(files) < 4 or not err_console.is_terminal) as bar:
        task = bar.add_task("", total=len(files))
        report = run(store, files, replace=replace,
                     progress=lambda name: bar.update(task, advance=1, description=name))

    for line in report.warnings:
        err_console.print(f"[yellow]warning:[/] {plain(line)}", highlight=False, soft_wrap=True)
    for line in report.reanchored:
        console.print(f"re-anchored: {line}", highlight=False, markup=False)
    parts = [f"{len(report.added)} added"]
    if report.replaced:
        parts.append(f"{len(report.replaced)} replaced")
    if report.unchanged:
        parts.append(f"{len(report.unchanged)} unchanged")
    console.print(f"Imported transcripts: {', '.join(parts)} — {report.turns} turns, "
                  f"{report.words} words.", highlight=False, markup=False)


@attributes_app.command("import")
def import_attributes(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(
        help="sites.csv, persons.csv, interviews.csv, or one YAML with sites:/persons:/"
             "transcripts:.")],
) -> None:
    """Import attribute sheets — all or nothing."""
    from rich.markup import escape

    from qualcode.services.ingest import import_attributes as run

    report = run(open_project(ctx), paths)
    for line in report.warnings:
        err_console.print(f"[yellow]warning:[/] {escape(line)}", highlight=False,
                          soft_wrap=True)
    console.print(
        f"Sites: {report.sites_added} added, {report.sites_updated} updated · "
        f"persons: {report.persons_added} added, {report.persons_updated} updated · "
        f"transcripts: {report.transcripts_updated} updated.", highlight=False, markup=False)
