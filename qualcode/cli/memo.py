"""`qualcode memo add | list | show | edit`: analytic memos on codes, transcripts,
informants, schools and the project (a research journal)."""

from __future__ import annotations

from typing import Annotated

import typer

from qualcode.cli.common import FormatOption, Group, open_project
from qualcode.cli.render import OutputFormat, console, emit_rows

app = typer.Typer(cls=Group, no_args_is_help=True,
                  help="Memos on codes, transcripts, informants, schools and the project.")

AboutArgument = Annotated[str, typer.Argument(
    help="What the memo is about: project, code:ID, transcript:NAME, person:ID or site:ID.")]


def _from_editor(start: str = "") -> str:
    """The text written in $EDITOR (VISUAL, EDITOR, else nano or vi)."""
    import os
    import shlex
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from qualcode.domain.errors import InputFileError

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or next(
        (e for e in ("nano", "vi") if shutil.which(e)), None)
    if not editor:
        raise InputFileError("memo", "no editor: give the text as an argument, or set EDITOR")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "memo.md"
        path.write_text(start, encoding="utf-8")
        subprocess.run([*shlex.split(editor), str(path)], check=False)
        return path.read_text(encoding="utf-8")


@app.command("add")
def add(
    ctx: typer.Context,
    about: AboutArgument,
    text: Annotated[str | None, typer.Argument(
        help="The memo; leave it out to write it in $EDITOR.")] = None,
    title: Annotated[str | None, typer.Option("--title", "-t", help="A short title.")] = None,
) -> None:
    """Write a memo; `qualcode memo add project "…"` keeps a dated research journal."""
    from qualcode.services.memos import add_memo

    pk = add_memo(open_project(ctx), about, text if text is not None else _from_editor(),
                  title=title)
    console.print(f"memo #{pk} on {about}", highlight=False, markup=False)


@app.command("list")
def list_(
    ctx: typer.Context,
    about: Annotated[str | None, typer.Option(
        "--on", "--about", "-a", help="Only memos on one kind of thing (code, transcript, "
        "person, site, project) or on one thing (code:LED, transcript:NAME).")] = None,
    search: Annotated[str | None, typer.Option(
        "--search", "-s", help="Only memos whose title or text holds this (case does not "
        "matter; æ, ø, å may be written ae, o, aa).")] = None,
    fmt: FormatOption = OutputFormat.table,
) -> None:
    """Memos, newest first; `--format csv|json` for other programs."""
    from qualcode.services.memos import list_memos

    rows = list_memos(open_project(ctx), about, search=search)
    if fmt is not OutputFormat.table:
        emit_rows(rows, fmt, columns=["id", "about", "author", "title", "text", "created",
                                      "updated"])
        return
    from rich.table import Table

    table = Table(header_style="bold", title=f"{len(rows)} memo(s)", show_lines=True)
    for column in ("id", "about", "written", "memo"):
        table.add_column(column, ratio=1 if column == "memo" else None,
                         no_wrap=column in ("id", "written"))
    for r in rows:
        body = (f"{r['title']}\n" if r["title"] else "") + r["text"]
        table.add_row(str(r["id"]), r["about"], f"{r['created'][:16].replace('T', ' ')}\n"
                      f"{r['author'] or ''}", body)
    console.print(table)


@app.command("show")
def show(ctx: typer.Context, memo_id: Annotated[int, typer.Argument(help="The memo's id.")]
         ) -> None:
    """One memo in full."""
    from qualcode.services.memos import get_memo

    m = get_memo(open_project(ctx), memo_id)
    console.print(f"memo #{m['id']} on {m['about']} — {m['author'] or '?'}, {m['created']}"
                  + (f" (changed {m['updated']})" if m["updated"] != m["created"] else ""),
                  highlight=False, markup=False, style="dim")
    if m["title"]:
        console.print(m["title"], highlight=False, markup=False, style="bold")
    console.print(m["text"], highlight=False, markup=False)


@app.command("edit")
def edit(
    ctx: typer.Context,
    memo_id: Annotated[int, typer.Argument(help="The memo's id.")],
    text: Annotated[str | None, typer.Argument(
        help="The new text; leave it out to edit in $EDITOR. An empty text removes it.")
    ] = None,
) -> None:
    """Change a memo (in $EDITOR unless the text is given)."""
    from qualcode.services.memos import edit_memo, get_memo

    store = open_project(ctx)
    new = text if text is not None else _from_editor(get_memo(store, memo_id)["text"])
    edit_memo(store, memo_id, new)
    console.print(f"memo #{memo_id} " + ("removed" if not new.strip() else "saved"),
                  highlight=False)
