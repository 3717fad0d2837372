"""`qualcode pseudonyms scan|list|import|export|check|apply`, and the options every export
shares: ``--identifiable`` and ``--force``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import FormatOption, Group, open_project
from qualcode.cli.render import OutputFormat, console, emit_rows, err_console

app = typer.Typer(cls=Group, no_args_is_help=True,
                  help="De-identification: the pseudonym key, the scan that proposes it, the "
                       "leak check, and replacing the names in the project at its end.")

IdentifiableOption = Annotated[bool, typer.Option(
    "--identifiable", help="Leave names in: do not apply the pseudonym key. The output says "
    "so, and the audit log records it.")]
ForceOption = Annotated[bool, typer.Option(
    "--force", help="With --identifiable: replace an existing file that is not marked "
    "identifiable.")]


def export_key(store, path: Path, identifiable: bool, force: bool):
    """The key an export applies; refuses to write names over a file that is not marked
    identifiable unless --force."""
    from qualcode.services.pseudonyms import export_key as _export_key
    from qualcode.services.pseudonyms import guard_output

    guard_output(path, identifiable=identifiable, force=force)
    return _export_key(store, identifiable=identifiable)


def exported(store, what: str, path: Path, ek) -> None:
    """After an export: the audit entry, and, once, what was not pseudonymised."""
    from qualcode.services.pseudonyms import record_export

    record_export(store, what, path, ek)
    tell(ek)
    if ek.identifiable:
        err_console.print(f"[yellow]note:[/] {_escape(str(path))} keeps the names "
                          "(--identifiable); the audit log records it", highlight=False,
                          soft_wrap=True)


def tell(ek) -> None:
    if ek.notice:
        err_console.print(f"[yellow]warning:[/] {ek.notice}", highlight=False, soft_wrap=True)


def listing_key(store, identifiable: bool):
    """The key a listing on the terminal applies (quotes, matrix cells): the same default
    as a file export, without the file checks and the audit entry."""
    from qualcode.services.pseudonyms import export_key as _export_key

    return _export_key(store, identifiable=identifiable)


def masked(data, key):
    """Every text in a listing's rows (titles, names, attribute values) with the key
    applied; numbers, ids as stored and the structure stay as they are."""
    if not key:
        return data
    if isinstance(data, str):
        return key.apply(data)
    if isinstance(data, dict):
        return {k: masked(v, key) for k, v in data.items()}
    if isinstance(data, list):
        return [masked(v, key) for v in data]
    return data


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _shown(rows: list[dict], fmt: OutputFormat) -> list[dict]:
    """Replacements such as [sted] are text, not markup, in a table."""
    if fmt is not OutputFormat.table:
        return rows
    return [{k: _escape(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]


@app.command("scan")
def scan(
    ctx: typer.Context,
    into: Annotated[Path | None, typer.Option(
        "--into", help="Add the candidates to this key file (pseudonyms.yaml) for review; "
        "entries already there stay as they are.", show_default=False)] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Propose the key: names the project knows (schools, persons, speaker labels), and
    what the transcripts hold that may identify someone — capitalised words that are not
    ordinary words, e-mail addresses, phone and personal numbers, addresses, URLs. An aid,
    not a guarantee: read the transcripts too."""
    from qualcode.services.pseudonyms import candidates_into_file, project_key, scan_project

    store = open_project(ctx)
    found = scan_project(store)
    rows = [{"candidate": c.text, "kind": c.kind, "found as": c.source, "count": c.count,
             "transcripts": len(c.transcripts), "replacement": c.replacement,
             "context": c.context} for c in found]
    if into is not None:
        added = candidates_into_file(found, into, project_key(store))
        console.print(f"Added {added} candidates to {into}: keep, edit or delete each, then "
                      f"`qualcode pseudonyms import {into}`.", highlight=False, soft_wrap=True)
        return
    emit_rows(_shown(rows, fmt), fmt, title=f"{len(rows)} candidates for the pseudonym key")


@app.command("list")
def list_key(ctx: typer.Context, fmt: FormatOption = OutputFormat.table) -> None:
    """The project's pseudonym key."""
    from qualcode.services.pseudonyms import project_key

    key = project_key(open_project(ctx))
    if not key and fmt is OutputFormat.table:
        console.print("The project has no pseudonym key (see `qualcode pseudonyms scan`).",
                      highlight=False)
        return
    emit_rows(_shown([{"original": e.original, "replacement": e.replacement, "kind": e.kind,
                       "variants": ", ".join(e.variants)} for e in key.entries], fmt), fmt,
              columns=["original", "replacement", "kind", "variants"])


