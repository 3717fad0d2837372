"""`qualcode query`, `queries`, `words`, `kwic` and `chart`: asking the data questions.

Services, spaCy's word lists and matplotlib are imported inside the commands, so
`qualcode --help` stays fast.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import FormatOption, RawOption, open_project
from qualcode.cli.pseudonyms import IdentifiableOption
from qualcode.cli.render import OutputFormat, console, emit_rows
from qualcode.domain.labels import turn_range

QUERY_HELP = """Find passages by combining codes and attributes.

EXPR joins codes (each with the codes below it) and attribute conditions:

\b
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
A lower-case "in" before a list of values is a condition; "IN" in capitals means inside.

\b
Examples:  qualcode query "LED AND RAM"
           qualcode query "(LED OR ORG) AND rolle = radgiver" --cols skoleslag
           qualcode query "LED NEAR 2 RAM" --code-into LED.agenda_holdning --coder anna
"""


def register(app: typer.Typer) -> None:
    app.command("query", help=QUERY_HELP)(query)
    app.command("queries")(queries)
    app.command("words")(words)
    app.command("kwic")(kwic)
    app.command("stopwords")(stopwords)
    app.command("chart")(chart)


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
    identifiable: IdentifiableOption = False,
) -> None:
    from qualcode.cli.pseudonyms import listing_key, masked
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
    rows = masked([{k: v for k, v in p.items() if k != "profiles"} for p in result.passages],
                  listing_key(store, identifiable).key)
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
        where = turn_range(r["turns"])
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
    `qualcode query --saved NAME`. The Word report lists them in its method chapter, and
    `qualcode export report --queries` gives each a section."""
    from qualcode.services import code_query

    store = open_project(ctx)
    if delete:
        code_query.delete_query(store, delete)
        console.print(f"forgot the query {delete}", highlight=False)
        return
    emit_rows(code_query.saved_queries(store), fmt, columns=["name", "query", "saved"],
              title="saved queries", raw=raw)



def _bar(value: float, top: float, width: int = 20) -> str:
    """A bar of block characters, eighths included, for a quick look in the terminal."""
    if top <= 0:
        return ""
    eighths = round(width * 8 * value / top)
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def words(
    ctx: typer.Context,
    by: Annotated[str | None, typer.Option(
        "--by", help="Group by an attribute of the speaker (rolle, skoleslag …) and show "
        "each group's distinctive words.", show_default=False)] = None,
    code: Annotated[list[str] | None, typer.Option(
        "--code", "-k", help="Only text coded with this code (and the codes below it); "
        "repeat to compare codes. One code alone is compared with the rest.",
        show_default=False)] = None,
    interviewers: Annotated[bool, typer.Option(
        "--interviewers", help="Count the interviewers' turns too.")] = False,
    min_count: Annotated[int, typer.Option(
        "--min-count", min=1, help="Leave out words seen fewer times in all.")] = 3,
    top: Annotated[int, typer.Option("--top", min=1, help="Words to show (per group).")] = 30,
    fmt: FormatOption = OutputFormat.table,
    raw: RawOption = False,
    identifiable: IdentifiableOption = False,
) -> None:
    """Word frequencies over what informants said, Norwegian stop words left out.

    With --by or --code, each group's distinctive words are ranked by log-likelihood G²
    (Dunning 1993; Rayson & Garside 2000): how surprising the word's frequency in the
    group is against the other groups together. G² > 3.84 is p < 0.05, > 6.63 p < 0.01,
    > 10.83 p < 0.001. Add your own stop words with `qualcode stopwords WORD…`.
    """
    from qualcode.cli.pseudonyms import listing_key, masked
    from qualcode.services.words import word_frequencies

    store = open_project(ctx)
    result = masked(word_frequencies(store, by=by, codes=code, interviewers=interviewers,
                                     min_count=min_count, top=top),
                    listing_key(store, identifiable).key)
    grouped = bool(result["distinctive"]) or len(result["groups"]) > 1
    if fmt is OutputFormat.json:
        from qualcode.cli.render import emit_json

        emit_json(result)
        return
    if fmt is OutputFormat.csv:
        if grouped:
            emit_rows(result["distinctive"], fmt, columns=[
                "group", "word", "count", "other", "per_1000", "other_per_1000",
                "log_likelihood"], raw=raw)
        else:
            emit_rows(result["frequent"], fmt, columns=["word", "count", "per_1000"], raw=raw)
        return
    from rich.markup import escape
    from rich.table import Table

    sizes = ", ".join(f"{g}: {n}" for g, n in result["groups"].items())
    if not grouped:
        table = Table(title=f"{result['words']} words (stop words left out)",
                      header_style="bold")
        for column, justify in (("word", "left"), ("count", "right"), ("per 1000", "right"),
                                ("", "left")):
            table.add_column(column, justify=justify)
        top_count = max((r["count"] for r in result["frequent"]), default=0)
        for r in result["frequent"]:
            table.add_row(escape(r["word"]), str(r["count"]), f"{r['per_1000']:.1f}",
                          f"[cyan]{_bar(r['count'], top_count)}[/]")
        console.print(table)
        return
    table = Table(title=f"distinctive words by log-likelihood G² ({escape(sizes)} words)",
                  header_style="bold")
    for column, justify in (("group", "left"), ("word", "left"), ("count", "right"),
                            ("per 1000", "right"), ("others per 1000", "right"),
                            ("G²", "right"), ("", "left")):
        table.add_column(column, justify=justify)
    top_g2 = max((r["log_likelihood"] for r in result["distinctive"]), default=0)
    for r in result["distinctive"]:
        table.add_row(escape(r["group"]), escape(r["word"]), str(r["count"]),
                      f"{r['per_1000']:.1f}", f"{r['other_per_1000']:.1f}",
                      f"{r['log_likelihood']:.1f}",
                      f"[cyan]{_bar(r['log_likelihood'], top_g2, 10)}[/]")
    console.print(table)


