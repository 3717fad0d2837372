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
        help="Transcript files (.txt, .md, .docx, .vtt, .srt) or folders of them, or one "
             "REFI-QDA project (.qdpx, or a bare .qde beside its sources).")],
    replace: Annotated[bool, typer.Option(
        "--replace", help="Update transcripts whose text changed: codings move, grow and "
                          "shrink with the corrected text; the import is refused if a "
                          "coding's text is gone.")] = False,
    remove_lost: Annotated[bool, typer.Option(
        "--remove-lost-codings", help="With --replace: remove codings whose text is gone from "
                                      "the new version (the audit log keeps them).")] = False,
    positions: Annotated[str, typer.Option(
        "--positions", help="A .qdpx only: what its selection positions count — auto "
                            "(detected per source), codepoints (the standard), utf16 "
                            "(UTF-16 units), utf16-crlf (NVivo for Windows), codepoints-lf "
                            "(ATLAS.ti), utf8 (bytes).")] = "auto",
    codebook: Annotated[Path | None, typer.Option(
        "--codebook", help="A .qdpx only: the YAML codebook file to write (default: "
                           "<FILE>.codebook.yaml next to the project).")] = None,
) -> None:
    """Import transcripts with their speakers and metadata — all or nothing.

    A REFI-QDA project (.qdpx from NVivo, ATLAS.ti, MAXQDA, QualCoder or qualcode) is
    imported whole: sources, codebook, coders and codings, memos, cases and variables."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from qualcode.domain.errors import QualcodeError
    from qualcode.services.ingest import expand_paths
    from qualcode.services.ingest import import_transcripts as run

    qdpx = [p for p in paths if p.suffix.lower() in (".qdpx", ".qde")]
    if remove_lost and not replace:
        raise QualcodeError("--remove-lost-codings applies to --replace",
                            hint="add --replace to update transcripts whose text changed")
    if qdpx:
        if replace:
            raise QualcodeError("--replace does not apply to a REFI-QDA project",
                                hint="import it into a new project instead")
        _import_qdpx(ctx, paths, positions, codebook)
        return
    if positions != "auto" or codebook is not None:
        raise QualcodeError("--positions and --codebook apply to a REFI-QDA project (.qdpx)",
                            hint="leave them out when importing transcripts")
    store = open_project(ctx)
    files = expand_paths(paths)
    with Progress(TextColumn("Reading"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.description}"), console=err_console,
                  transient=True,
                  # Off a terminal the bar would leave a blank line above an error.
                  disable=len(files) < 4 or not err_console.is_terminal) as bar:
        task = bar.add_task("", total=len(files))
        report = run(store, files, replace=replace, remove_lost=remove_lost,
                     progress=lambda name: bar.update(task, advance=1, description=name))

    for line in report.warnings:
        err_console.print(f"[yellow]warning:[/] {plain(line)}", highlight=False, soft_wrap=True)
    for line in report.reanchored:
        console.print(f"re-anchored: {line}", highlight=False, markup=False)
    for moved in report.moved:
        console.print(f"  {_coding_line(moved)}: {_change(moved)}", highlight=False,
                      markup=False)
    for lost in report.removed:
        console.print(f"removed (its text is gone): {_coding_line(lost)}: "
                      f"{_passage(lost.quote)}", highlight=False, markup=False)
    if report.metadata_updated:
        console.print(f"metadata updated: {len(report.metadata_updated)} transcripts "
                      f"({', '.join(report.metadata_updated)})", highlight=False, markup=False)
    parts = [f"{len(report.added)} added"]
    if report.replaced:
        parts.append(f"{len(report.replaced)} replaced")
    if report.unchanged:
        parts.append(f"{len(report.unchanged)} unchanged")
    console.print(f"Imported transcripts: {', '.join(parts)} — {report.turns} turns, "
                  f"{report.words} words.", highlight=False, markup=False)


def _coding_line(coding) -> str:
    return f"#{coding.pk} {coding.coder} {coding.code} in {coding.transcript}"


def _passage(text: str) -> str:
    from qualcode.domain.text import excerpt

    return f"«{excerpt(text)}»"


def _change(moved) -> str:
    """Old → new text of a moved coding, both cut where they first differ, so the edit
    shows even in a long passage."""
    if moved.new_quote == moved.quote:
        return (f"[{moved.start}-{moved.end}) → [{moved.new_start}-{moved.new_end}), "
                "its text unchanged")
    old, new = moved.quote, moved.new_quote
    same = next((k for k, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
                min(len(old), len(new)))
    if same > 25:  # beyond what an excerpt shows
        old, new = "…" + old[same - 15:], "…" + new[same - 15:]
    return f"{_passage(old)} → {_passage(new)}"


def _import_qdpx(ctx: typer.Context, paths: list[Path], positions: str,
                 codebook: Path | None) -> None:
    from rich.markup import escape

    from qualcode.domain.errors import QualcodeError
    from qualcode.importers.refi_positions import CHOICES
    from qualcode.services.refi_import import import_qdpx

    if len(paths) != 1:
        raise QualcodeError("a REFI-QDA project is imported on its own",
                            hint="import it in one command, other files in another")
    if positions not in CHOICES:
        raise QualcodeError(f"--positions {positions} is not a convention",
                            hint=f"use one of {', '.join(CHOICES)}")
    report = import_qdpx(open_project(ctx), paths[0], positions=positions,
                         codebook_path=codebook)
    for line in report.warnings:
        err_console.print(f"[yellow]warning:[/] {line}", highlight=False, soft_wrap=True)
    for line in report.skipped:
        err_console.print(f"[yellow]skipped:[/] {line}", highlight=False, soft_wrap=True)
    for line in report.renamed_coders:
        err_console.print(f"[yellow]coder renamed[/] (a name ending in @ and digits is a "
                          f"coder's later round): {escape(line)}", highlight=False,
                          soft_wrap=True)
    for line in report.missing_recordings:
        err_console.print(f"[yellow]recording not attached:[/] {escape(line)}",
                          highlight=False, soft_wrap=True)
    used = sorted(set(report.conventions.values()))
    if len(used) > 1:  # say which source was read which way
        for name, convention in report.conventions.items():
            console.print(f"positions of {name}: {convention}", highlight=False)
    console.print(
        f"Imported {paths[0]}: {len(report.transcripts)} transcripts"
        + (f" ({len(report.unchanged)} already in the project)" if report.unchanged else "")
        + f", {report.codes} codes, {report.codings} codings by "
        f"{len(report.coders)} coders ({report.coding_memos} with memos)"
        + (f", {report.duplicates} already there" if report.duplicates else "")
        + f", {report.memos} memos"
        + (f" ({report.uncoded_selections} of them passages nobody coded)"
           if report.uncoded_selections else "")
        + f", {report.persons} persons, "
        f"{report.sites} sites, {report.turns} turns ({report.speaker_labels} speaker "
        f"labels); positions read as {', '.join(used) or '-'}."
        + (f" Times of {len(report.timed)} transcripts from their sync points."
           if report.timed else "")
        + (f" Codebook: {report.codebook_file}." if report.codebook_file else ""),
        highlight=False, soft_wrap=True)
    for line in report.recordings:
        console.print(f"recording attached (left where it is): {line}", highlight=False,
                      markup=False, soft_wrap=True)


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
