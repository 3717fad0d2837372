"""`qualcode matrix`, `cooccur`, `frequencies`, `summary …` and `export matrix|report|presence`.

Services and heavy libraries (numpy, python-docx, openpyxl) are imported inside the
commands, so `qualcode --help` stays fast.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from qualcode.cli.common import (
    FormatOption,
    Group,
    Language,
    LanguageOption,
    RawOption,
    coder_option,
    coders_option,
    open_project,
)
from qualcode.cli.pseudonyms import ForceOption, IdentifiableOption
from qualcode.cli.render import OutputFormat, console, emit_rows

summary_app = typer.Typer(cls=Group, no_args_is_help=True,
                          help="Researcher summaries: one framework-matrix cell per code "
                               "and site or person.")
export_app = typer.Typer(cls=Group, no_args_is_help=True,
                         help="Write matrices, the Word report and presence tables to files.")


def register(app: typer.Typer) -> None:
    app.command("matrix")(matrix)
    app.command("cooccur")(cooccur)
    app.command("frequencies")(frequencies)
    app.add_typer(summary_app, name="summary")
    app.add_typer(export_app, name="export")


class MatrixFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    md = "md"
    xlsx = "xlsx"


CELLS = ("references", "informants", "transcripts", "sites", "words", "coverage", "quotes",
         "summaries")

RowsOption = Annotated[list[str] | None, typer.Option(
    "--rows", "-r", help="Rows: a code id (it and the codes below it), a code family, all, or "
    "depth:N (codes at depth 0…N). Repeat or comma-separate to combine.",
    show_default=False)]
DepthOption = Annotated[int | None, typer.Option(
    "--depth", help="Keep only rows at most this deep (0 = top-level codes).",
    show_default=False)]
ColsOption = Annotated[list[str] | None, typer.Option(
    "--cols", help="Column attribute: rolle, person, site, transcript or any site, person or "
    "transcript attribute (skoleslag, landsdel, format …; site:NAME to choose the owner). "
    "Repeat once to nest. Default: rolle.", show_default=False)]
CoderOption = Annotated[str | None, typer.Option(
    "--coder", "-c", callback=coder_option, help="Count one coder's codings.", show_default=False)]
CodersOption = Annotated[str | None, typer.Option(
    "--coders", callback=coders_option,
    help="'union' (every coder; the default) or coders to unite, e.g. anna,bjorn.",
    show_default=False)]
ConsensusOption = Annotated[bool, typer.Option(
    "--consensus", help="Count the consensus layer (origin consensus).")]
TopOption = Annotated[int, typer.Option(
    "--top", help="Quotes per cell (with --cell quotes).", min=1)]
OrderOption = Annotated[str, typer.Option(
    "--quote-order", help="Choose quotes by 'length' (longest first) or 'order' (first in "
    "the transcripts).")]


def _layer(coder: str | None, coders: str | None, consensus: bool):
    from qualcode.services.matrix import Layer

    given = sum(x is not None and x is not False for x in (coder, coders, consensus or None))
    if given > 1:
        raise typer.BadParameter("choose one of --coder, --coders and --consensus",
                                 param_hint="--coder")
    if coder:
        return Layer.coder(coder)
    if consensus:
        return Layer.consensus()
    if coders and coders.strip().lower() not in ("union", "all"):
        return Layer.union([c.strip() for c in coders.split(",") if c.strip()])
    return Layer.union()


def _check_cells(cells: list[str]) -> list[str]:
    for c in cells:
        if c not in CELLS:
            raise typer.BadParameter(f"'{c}' is not one of {', '.join(CELLS)}",
                                     param_hint="--cell")
    return cells


def matrix(
    ctx: typer.Context,
    rows: RowsOption = None,
    depth: DepthOption = None,
    cols: ColsOption = None,
    cell: Annotated[list[str] | None, typer.Option(
        "--cell", help="What a cell shows: references, informants, transcripts, sites, words, "
        "coverage (% of the column's spoken words), quotes, or summaries (with --cols site or "
        "person). Repeat for several.", show_default=False)] = None,
    coder: CoderOption = None,
    coders: CodersOption = None,
    consensus: ConsensusOption = False,
    top: TopOption = 2,
    quote_order: OrderOption = "length",
    quote_chars: Annotated[int, typer.Option(
        "--quote-chars", help="Shorten quotes to about this many characters (0: never).",
        min=0)] = 300,
    fmt: Annotated[MatrixFormat, typer.Option(
        "--format", "-f", help="table for reading; csv, json, md; xlsx (needs --output).",
        case_sensitive=False)] = MatrixFormat.table,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of the terminal.",
        show_default=False)] = None,
    raw: RawOption = False,
    identifiable: IdentifiableOption = False,
    force: ForceOption = False,
    keep_empty: Annotated[bool, typer.Option(
        "--keep-empty", help="In the terminal table, keep columns that are empty in every "
                             "row (left out by default, named below the table).")] = False,
) -> None:
    """Codes × role, school type or any attribute: references, informants, coverage, quotes.

    A coded span counts for the speakers of the turns it overlaps (a focus-group span over a
    rektor turn and a lærer turn counts once for each; the total counts it once). Interviewer
    turns are not counted. Parent rows unite the spans of the codes below them.
    """
    cells = _check_cells(cell or ["references"])
    if fmt is MatrixFormat.xlsx and output is None:
        raise typer.BadParameter("xlsx needs a file: add --output FILE.xlsx",
                                 param_hint="--output")
    if output is not None:
        from qualcode.output import check_output_path

        check_output_path(output)  # before the counting: a typo costs nothing
    from qualcode.cli.pseudonyms import export_key, exported, listing_key, tell
    from qualcode.services.matrix import build_matrix

    store = open_project(ctx)
    if output is not None:
        ek = export_key(store, output, identifiable, force)
    else:
        ek = listing_key(store, identifiable)
    key = ek.key
    m = build_matrix(store, rows=rows, depth=depth, columns=cols or ["rolle"],
                     layer=_layer(coder, coders, consensus),
                     words=any(c in ("words", "coverage") for c in cells) or
                     fmt is MatrixFormat.json,
                     quotes=top if "quotes" in cells else 0, quote_order=quote_order,
                     quote_chars=quote_chars or None, summaries="summaries" in cells, key=key)
    _emit_matrix(m, cells, fmt, output, raw, keep_empty=keep_empty)
    if output is not None:
        exported(store, "matrix", output, ek)
    elif "quotes" in cells or "summaries" in cells:
        tell(ek)


def _emit_matrix(m, cells: list[str], fmt: MatrixFormat, output: Path | None,
                 raw: bool = False, *, keep_empty: bool = False) -> None:
    from qualcode.services import matrix as mx

    if fmt is MatrixFormat.xlsx:
        from qualcode.services.exports import write_matrix_xlsx

        write_matrix_xlsx(m, cells, output)
        console.print(f"Wrote {output} ({len(cells)} sheet(s), {len(m.rows)} rows × "
                      f"{len(m.columns)} columns; {m.layer}).", highlight=False, markup=False)
        return
    if fmt is MatrixFormat.table and output is None:
        for c in cells:
            _print_matrix(m, c, keep_empty=keep_empty)
        return
    if fmt is MatrixFormat.json:
        text = _json_text(mx.matrix_json(m))
    elif fmt is MatrixFormat.md:
        parts = []
        for c in cells:
            parts.append(f"**{c}** — {m.layer}\n\n" + mx.markdown_table(m, c))
        text = "\n".join(parts)
    else:  # csv (a table sent to a file is written as CSV too)
        text = _csv_text(m, cells, raw)
    if output is None:
        sys.stdout.write(text)
    else:
        from qualcode.output import write_text

        write_text(output, text)
        console.print(f"Wrote {output}.", highlight=False, markup=False)


def _json_text(data) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def _csv_text(m, cells: list[str], raw: bool) -> str:
    import csv
    import io

    from qualcode.output import csv_cell
    from qualcode.services.matrix import wide_records

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    several = len(cells) > 1
    for i, c in enumerate(cells):
        headers, records = wide_records(m, c)
        if i == 0:
            writer.writerow((["cell"] if several else []) +
                            [csv_cell(h, raw=raw) for h in headers])
        for rec in records:
            writer.writerow(([c] if several else []) +
                            ["" if rec[h] is None else csv_cell(rec[h], raw=raw)
                             for h in headers])
    return buffer.getvalue()


def _heat(value: float, top: float) -> str:
    """A background from pale to strong blue; darker cells hold larger counts."""
    if not value or not top:
        return ""
    x = min(value / top, 1.0)
    r, g, b = (int(a + (z - a) * x) for a, z in ((225, 20), (235, 80), (245, 170)))
    fg = "white" if x > 0.45 else "black"
    return f"{fg} on rgb({r},{g},{b})"


def _wrap_header(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width``: between words, and inside a word too long
    for the line at its compound boundary ("videre-" / "gående"), else where it must."""
    from qualcode.domain.labels import WORD_BREAKS

    lines: list[str] = []
    line = ""
    for word in text.split():
        if line and len(line) + 1 + len(word) <= width:
            line += " " + word
            continue
        if line:
            lines.append(line)
        line = word
        while len(line) > width:
            parts = WORD_BREAKS.get(line, [])
            head = ""
            for i in range(1, len(parts)):
                if len("".join(parts[:i])) + 1 <= width:
                    head = "".join(parts[:i])
            head = head or line[:max(width - 1, 1)]
            lines.append(head + "-")
            line = line[len(head):]
    if line:
        lines.append(line)
    return lines or [""]


