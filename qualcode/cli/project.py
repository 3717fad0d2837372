"""`qualcode init` and `qualcode status`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import (
    FormatOption,
    RawOption,
    coder_option,
    open_project,
    project_path,
)
from qualcode.cli.pseudonyms import IdentifiableOption
from qualcode.cli.render import OutputFormat, console, emit_json, emit_rows, plain


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("status")(status)
    app.command("copy")(copy)
    app.command("merge")(merge)


def init(ctx: typer.Context) -> None:
    """Create a new, empty project: a file, or the tables in an empty PostgreSQL
    database (--project postgresql://…)."""
    from qualcode.services.project import init_project

    store = init_project(project_path(ctx))
    console.print(f"Created project [bold]{plain(store.location)}[/] "
                  f"(schema {store.schema_version()}).")
    console.print("Next: qualcode codebook load FILE · qualcode attributes import FILE · "
                  "qualcode import TRANSCRIPTS…", highlight=False)


def status(ctx: typer.Context, fmt: FormatOption = OutputFormat.table,
           raw: RawOption = False, identifiable: IdentifiableOption = False) -> None:
    """What the project holds: cases, transcripts, codes, codings, open problems."""
    from qualcode.cli.pseudonyms import listing_key, masked
    from qualcode.services.overview import project_status

    store = open_project(ctx)
    info = masked(project_status(store), listing_key(store, identifiable).key)
    info["project"] = store.location  # the file's own name is the user's, not the study's
    if fmt is OutputFormat.json:
        emit_json(info)
        return
    if fmt is OutputFormat.csv:
        flat = {k: v for k, v in info.items() if not isinstance(v, (dict, list))}
        emit_rows([{"key": k, "value": v} for k, v in flat.items()], fmt, raw=raw)
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
    if info["recordings"]:
        rows.append(("Recordings", f"{info['recordings']}"))
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
    if info["recording_problems"]:
        console.print(f"\n[yellow]{len(info['recording_problems'])} recording(s) missing or "
                      "changed[/] (attach them again: qualcode media attach TRANSCRIPT FILE):")
        for item in info["recording_problems"]:
            console.print(f"  {item['transcript']}: {item['recording']} — {item['state']}",
                          highlight=False, markup=False)
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


def merge(
    ctx: typer.Context,
    other: Annotated[str, typer.Argument(
        help="Another copy of the study: a project file, or a postgresql:// URL.",
        show_default=False)],
    coder: Annotated[list[str] | None, typer.Option(
        "--coder", "-c", callback=coder_option,
        help="Only this coder's layer (repeat for several).")] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Replace this project's layer of the --coder(s) named with the "
                          "other copy's.")] = False,
) -> None:
    """Bring in the coders' layers and memos of another copy of the same study (a second
    coder's laptop, a team database). Transcripts are matched by their text, codes by id,
    coders by name; all or nothing, and merging twice changes nothing."""
    from qualcode.domain.errors import InputFileError
    from qualcode.services.merge import merge_project, open_other

    if replace and not coder:
        raise InputFileError("--replace", "name the coder(s) whose layer to replace with "
                             "--coder NAME")
    store = open_project(ctx)
    report = merge_project(store, open_other(other if "://" in other else Path(other)),
                           replace_coders=coder if replace else None, only_coders=coder)
    for name, n in report.added.items():
        replaced = report.replaced.get(name)
        console.print(f"{name}: {n} coding(s) merged in"
                      + (f" (replacing {replaced} here)" if replaced else ""),
                      highlight=False, markup=False)
    for name in report.unchanged:
        console.print(f"{name}: the same in both copies", highlight=False, markup=False)
    if report.memos:
        console.print(f"{report.memos} memo(s) merged in", highlight=False)
    for line in report.recordings:
        console.print(f"recording attached (left where it is): {line}", highlight=False,
                      markup=False, soft_wrap=True)
    for line in report.recordings_not_found:
        console.print(f"recording not attached: {line}", highlight=False, markup=False,
                      soft_wrap=True)
    if report.reanchored:
        console.print(f"{report.reanchored} coding(s) carried over to this project's text of "
                      "their transcript", highlight=False)
    if report.skipped_codings:
        console.print(f"{report.skipped_codings} coding(s) left out: their transcripts are "
                      "not in this project, or their text is not", highlight=False)
    for label, names in (("not in this project", report.transcripts_not_here),
                         ("with another text here", report.transcripts_changed)):
        if names:
            console.print(f"Transcripts {label}: {', '.join(names)}", highlight=False,
                          markup=False)
    if not report.changed:
        console.print("Nothing to merge: this project already has everything.")