def kwic(
    ctx: typer.Context,
    word: Annotated[str, typer.Argument(
        help="A word (rådgiver), a prefix (rådgiver*) or, with --regex, a regular "
        "expression; any case.")],
    regex: Annotated[bool, typer.Option("--regex", help="WORD is a regular expression.")
                     ] = False,
    width: Annotated[int, typer.Option("--width", min=5, help="Characters either side.")
                     ] = 40,
    informants: Annotated[bool, typer.Option(
        "--informants", help="Leave out the interviewers' turns.")] = False,
    fmt: FormatOption = OutputFormat.table,
    raw: RawOption = False,
    identifiable: IdentifiableOption = False,
) -> None:
    """Keyword in context: every occurrence, aligned on the word, with who said it; names
    are replaced by the pseudonym key unless --identifiable."""
    from qualcode.cli.pseudonyms import listing_key, masked
    from qualcode.services.words import keyword_in_context

    store = open_project(ctx)
    hits = masked(keyword_in_context(store, word, regex=regex, width=width,
                                     interviewers=not informants),
                  listing_key(store, identifiable).key)
    if fmt is not OutputFormat.table:
        emit_rows(hits, fmt, columns=["transcript", "turn", "speaker", "attribution", "before",
                                      "match", "after", "start", "end"], raw=raw)
        return
    from rich.markup import escape

    # Aligned on the word: the context either side is cut to what the terminal holds.
    console.print(f"[bold]{len(hits)} hits: {escape(word)}[/]", highlight=False)
    if not hits:
        return
    who_width = min(28, max(len(_who(h)) for h in hits))
    match_width = max(len(h["match"]) for h in hits)
    side = max(10, min(width, (console.width - who_width - match_width - 3) // 2))
    for h in hits:
        console.print(f"[dim]{escape(_who(h)[:who_width].ljust(who_width))}[/] "
                      f"{escape(h['before'][-side:].rjust(side))} "
                      f"[bold]{escape(h['match'].ljust(match_width))}[/] "
                      f"{escape(h['after'][:side])}", highlight=False, no_wrap=True,
                      overflow="crop")


def _who(hit: dict) -> str:
    return f"{hit['transcript']} {hit['turn']} {hit['speaker'] or '—'}"


def stopwords(
    ctx: typer.Context,
    add: Annotated[list[str] | None, typer.Argument(
        help="Words to leave out of `qualcode words` in this project.", show_default=False)
    ] = None,
    remove: Annotated[bool, typer.Option(
        "--remove", help="Take the words off the project's list instead.")] = False,
) -> None:
    """The project's own stop words (besides spaCy's Norwegian list): list, add, remove."""
    from qualcode.services.words import change_stop_words, project_stop_words

    store = open_project(ctx)
    if add:
        listed = (change_stop_words(store, remove=add) if remove
                  else change_stop_words(store, add=add))
    else:
        listed = project_stop_words(store)
    console.print(", ".join(listed) if listed else "no stop words of the project's own",
                  highlight=False)


class ChartKind(str, Enum):
    matrix = "matrix"
    areas = "areas"
    cooccur = "cooccur"
    coders = "coders"
    words = "words"


def chart(
    ctx: typer.Context,
    kind: Annotated[ChartKind, typer.Argument(
        help="matrix: heat map of codes × --cols; areas: grouped bars of areas by role and "
        "school type; cooccur: co-occurrence heat map; coders: code frequencies per coder; "
        "words: word frequencies.", case_sensitive=False)],
    output: Annotated[Path, typer.Option(
        "--output", "-o", help="Where to write: FILE.png and FILE.svg are both written.")],
    rows: Annotated[list[str] | None, typer.Option(
        "--rows", "-r", help="Codes, as for `qualcode matrix` (areas, coders: default the "
        "top-level codes).", show_default=False)] = None,
    depth: Annotated[int | None, typer.Option(
        "--depth", help="Keep only rows at most this deep.", show_default=False)] = None,
    cols: Annotated[list[str] | None, typer.Option(
        "--cols", help="Column attributes, as for `qualcode matrix` (matrix: rolle; areas: "
        "rolle and skoleslag).", show_default=False)] = None,
    cell: Annotated[str | None, typer.Option(
        "--cell", help="references, informants, transcripts, sites, words or coverage "
        "(matrix: references; areas: informants).", show_default=False)] = None,
    coder: Annotated[str | None, typer.Option(
        "--coder", "-c", help="Count one coder's codings.", show_default=False)] = None,
    unit: Annotated[str, typer.Option(
        "--unit", help="cooccur: span or turn, as for `qualcode cooccur`.")] = "span",
    by: Annotated[str | None, typer.Option(
        "--by", help="words: one bar per value of this attribute.", show_default=False)
    ] = None,
    min_count: Annotated[int, typer.Option("--min-count", min=1, help="words: as for "
                                           "`qualcode words`.")] = 3,
    top: Annotated[int, typer.Option("--top", min=1, help="words: how many.")] = 20,
) -> None:
    """Draw a chart as PNG and SVG, with a Norwegian caption, readable in greyscale."""
    from qualcode.services import figures
    from qualcode.services.matrix import Layer

    store = open_project(ctx)
    stem = output.with_suffix("") if output.suffix.lower() in (".png", ".svg") else output
    layer = Layer.coder(coder) if coder else None
    if kind is ChartKind.matrix:
        drawn, _ = figures.matrix_heat_map(store, stem, rows=rows, depth=depth,
                                           columns=cols or ["rolle"],
                                           measure=cell or "references", layer=layer)
    elif kind is ChartKind.areas:
        drawn, _ = figures.area_bars(store, stem, rows=rows,
                                     depth=0 if depth is None and not rows else depth,
                                     columns=cols or ["rolle", "skoleslag"],
                                     measure=cell or "informants", layer=layer)
    elif kind is ChartKind.cooccur:
        drawn, _ = figures.cooccurrence_heat_map(store, stem, rows=rows, depth=depth,
                                                 unit=unit, layer=layer)
    elif kind is ChartKind.coders:
        drawn, _ = figures.coder_bars(store, stem, rows=rows,
                                      depth=0 if depth is None and not rows else depth)
    else:
        drawn, _ = figures.word_bars(store, stem, by=by, min_count=min_count, top=top)
    console.print(f"wrote {drawn.png} and {drawn.svg} ({drawn.size[0]}×{drawn.size[1]} px)",
                  highlight=False)