def _print_matrix(m, measure: str, *, keep_empty: bool = False) -> None:
    from rich.markup import escape
    from rich.table import Table

    from qualcode.domain.norwegian import value_display
    from qualcode.services.matrix import cell_text, empty_columns

    textual = measure in ("quotes", "summaries")
    dropped = [] if keep_empty else empty_columns(m)
    shown_cols = [i for i in range(len(m.columns)) if i not in dropped]
    rows = [*m.rows, m.total_row]
    labels = [("  " * r.depth) + r.code for r in m.rows] + ["all rows (united)"]
    code_width = min(40, max(len("code"), *(len(x) for x in labels)))
    has_total = measure != "summaries"
    totals = [cell_text(r.total, measure) for r in rows] if has_total and not textual else []
    total_width = max([len("total"), *(len(t) for t in totals)]) if has_total else 0
    # What is left of the terminal for the attribute columns: each column has a space of
    # padding either side and a rule.
    n = max(len(shown_cols), 1)
    if textual:  # quotes share the width with the total column, the codes wrap
        room = max((console.width - 1 - min(code_width, 20) - 3) // (n + has_total) - 3, 4)
    else:
        outside = code_width + 3 + (total_width + 3 if has_total else 0) + 1
        room = max((console.width - outside) // n - 3, 4)
    caption = ("A span over several columns counts in each; 'total' counts it once. "
               "Interviewer turns are not counted.")
    if dropped:
        names = ", ".join(m.column_label(i) for i in dropped)
        caption += (f" Left out, empty in every row: {names} (--keep-empty shows "
                    f"{'it' if len(dropped) == 1 else 'them'}).")
    table = Table(title=f"{measure} — {m.layer}", header_style="bold", show_lines=textual,
                  caption=caption, caption_justify="left")
    table.add_column("code", no_wrap=not textual, max_width=40)
    for i in shown_cols:
        parts = [value_display(d, v) for d, v in zip(m.dimensions, m.columns[i], strict=True)]
        body = 0 if textual else 2 + max(len(cell_text(r.cells[i], measure)) for r in rows)
        width = max(room, body)
        lines = [x for part in (parts or ["all"]) for x in _wrap_header(part, width)]
        # A number column is as wide as its widest line; the header never wider than that.
        fixed = None if textual else max(body, *(len(x) for x in lines))
        table.add_column(escape("\n".join(lines)), justify="left" if textual else "right",
                         ratio=1 if textual else None, min_width=fixed, overflow="fold")
    if has_total:
        table.add_column("total", justify="left" if textual else "right",
                         ratio=1 if textual else None, style="bold")
    values = [r.cells[i].value(measure) or 0 for r in m.rows
              for i in shown_cols] if not textual else []
    top = max(values, default=0)
    for row in rows:
        if row.kind == "total":
            table.add_section()
            label = "[bold]all rows (united)[/]"
        else:
            label = ("  " * row.depth) + escape(row.code)
            if row.depth == 0:
                label = f"[bold]{label}[/]"
        shown = []
        for i in shown_cols:
            c = row.cells[i]
            if textual:
                shown.append(_quotes_markup(c, measure))
            else:
                text = cell_text(c, measure)
                style = _heat(c.value(measure) or 0, top) if row.kind != "total" else ""
                shown.append(f"[{style}] {text} [/]" if style else f" {text} ")
        if has_total:
            shown.append(_quotes_markup(row.total, measure) if textual else
                         cell_text(row.total, measure))
        table.add_row(label, *shown)
    console.print(table)


def _quotes_markup(cell, measure: str) -> str:
    from rich.markup import escape

    if measure == "summaries":
        return escape(cell.summary or "")
    parts = []
    for q in cell.quotes:
        turns = q["turns"]
        where = f"{q['transcript']}, turn {turns[0]}" if len(turns) == 1 else \
            f"{q['transcript']}, turns {turns[0]}-{turns[-1]}" if turns else q["transcript"]
        parts.append(f"«{escape(q['text'])}»\n[dim]— {escape(q['attribution'])} "
                     f"({escape(where)})[/]")
    return "\n\n".join(parts)


def cooccur(
    ctx: typer.Context,
    rows: Annotated[list[str] | None, typer.Option(
        "--rows", "-r", help="Codes to compare (as for matrix; default depth:0, the top-level "
        "codes, each with the codes below it).", show_default=False)] = None,
    depth: DepthOption = None,
    unit: Annotated[str, typer.Option(
        "--unit", help="'span': two codes co-occur where their spans overlap; 'turn': where "
        "both touch the same informant turn.")] = "span",
    measure: Annotated[str, typer.Option(
        "--measure", help="What the matrix shows: count or jaccard.")] = "count",
    pairs: Annotated[bool, typer.Option(
        "--pairs", help="List pairs (most frequent first) instead of a matrix.")] = False,
    coder: CoderOption = None,
    coders: CodersOption = None,
    consensus: ConsensusOption = False,
    fmt: FormatOption = OutputFormat.table,
    raw: RawOption = False,
) -> None:
    """Code co-occurrence: how often two codes meet in one passage or turn, with Jaccard."""
    if measure not in ("count", "jaccard"):
        raise typer.BadParameter("use count or jaccard", param_hint="--measure")
    from qualcode.services.matrix import cooccurrence

    co = cooccurrence(open_project(ctx), rows=rows, depth=depth, unit=unit,
                      layer=_layer(coder, coders, consensus))
    listing = co.pairs()
    if fmt is not OutputFormat.table or pairs:
        emit_rows(listing, fmt, columns=["code_a", "code_b", "count", "jaccard", "n_a", "n_b"],
                  title=f"co-occurrence by {co.unit} — {co.layer}", raw=raw)
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"co-occurrence by {co.unit} ({measure}) — {co.layer}",
                  header_style="bold",
                  caption="count: overlapping span pairs (span) or shared informant turns "
                  "(turn); jaccard: shared ÷ either. · = a code and a code below it.",
                  caption_justify="left")
    table.add_column("code")
    table.add_column("n", justify="right", style="dim")
    for r in co.codes:
        table.add_column(escape(r.code), justify="right")
    n = len(co.codes)
    values = [v for v in (co.count if measure == "count" else co.jaccard).values() if v]
    top = max(values, default=0)
    for i in range(n):
        shown = []
        for j in range(n):
            if i == j:
                shown.append("")
                continue
            key = (min(i, j), max(i, j))
            if key in co.related:
                shown.append("[dim]·[/]")
                continue
            v = co.count.get(key, 0) if measure == "count" else co.jaccard.get(key)
            text = "" if v is None else (f"{v:.2f}" if measure == "jaccard" else str(v))
            style = _heat(v or 0, top)
            shown.append(f"[{style}] {text} [/]" if style else text)
        table.add_row(escape(co.codes[i].code), str(co.size[i]), *shown)
    console.print(table)


def frequencies(
    ctx: typer.Context,
    rows: Annotated[list[str] | None, typer.Option(
        "--rows", "-r", help="Codes (as for matrix; default all).", show_default=False)] = None,
    depth: DepthOption = None,
    coder: CoderOption = None,
    coders: CodersOption = None,
    consensus: ConsensusOption = False,
    fmt: FormatOption = OutputFormat.table,
    raw: RawOption = False,
) -> None:
    """Per code: references, informants, transcripts and sites — for each coder and their
    union (or only the layer chosen with --coder, --coders or --consensus)."""
    from qualcode.services.matrix import frequencies as compute

    chosen = None
    if coder or coders or consensus:
        chosen = [_layer(coder, coders, consensus)]
    # the table shows no words: they are counted for csv and json only
    data = compute(open_project(ctx), rows=rows or ["all"], depth=depth, layers=chosen,
                   words=fmt is not OutputFormat.table)
    if fmt is not OutputFormat.table:
        emit_rows(data, fmt, columns=["code", "label", "depth", "layer", "references",
                                      "informants", "transcripts", "sites", "words"],
                  raw=raw)
        return
    from rich.markup import escape
    from rich.table import Table

    layers = list(dict.fromkeys(r["layer"] for r in data))
    table = Table(title="frequencies (references · informants · transcripts)",
                  header_style="bold", caption="A parent code unites the spans of the codes "
                  "below it; references include spans in interviewer turns.",
                  caption_justify="left")
    table.add_column("code")
    table.add_column("label", max_width=36)
    for layer in layers:
        table.add_column(f"{layer}\nrefs", justify="right")
        table.add_column(f"{layer}\ninf", justify="right", style="dim")
        table.add_column(f"{layer}\ndocs", justify="right", style="dim")
    by_code: dict[str, dict] = {}
    for r in data:
        by_code.setdefault(r["code"], {"row": r})[r["layer"]] = r
    for code, entry in by_code.items():
        first = entry["row"]
        label = ("  " * first["depth"]) + escape(code)
        cells = []
        for layer in layers:
            r = entry.get(layer)
            cells += [str(r["references"]), str(r["informants"]), str(r["transcripts"])] \
                if r else ["", "", ""]
        table.add_row(f"[bold]{label}[/]" if first["depth"] == 0 else label,
                      escape(first["label"]), *cells)
    console.print(table)


# --- summaries --------------------------------------------------------------------------

@summary_app.command("set")
def summary_set(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Code id, e.g. LED.forankring_eier.")],
    text: Annotated[str, typer.Argument(help="The summary; an empty text removes it.")],
    site: Annotated[str | None, typer.Option(
        "--site", help="The site (school) the summary is about.", show_default=False)] = None,
    person: Annotated[str | None, typer.Option(
        "--person", help="The person the summary is about.", show_default=False)] = None,
) -> None:
    """Write your summary of what a site or a person says about a code (replaces the old
    one). Shown by `matrix --cols site --cell summaries` and in the Word report."""
    from qualcode.services.matrix import set_summary

    key = set_summary(open_project(ctx), code, site=site, person=person, text=text)
    console.print(f"{'Removed' if not text.strip() else 'Saved'} summary {key}.",
                  highlight=False, markup=False)


@summary_app.command("list")
def summary_list(
    ctx: typer.Context,
    code: Annotated[str | None, typer.Option(
        "--code", help="Only summaries of this code.", show_default=False)] = None,
    fmt: FormatOption = OutputFormat.table,
    raw: RawOption = False,
) -> None:
    """List the researcher summaries."""
    from qualcode.services.matrix import list_summaries

    rows = list_summaries(open_project(ctx), code)
    emit_rows(rows, fmt, columns=["code", "about", "case", "text", "author", "updated"],
              title=f"{len(rows)} summaries", raw=raw)


# --- exports ----------------------------------------------------------------------------

@export_app.command("matrix")
def export_matrix(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(
        help="Output file: .xlsx (one sheet per --cell), .docx, .csv, .md or .json.")],
    rows: RowsOption = None,
    depth: DepthOption = None,
    cols: ColsOption = None,
    cell: Annotated[list[str] | None, typer.Option(
        "--cell", help="references, informants, transcripts, sites, words, coverage, quotes "
        "or summaries; repeat for several (xlsx: one sheet each).", show_default=False)] = None,
    coder: CoderOption = None,
    coders: CodersOption = None,
    consensus: ConsensusOption = False,
    top: TopOption = 2,
    quote_order: OrderOption = "length",
    raw: RawOption = False,
    identifiable: IdentifiableOption = False,
    force: ForceOption = False,
    language: LanguageOption = Language.nb,
) -> None:
    """Write a matrix to a spreadsheet, a Word table, CSV, Markdown or JSON. Quotes,
    summaries and names are replaced by the project's pseudonym key unless --identifiable.
    --language sets the words of the Word table (nb or en)."""
    cells = _check_cells(cell or ["references"])
    suffix = path.suffix.lower()
    formats = {".xlsx": MatrixFormat.xlsx, ".csv": MatrixFormat.csv, ".md": MatrixFormat.md,
               ".json": MatrixFormat.json, ".docx": None}
    if suffix not in formats:
        raise typer.BadParameter("use a .xlsx, .docx, .csv, .md or .json file",
                                 param_hint="PATH")
    from qualcode.cli.pseudonyms import export_key, exported
    from qualcode.output import check_output_path
    from qualcode.services.matrix import build_matrix

    check_output_path(path)  # before the counting: a typo costs nothing
    store = open_project(ctx)
    ek = export_key(store, path, identifiable, force)
    m = build_matrix(store, rows=rows, depth=depth, columns=cols or ["rolle"],
                     layer=_layer(coder, coders, consensus), words=True,
                     quotes=top if "quotes" in cells else 0, quote_order=quote_order,
                     quote_chars=600, summaries="summaries" in cells, key=ek.key)
    if suffix == ".docx":
        from qualcode.reports.matrix import write_matrix_docx

        write_matrix_docx(m, cells, path, language=language.value)
        console.print(f"Wrote {path} ({len(m.rows)} rows × {len(m.columns)} columns; "
                      f"{m.layer}).", highlight=False, markup=False)
    else:
        _emit_matrix(m, cells, formats[suffix], path, raw)
    exported(store, "matrix", path, ek)


