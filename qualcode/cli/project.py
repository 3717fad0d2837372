"""`qualcode init` and `qualcode status`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import FormatOption, open_project, project_path
from qualcode.cli.render import OutputFormat, console, emit_json, emit_rows, plain


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("status")(status)
    app.command("copy")(copy)


def init(ctx: typer.Context) -> None:
    """Create a new, empty project: a file, or the tables in an empty PostgreSQL
    database (--project postgresql://…)."""
    from qualcode.services.project import init_project

    store = init_project(project_path(ctx))
    console.print(f"Created project [bold]{plain(store.location)}[/] "
                  f"(schema {store.schema_version()}).")
    console.print("Next: qualcode codebook load FILE · qualcode attributes import FILE · "
                  "qualcode import TRANSCRIPTS…", highlight=False)


def status(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """What the project holds: cases, transcripts, codes, codings, open problems."""
    from qualcode.services.overview import project_status

    info = project_status(open_project(ctx))
    if fmt is OutputFormat.json:
        emit_json(info)
        return
    if fmt is OutputFormat.csv:
        flat = {k: v for k, v in info.items() if not isinstance(v, (dict, list))}
        emit_rows([{"key": k, "value": v} for k, v in flat.items()], fmt)
        return
    from rich.table import Table

    cb = info["codebook"]
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    formats = ", ".join(f"{k} {v}" for k, v in info["transcripts_by_format"].items())
    coders = ", ".join(f"{k} {v}" for k, v in info["codings_by_coder"].items())
    rows = [
        ("Project", f"{info['project']} (schema {info['schema_version']})"),
        ("Codebook", f"{cb['name']} v{cb['version']} ({info['codes']} codes)" if cb
         else "none loaded — qualcode codebook load FILE"),
        ("Sites", str(info["sites"])),
        ("Persons", f"{info['persons']} ({info['participations']} participations)"),
        ("Transcripts", f"{info['transcripts']}" + (f" — {formats}" if formats else "")),
        ("Turns / words", f"{info['turns']} / {info['words']:,}".replace(",", " ")),
        ("Codings", f"{info['codings']}" + (f" — {coders}" if coders else "")),
    ]
    for key, value in rows:
        table.add_row(key, plain(value))
    console.print(table)
    if info["unmapped_speakers"]:
        console.print(f"\n[yellow]{len(info['unmapped_speakers'])} speaker label(s) not mapped "
                      "to a person[/] (map them in the transcript's metadata or a sheet):")
        for item in info["unmapped_speakers"]:
            role = f" — counted as {item['role']}" if item["role"] else ""
            console.print(f"  {item['transcript']}: {item['label']}{role}", highlight=False,
                          markup=False)
    if info["transcripts_without_site"]:
        console.print(f"\n[yellow]Transcripts without a site:[/] "
                      f"{plain(', '.join(info['transcripts_without_site']))}", highlight=False)


def copy(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(
        help="A new project file, or the postgresql://user@host/db URL of an empty "
             "database.", show_default=False)],
) -> None:
    """Copy the whole project into a new file or an empty PostgreSQL database: to share a
    study with a team, or to archive a team's database as one file."""
    from qualcode.services.project import copy_project

    source = open_project(ctx)
    copied, counts = copy_project(source, target if "://" in target else Path(target))
    console.print(
        f"Copied {plain(source.location)} to [bold]{plain(copied.location)}[/]: "
        f"{counts['transcript']} transcripts, {counts['turn']} turns, {counts['code']} codes, "
        f"{counts['coding']} codings, {counts['audit_event']} audit events.", highlight=False,
        soft_wrap=True)  # paths and URLs stay whole, to copy from the terminal
    console.print(f"Use it with --project {copied.location} or QUALCODE_PROJECT.",
                  highlight=False, soft_wrap=True, markup=False)
