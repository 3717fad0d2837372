"""`qualcode codebook validate | load | show`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import FormatOption, Group, RawOption, open_project
from qualcode.cli.render import OutputFormat, console, emit_rows, err_console, plain

app = typer.Typer(cls=Group, help="The YAML codebook: check it, load it into the project, show it.",
                  no_args_is_help=True)

CodebookFile = Annotated[Path, typer.Argument(help="A codebook YAML file.")]


@app.command("validate")
def validate(path: CodebookFile,
             strict: Annotated[bool, typer.Option(
                 "--strict", help="Treat warnings as errors.")] = False) -> None:
    """Report every problem in a codebook file (file:line), errors then warnings."""
    from qualcode.codebook import read_codebook

    codebook, problems = read_codebook(path)
    problems.sort(key=lambda p: (p.severity != "error", p.line or 0))
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        err_console.print(f"[{colour}]{plain(problem)}[/]", highlight=False, soft_wrap=True)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if codebook is not None and not errors:
        tops = sum(1 for c in codebook.codes if c.parent is None)
        console.print(f"{path}: {codebook.name} v{codebook.version}: {len(codebook.codes)} "
                      f"codes in {tops} top-level codes, {warnings} warning(s).",
                      highlight=False, markup=False, soft_wrap=True)
    else:
        console.print(f"{path}: {errors} error(s), {warnings} warning(s).", highlight=False,
                      markup=False, soft_wrap=True)
    if errors or (strict and warnings):
        raise typer.Exit(1)


@app.command("load")
def load(ctx: typer.Context, path: CodebookFile,
         dry_run: Annotated[bool, typer.Option(
             "--dry-run", help="Show what would change; change nothing.")] = False) -> None:
    """Sync a codebook into the project: add, rename (was:), merge, update, archive.

    A code that has codings is never dropped: loading a file without it is refused.
    """
    from qualcode.services.codebooks import load_into_project

    result = load_into_project(open_project(ctx), path, dry_run=dry_run)
    plan = result.plan
    verb = "Would" if dry_run else "Loaded"
    cb = result.codebook
    if plan.is_noop:
        console.print(f"{cb.name} v{cb.version}: the project already matches {path}.",
                      highlight=False, markup=False)
        return
    lines = [
        ("added", plan.added), ("renamed", [f"{a} → {b}" for a, b in plan.renamed]),
        ("merged", [f"{a} → {b} ({n} codings)" for a, b, n in plan.merged]),
        ("changed", [f"{c} ({', '.join(f)})" for c, f in plan.changed]),
        ("archived", plan.archived), ("un-archived", plan.unarchived),
        ("removed (no codings)", plan.removed),
    ]
    head = f"{verb} {cb.name} v{cb.version} from {path}" if not dry_run else \
        f"Would load {cb.name} v{cb.version} from {path} (dry run, nothing changed)"
    console.print(head + ":", highlight=False, markup=False)
    for name, items in lines:
        if items:
            shown = ", ".join(items[:8]) + (f" … (+{len(items) - 8})" if len(items) > 8 else "")
            console.print(f"  {name}: {len(items)} — {shown}", highlight=False, markup=False)


@app.command("show")
def show(ctx: typer.Context, fmt: FormatOption = OutputFormat.table,
         archived: Annotated[bool, typer.Option(
             "--archived/--no-archived", help="Include archived codes.")] = True,
         raw: RawOption = False) -> None:
    """The code tree with coding counts (own, and including descendants)."""
    from qualcode.services.overview import code_tree

    nodes = [n for n in code_tree(open_project(ctx)) if archived or not n.archived]
    if fmt is not OutputFormat.table:
        emit_rows([{
            "id": n.id, "label": n.label, "parent": n.parent, "depth": n.depth,
            "family": n.family, "archived": n.archived, "codings": n.codings,
            "codings_with_descendants": n.codings_with_descendants, "coders": n.coders,
            "description": n.description,
        } for n in nodes], fmt, raw=raw)
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(nodes)} codes", header_style="bold")
    table.add_column("code")
    table.add_column("label")
    table.add_column("codings", justify="right")
    table.add_column("incl. sub", justify="right")
    for n in nodes:
        indent = "  " * n.depth
        style = "dim" if n.archived else ("bold" if n.depth == 0 else "")
        swatch = f"[{n.colour}]■[/] " if n.colour else ""
        label = escape(n.label) + (" [dim](archived)[/]" if n.archived else "")
        table.add_row(f"{indent}{swatch}[{style}]{escape(n.id)}[/]" if style else
                      f"{indent}{swatch}{escape(n.id)}", label, str(n.codings or ""),
                      str(n.codings_with_descendants or ""))
    console.print(table)


@app.command("export")
def export(ctx: typer.Context,
           path: Annotated[Path, typer.Argument(help="The file to write, ending in .qdc.")],
           fmt: Annotated[str, typer.Option(
               "--format", "-f", help="qdc: the REFI-QDA codebook exchange format.")] = "qdc",
           ) -> None:
    """Write the project's code tree as a REFI-QDA codebook (.qdc) that NVivo, ATLAS.ti,
    MAXQDA and QualCoder import; qualcode ids and fields travel in the descriptions."""
    from qualcode.domain.errors import QualcodeError
    from qualcode.services.refi_codebook import write_qdc

    if fmt != "qdc":
        raise QualcodeError(f"--format {fmt} is not a codebook export format",
                            hint="use --format qdc (the YAML file is the codebook itself)")
    count = write_qdc(open_project(ctx), path)
    console.print(f"Wrote {path} (REFI-QDA codebook): {count} codes.", highlight=False,
                  soft_wrap=True)


@app.command("import")
def import_codebook(
    source: Annotated[Path, typer.Argument(help="A REFI-QDA codebook (.qdc) or project "
                                                "(.qdpx) whose codebook is wanted.")],
    out: Annotated[Path, typer.Argument(help="The YAML codebook to write (must not exist).")],
) -> None:
    """Turn a REFI-QDA codebook into a YAML codebook (nothing is loaded into a project: check
    it with `codebook validate`, then `codebook load` it)."""
    from qualcode.domain.errors import ConflictError
    from qualcode.services.refi_import import codebook_from_refi

    if out.exists():
        raise ConflictError(f"'{out}' exists", hint="give a new file name for the codebook")
    text, count, warnings = codebook_from_refi(source)
    for line in warnings:
        err_console.print(f"[yellow]warning:[/] {line}", highlight=False, soft_wrap=True)
    out.write_text(text, encoding="utf-8")
    console.print(f"Wrote {out}: {count} codes from {source}.", highlight=False,
                  soft_wrap=True)