@export_app.command("report")
def export_report(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(
        help="The file to write: Word (.docx) or one self-contained HTML page (.html).")],
    rows: Annotated[list[str] | None, typer.Option(
        "--rows", "-r", help="Areas: code ids or a family (default: the kvalitetsmodellen "
        "family if loaded, else every top-level code). One chapter per top-level code.",
        show_default=False)] = None,
    cols: Annotated[list[str] | None, typer.Option(
        "--cols", help="Columns of the counts tables (default rolle and skoleslag).",
        show_default=False)] = None,
    coder: CoderOption = None,
    coders: CodersOption = None,
    consensus: ConsensusOption = False,
    top: Annotated[int, typer.Option(
        "--top", help="Quotes per code and role in the framework tables.", min=1)] = 1,
    provenance: Annotated[bool, typer.Option(
        "--provenance/--anonymous", help="Add transcript and turn after each quote (for "
        "internal audit), or only role and school type, as published reports do.")] = False,
    title: Annotated[str | None, typer.Option(
        "--title", help="Report title (default: the codebook's title).",
        show_default=False)] = None,
    memos: Annotated[bool, typer.Option(
        "--memos", help="Add the appendix «Memoer»: the research journal, dated, then the "
        "memos on codes, interviews, informants and schools (pseudonymised as quotes are).")
    ] = False,
    figures: Annotated[bool, typer.Option(
        "--figures/--no-figures", help="Draw the overview figure and one figure per area "
        "chapter (greyscale, captions in the report's language).")] = True,
    queries: Annotated[bool, typer.Option(
        "--queries", help="Give each saved query (`qualcode queries`) a section with its "
        "matrix by role and school type and its longest passages; without it the method "
        "chapter only lists them.")] = False,
    identifiable: IdentifiableOption = False,
    force: ForceOption = False,
    language: LanguageOption = Language.nb,
) -> None:
    """The study report, in Word or as one HTML page, in Norwegian bokmål or English
    (--language en): counts by role and school type, quotes per role, co-occurrence and the
    codebook, one chapter per area. Names in quotes are replaced by the project's pseudonym
    key unless --identifiable (then the first page says so)."""
    if path.suffix.lower() not in (".docx", ".html", ".htm"):
        raise typer.BadParameter("use a .docx or .html file name", param_hint="PATH")
    from qualcode.cli.pseudonyms import export_key, exported
    from qualcode.output import check_output_path
    from qualcode.reports.study import write_report

    check_output_path(path)  # before the project is opened: a typo costs nothing
    store = open_project(ctx)
    ek = export_key(store, path, identifiable, force)
    info = write_report(store, path, areas=rows, columns=cols or None,
                        layer=_layer(coder, coders, consensus), top=top,
                        provenance=provenance, title=title, key=ek.key,
                        identifiable=identifiable, memos=memos, figures=figures,
                        queries=queries, language=language.value)
    exported(store, "report", path, ek)
    with_memos = f", {info['memos']} memos" if memos else ""
    console.print(f"Wrote {path}: {info['areas']} chapters, {info['tables']} tables, "
                  f"{len(info['figures'])} figures, {info['quotes']} quotes{with_memos} "
                  f"({info['layer']}).", highlight=False, markup=False)


