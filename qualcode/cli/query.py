"""`qualcode query`, `queries`, `words`, `kwic` and `chart`: asking the data questions.

Services, spaCy's word lists and matplotlib are imported inside the commands, so
`qualcode --help` stays fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from qualcode.cli.common import FormatOption, RawOption, open_project
from qualcode.cli.render import OutputFormat, console, emit_rows

QUERY_HELP = """Find passages by combining codes and attributes.

EXPR joins codes (each with the codes below it) and attribute conditions:

  A AND B      text both cover (where their spans overlap)
  A OR B       text either covers
  A NOT B      spans of A that overlap no span of B (also: A AND NOT B)
  A NEAR n B   spans of A and B at most n turns apart in one transcript
  A IN B       spans of A lying wholly inside a span of B
  ( … )        grouping; IN binds tightest, then NEAR, AND/NOT, OR

Conditions hold for the turns of the speakers they describe: rolle = radgiver,
skoleslag != ungdomsskole, antall_radgivere > 1, dato < 2022-01-01,
rolle in (rektor, radgiver), nettverksdeltaker = ja (ja/nei/true/false). Text
compares loosely (case; å, ø, æ may be written aa, o, ae); quote values with spaces.

Examples:  qualcode query "LED AND RAM"
           qualcode query "(LED OR ORG) AND rolle = radgiver" --cols skoleslag
           qualcode query "LED NEAR 2 RAM" --code-into LED.agenda_holdning --coder anna
"""


def register(app: typer.Typer) -> None:
    app.command("query", help=QUERY_HELP)(query)
    app.command("queries")(queries)


def query(
    ctx: typer.Context,
    expr: Annotated[str | None, typer.Argument(
        help="The query (see above); leave out with --saved.", show_default=False)] = None,
    saved: Annotated[str | None, typer.Option(
        "--saved", help="Run the query saved under this name.", show_default=False)] = None,
    save: Annotated[str | None, typer.Option(
        "--save", help="Keep the query in the project under this name.", show_default=False)
    ] = None,
    coders: Annotated[str | None, typer.Option(
        "--coders", help="Only these coders' codings, e.g. anna,bjorn (default: every coder).",
        show_default=False)] = None,
    cols: Annotated[list[str] | None, typer.Option(
        "--cols", help="Show a matrix: passages by the codes the query names (rows) and "
        "these attributes (columns, e.g. --cols rolle --cols skoleslag).",
        show_default=False)] = None,
    code_into: Annotated[str | None, typer.Option(
        "--code-into", help="Code every passage found with this code (needs --coder); "
        "`qualcode coding undo` takes it back.", show_default=False)] = None,
    coder: Annotated[str | None, typer.Option(
        "--coder", "-c", help="Whose layer --code-into writes to.", show_default=False)] = None,
    fmt: FormatOption = OutputFormat.table,
    raw: RawOption = False,
) -> None:
    from qualcode.services import code_query

    if (expr is None) == (saved is None):
        raise typer.BadParameter("give a query, or --saved NAME", param_hint="EXPR")
    if code_into and not coder:
        raise typer.BadParameter("coding the results needs --coder", param_hint="--code-into")
    from qualcode.cli.render import err_console

    # Notes go to stderr when stdout is for another program.
    note = console if fmt is OutputFormat.table else err_console
    store = open_project(ctx)
    text = expr if expr is not None else code_query.saved_query(store, saved)
    result = code_query.run_query(store, text, coders=[c.strip() for c in coders.split(",")]
                                  if coders else None)
    if save:
        code_query.save_query(store, save, text)
        note.print(f"[dim]saved as {save}: {result.text}[/]", highlight=False)
    if code_into:
        n = code_query.code_results(store, result, code_into, coder)
        note.print(f"coded {n} passage(s) with {code_into} for {coder}", highlight=False)
    if cols:
        _emit_query_matrix(code_query.query_matrix(result, cols), fmt, raw)
        return
    rows = [{k: v for k, v in p.items() if k != "profiles"} for p in result.passages]
    if fmt is not OutputFormat.table:
        emit_rows(rows, fmt, columns=["attribution", "transcript", "site", "turns", "speakers",
                                      "roles", "persons", "codes", "start", "end", "text"],
                  raw=raw)
        return
    if not rows:
        console.print(f"no passages for {result.text} — found: {result.explain()}",
                      highlight=False)
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(rows)} passages: {escape(result.text)}", header_style="bold",
                  show_lines=True)
    table.add_column("who", max_width=24)
    table.add_column("quote", ratio=1)
    for r in rows:
        turns = r["turns"]
        where = f"{turns[0]}-{turns[-1]}" if len(turns) > 1 else (str(turns[0]) if turns else "")
        who = (f"{escape(r['attribution'] or ', '.join(r['speakers']) or '—')}\n"
               f"[dim]{escape(r['transcript'])} turn {where}\n{escape(', '.join(r['codes']))}[/]")
        table.add_row(who, escape(r["text"]))
    console.print(table)


def _emit_query_matrix(m: dict, fmt: OutputFormat, raw: bool) -> None:
    if fmt is OutputFormat.json:
        from qualcode.cli.render import emit_json

        emit_json(m)
        return
    if fmt is OutputFormat.csv:
        emit_rows(m["cells"], fmt, columns=["row", *m["cols"], "passages", "informants"],
                  raw=raw)
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{escape(m['query'])}: passages (informants)", header_style="bold")
    table.add_column("")
    for column in m["columns"]:
        table.add_column(escape(" · ".join(column)), justify="right")
    cells = {(c["row"], tuple(c[k] for k in m["cols"])): c for c in m["cells"]}
    for row in m["rows"]:
        values = []
        for column in m["columns"]:
            c = cells[row, tuple(column)]
            values.append(f"{c['passages']} ({c['informants']})" if c["passages"] else "·")
        table.add_row(escape(row), *values)
    console.print(table)


def queries(
    ctx: typer.Context,
    delete: Annotated[str | None, typer.Option(
        "--delete", help="Forget the saved query of this name.", show_default=False)] = None,
    fmt: FormatOption = OutputFormat.table,
    raw: RawOption = False,
) -> None:
    """The queries saved in the project (`qualcode query EXPR --save NAME`); run one with
    `qualcode query --saved NAME`."""
    from qualcode.services import code_query

    store = open_project(ctx)
    if delete:
        code_query.delete_query(store, delete)
        console.print(f"forgot the query {delete}", highlight=False)
        return
    emit_rows(code_query.saved_queries(store), fmt, columns=["name", "query", "saved"],
              title="saved queries", raw=raw)