@app.command("import")
def import_key(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The key file (pseudonyms.yaml).")],
) -> None:
    """Make a key file the project's key (it replaces the key the project had)."""
    from qualcode.services.pseudonyms import import_key as _import

    result = _import(open_project(ctx), path)
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/] {_escape(warning)}", highlight=False,
                          soft_wrap=True)
    console.print(f"Pseudonym key: {result.entries} entries ({result.added} added, "
                  f"{result.changed} changed, {result.removed} removed).", highlight=False)


@app.command("export")
def export_key_file(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The key file to write (pseudonyms.yaml); "
                                              "comments in an existing file are kept.")],
) -> None:
    """Write the project's key as YAML, for review. Keep it as safe as the transcripts."""
    from qualcode.services.pseudonyms import export_key_file as _export

    n = _export(open_project(ctx), path)
    console.print(f"Wrote {path}: {n} entries.", highlight=False)


@app.command("check")
def check(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(
        help="Outputs to check: .docx, .html, .xlsx, .csv, .json, .md, .txt, .qdpx.")],
    key_file: Annotated[Path | None, typer.Option(
        "--key", help="Check against this key file instead of the project's key.",
        show_default=False)] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Report every original of the key that an output still holds, with where. Exit
    status 1 if any."""
    from qualcode.services.pseudonyms import check_outputs

    store = None if key_file else open_project(ctx)
    key, leaks = check_outputs(store, paths, key_file)
    if leaks or fmt is not OutputFormat.table:
        emit_rows(_shown([{"file": leak.path, "where": leak.where, "original": leak.original,
                           "found": leak.found, "context": leak.context} for leak in leaks],
                         fmt), fmt,
                  columns=["file", "where", "original", "found", "context"],
                  title=f"{len(leaks)} originals left in {len(paths)} file(s)")
    if leaks:
        raise typer.Exit(1)
    if fmt is OutputFormat.table:
        console.print(f"No original of the key ({len(key)} entries) in {len(paths)} "
                      "file(s).", highlight=False)


@app.command("apply")
def apply(
    ctx: typer.Context,
    irreversible: Annotated[bool, typer.Option(
        "--irreversible", help="Required: the originals are gone afterwards.")] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask (for scripts).")] = False,
) -> None:
    """At the end of the project: replace every original in the project itself
    (transcripts, codings, labels, attributes, memos), re-anchor every coding on the new
    text, and delete the key. Cannot be undone; copy the project first if in doubt."""
    if not irreversible:
        raise typer.BadParameter("this replaces the names in the project for good: "
                                 "add --irreversible", param_hint="--irreversible")
    from qualcode.services.pseudonyms import apply_irreversibly, project_key

    store = open_project(ctx)
    key = project_key(store)
    if key and not yes and not typer.confirm(
            f"Replace {len(key)} originals in {store.location} for good and delete the key?",
            default=False, err=True):
        err_console.print("Nothing was changed.", highlight=False)
        raise typer.Exit(1)
    done = apply_irreversibly(store)
    console.print(f"Replaced {done.replacements} occurrences in {done.transcripts} "
                  f"transcripts, re-anchored {done.codings} codings, changed "
                  f"{done.other_fields} labels, names, attributes and memos; the key "
                  f"({done.entries} entries) is deleted.", highlight=False, soft_wrap=True)


def export_transcripts(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(
        help="Folder to write into (made if missing); files of the same name are replaced.")],
    as_: Annotated[list[str] | None, typer.Option(
        "--as", help="txt, docx, or both (repeat). Default: txt.", show_default=False)] = None,
    transcript: Annotated[list[str] | None, typer.Option(
        "--transcript", "-t", help="Only these transcripts.", show_default=False)] = None,
    identifiable: IdentifiableOption = False,
    force: ForceOption = False,
) -> None:
    """De-identified transcripts for a second coder outside the project group or for an
    archive: .txt and/or .docx, each with a YAML sidecar of its metadata (title, site,
    interview attributes, speakers) that `qualcode import` reads back. Names are replaced
    by the project's pseudonym key unless --identifiable."""
    from qualcode.services.pseudonyms import guard_output
    from qualcode.services.transcript_export import export_transcripts as _export

    store = open_project(ctx)
    if directory.is_dir():
        for existing in sorted(directory.glob("*.yaml")):
            guard_output(existing, identifiable=identifiable, force=force)
    ek = export_key(store, directory, identifiable, force)
    done = _export(store, directory, formats=tuple(dict.fromkeys(as_ or ["txt"])),
                   key=ek.key, identifiable=identifiable, transcripts=transcript)
    exported(store, "transcripts", directory, ek)
    state = "pseudonymised" if ek.key else "not pseudonymised"
    console.print(f"Wrote {done.transcripts} transcripts ({state}) to {directory}: "
                  f"{len(done.files)} files.", highlight=False)