@export_app.command("presence")
def export_presence(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Output file: .csv or .xlsx.")],
    rows: Annotated[list[str] | None, typer.Option(
        "--rows", "-r", help="Codes (as for matrix; default all).", show_default=False)] = None,
    depth: DepthOption = None,
    coder: CoderOption = None,
    coders: CodersOption = None,
    consensus: ConsensusOption = False,
    raw: RawOption = False,
    identifiable: IdentifiableOption = False,
    force: ForceOption = False,
) -> None:
    """Persons × codes as 0/1 (1: the person said something coded with the code or a code
    below it), with site, rolle and attributes — for R or SPSS. Names and ids are replaced
    by the project's pseudonym key unless --identifiable."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise typer.BadParameter("use a .csv or .xlsx file", param_hint="PATH")
    from qualcode.cli.pseudonyms import export_key, exported
    from qualcode.output import check_output_path
    from qualcode.services.exports import write_presence
    from qualcode.services.matrix import presence

    check_output_path(path)  # before the counting: a typo costs nothing
    store = open_project(ctx)
    ek = export_key(store, path, identifiable, force)
    headers, records = presence(store, rows=rows, depth=depth,
                                layer=_layer(coder, coders, consensus), key=ek.key)
    write_presence(headers, records, path, raw=raw)
    exported(store, "presence", path, ek)
    console.print(f"Wrote {path}: {len(records)} persons × {len(headers) - 3} columns.",
                  highlight=False, markup=False)

