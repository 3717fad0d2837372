"""The study report, composed from :func:`qualcode.services.study_report.report_data` (the
counts, quotes and queries stay in the service): a title page, the method and data, an
overview, one chapter per area (criterion, summary, quotes, counts by role and school type
with a figure, quotes per code and role, the researchers' summaries), co-occurrence, the
saved queries, and the appendices. Word and HTML come from the one document, in bokmål or
English (``--language en``); the data keep their own words (code labels, quotes,
attribute values)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qualcode.domain import norwegian as no
from qualcode.domain.labels import soft_hyphenated
from qualcode.quotation import compose as compose_quote
from qualcode.quotation import shorten
from qualcode.reports.document import (
    Block,
    Cell,
    Contents,
    Document,
    Figure,
    Heading,
    PageBreak,
    Paragraph,
    Row,
    Run,
    Section,
    Table,
    Theme,
    cell,
    para,
)
from qualcode.reports.wording import for_language

ACCENT = "1F4E79"
HEADER_FILL = "DCE6F0"
TOTAL_FILL = "F2F2F2"
GREY = "595959"
EMPTY = "8C8C8C"  # the colour of a "–" for nothing
THEME = Theme(
    accent=ACCENT, grey=GREY,
    heading_sizes={"Title": 26, "Heading 1": 16, "Heading 2": 13, "Heading 3": 11.5},
    heading_spacing={"Heading 1": (0, 10), "Heading 2": (14, 6)},
    portrait=(2.5, 2.5, 2.2), landscape=(2.0, 2.0, 1.8),
    cell_size=9, quote_size=9, source_size=8, note_size=8, note_after=10,
    subtitle_size=11.5, subtitle_after=36)
PORTRAIT_WIDTH = 21.0 - 2 * THEME.portrait[0]  # the text's width in cm
LANDSCAPE_WIDTH = 29.7 - 2 * THEME.landscape[0]
# A figure and its caption must share a landscape page with the heading above and the
# first rows of the table below (17 cm of text height), or the page is left nearly empty.
AREA_FIGURE_MAX_HEIGHT_CM = 9.0
FIGURE_MAX_WIDTH_CM = 24.0


def write_report(store: Any, path: Path, *, language: str = "nb", **options: Any) -> dict:
    """Write the study report as Word (.docx) or one self-contained HTML file (.html);
    returns what it holds (areas, tables, quotes, layer, the figures with the numbers each
    drew, and the memos when asked for). ``options``: those of
    :func:`qualcode.services.study_report.report_data`."""
    from qualcode.reports.files import checked_path, write_document
    from qualcode.services.study_report import report_data

    w = for_language(language)  # before the counting: a typo costs nothing
    path = checked_path(path, "the report")
    data = report_data(store, **options)
    model, stats = compose(data, w)
    write_document(model, path)
    return stats


# --- tables -------------------------------------------------------------------------------

def header_text(dimension: str, value: Any) -> str:
    """A column's header: the value as the study writes it, a school type without
    "skole" (the column says school) and with soft hyphens where its long word may
    break."""
    if value is None:
        return no.NOT_REPORTED
    text = no.value_display(dimension, value)
    if dimension.endswith("skoleslag"):
        if str(value) in no.SKOLESLAG_DISPLAY:  # "Videregående"
            text = text.removesuffix(" skole")
        # A school type header may break inside its long word rather than widen the table.
        text = soft_hyphenated(text)
    return text[:1].upper() + text[1:]


def visible_columns(m: Any) -> list[int]:
    """Columns worth a place in a table or figure: those not empty in every row (as the
    terminal's matrices show them)."""
    from qualcode.services.matrix import empty_columns

    empty = set(empty_columns(m))
    return [i for i in range(len(m.columns)) if i not in empty]


def dropped_note(m: Any, w) -> str:
    """The sentence saying which columns were left out for being empty, or ''."""
    from qualcode.services.matrix import empty_columns

    empty = empty_columns(m)
    return w.dropped_columns([m.column_label(i) for i in empty]) if empty else ""


def _head(*cells: Cell) -> Row:
    return Row(list(cells), header=True, keep_together=True, rule="below")


def _code_cell(label: str, code_id: str, *, bold: bool = True) -> Cell:
    """A code's label, with its id in small grey under it."""
    out = cell(label, bold=bold)
    out.more.append(cell(code_id, role="source"))
    return out


def _count(cell_: Any, *, bold: bool = False, total: bool = False) -> Cell:
    if not cell_.references:  # grey, but for the total column
        return cell("–", align="right", bold=bold, color=None if total else EMPTY)
    return cell(f"{cell_.references} ({cell_.informants})", align="right", bold=bold)


def counts_table(m: Any, rows: list[Any], total_row: Any, total_label: str, width: float,
                 caption: str, notes: list[Paragraph], w) -> Table:
    """Codes × (one or two nested attributes) with a totals row and column; the header rows
    repeat on every page."""
    shown = visible_columns(m)
    ncols = len(shown)
    columns = [m.columns[i] for i in shown]
    nested = len(m.dimensions) == 2
    label_w = min(8.0, width * 0.32)
    total_w = 1.9
    cell_w = (width - label_w - total_w) / max(ncols, 1)
    widths = [label_w] + [cell_w] * ncols + [total_w]
    out: list[Row] = []
    if nested:
        outer: list[Cell] = []
        start = 0
        while start < ncols:  # outer values over their inner columns
            end = start
            while end + 1 < ncols and columns[end + 1][0] == columns[start][0]:
                end += 1
            outer.append(cell(header_text(m.dimensions[0], columns[start][0]), bold=True,
                              align="center", span=end - start + 1))
            start = end + 1
        out.append(Row([cell(w.code_header, bold=True, rows=2), *outer,
                        cell(w.total_header, bold=True, align="right", rows=2)],
                       header=True, keep_together=True))
        out.append(_head(*[cell(header_text(m.dimensions[1], key[1]), align="center",
                                size=8.5) for key in columns]))
    else:
        out.append(_head(cell(w.code_header, bold=True),
                         *[cell(header_text(m.dimensions[0], key[0]) if key else w.all_header,
                                bold=True, align="center") for key in columns],
                         cell(w.total_header, bold=True, align="right")))

    def line(row: Any, label: str, bold: bool) -> list[Cell]:
        return [cell(label, bold=bold), *[_count(row.cells[c], bold=bold) for c in shown],
                _count(row.total, bold=True, total=True)]

    out += [Row(line(r, r.label, False), keep_together=True) for r in rows]
    out.append(Row(line(total_row, total_label, True), keep_together=True, fill=TOTAL_FILL,
                   kind="total", rule="above"))
    return Table(widths, out, kind="counts", header_fill=HEADER_FILL, caption=caption,
                 notes=notes)


# --- the parts of the report --------------------------------------------------------------

def _title_page(data, w) -> list[Block]:
    facts, info = data.facts, data.codebook
    layer = w.layer(data.layer, data.coders)
    rows = [
        (w.meta_project, data.project),
        (w.meta_date, w.date(data.today)),
        (w.meta_coders, w.join(data.coders) or w.no_coders_word),
        (w.meta_layer, layer[:1].upper() + layer[1:]),
        (w.meta_codebook, w.codebook_line(info, data.n_codes)),
        (w.meta_material, w.material_line(facts)),
    ]
    meta = Table([3.5, 12.5], [Row([cell(k, bold=True, color=GREY, role="facts"),
                                    cell(v, role="facts")]) for k, v in rows],
                 kind="facts", lines=False)
    from qualcode import __version__

    return [meta, para(w.made_with(__version__), role="source", space_before=30),
            PageBreak()]


def _method(data, w, chapters: list[Any]) -> list[Block]:
    layer = w.layer(data.layer, data.coders)
    out: list[Block] = [
        # The first chapter on a page of its own, not under the table of contents.
        Heading(w.method_heading, 1, page_break_before=True),
        para(w.data_sentence(data.facts)),
        para(w.method_sentence(data.codebook, data.coders, layer, data.columns,
                               data.figures, bool(data.memos is not None))),
        para(w.scope_sentence(chapters, data.appendix)),
    ]
    said = " ".join(t for t in (w.agreement_sentence(data.agreement) if data.agreement
                                else "", w.stability_sentences(data.stability)) if t)
    if said:
        out += [Heading(w.agreement_heading, 2), para(said)]
    out.append(Heading(w.rules_heading, 2))
    out += [para(rule, role="bullet") for rule in w.counting_rules(layer, data.provenance)]
    out += _saved_list(data, w)
    return out


def _saved_list(data, w) -> list[Block]:
    """The method chapter's list of saved queries. A query may name a school or a person
    (site = …): the key is applied to all of it."""
    if not data.saved:
        return []
    hide = data.hide
    labels = {c.id: c.label for c in data.by_pk.values()}
    out: list[Block] = [Heading(w.saved_heading, 2), para(w.saved_intro(data.queries))]
    for q in data.saved:
        reading = w.query_reading(q.query, labels)
        text = f" – {hide(reading[:1].upper() + reading[1:])}"
        if q.result is None:
            text += w.query_fails(hide(q.problem))
        else:
            text += f" ({w.passages(len(q.result.passages))})."
        out.append(para(Run(hide(q.name), bold=True), ": ",
                        Run(hide(q.query), code=True, size=9), text, role="bullet"))
    return out


def _overview(data, w, stats) -> list[Block]:
    """Areas × columns: the whole study at a glance."""
    counts = data.counts
    areas = {ch.area.id for ch in data.chapters}
    rows = [r for r in counts.rows if r.kind == "code" and r.depth == 0 and r.code in areas]
    out: list[Block] = [Heading(w.overview_heading, 1), para(w.overview_intro)]
    stats["tables"] += 1
    out.append(counts_table(counts, rows, counts.total_row, w.all_areas_row, LANDSCAPE_WIDTH,
                            w.overview_caption, [para(w.overview_note + dropped_note(counts, w),
                                                      role="note")], w))
    if data.figures:
        blocks, plotted = overview_figure(counts, LANDSCAPE_WIDTH, w)
        out += blocks
        stats["figures"].append({"number": 1, "plotted": plotted})
    return out


def _figure_width(size: tuple[float, float], width_cm: float,
                  max_height_cm: float | None = None) -> tuple[float, float]:
    """The picture at the text width (or narrower, to stay under ``max_height_cm``)."""
    width = min(width_cm, FIGURE_MAX_WIDTH_CM)
    if max_height_cm:
        width = min(width, max_height_cm * size[0] / size[1])
    return width, width * size[1] / size[0]


def overview_figure(counts: Any, width_cm: float, w=None) -> tuple[list[Block], dict]:
    """Grouped bars of the coded passages per area (top-level code) in each column of the
    overview matrix, drawn in greys and hatching so the printed report shows it too.
    Returns the blocks and the numbers drawn, by column."""
    from qualcode.charts import grouped_bars
    from qualcode.services.matrix import empty_columns

    w = w or for_language("nb")
    rows = [r for r in counts.rows if r.kind == "code" and r.depth == 0]
    empty = set(empty_columns(counts))  # left out, as the table leaves them out
    series = {counts.column_label(j): [float(r.cells[j].references) for r in rows]
              for j in range(len(counts.columns)) if j not in empty}
    chart = grouped_bars(None, [r.label for r in rows], series,
                         title=w.overview_figure_title, value_label=w.figure_value_label,
                         caption=w.figure_counted)
    width, height = _figure_width(chart.size, width_cm)
    caption = w.overview_figure_caption(counts.dimensions)
    blocks: list[Block] = [Figure(chart.image, width, height, caption, alt=caption)]
    if empty:
        blocks.append(para(w.dropped_columns(
            [counts.column_label(j) for j in sorted(empty)]).strip(), role="note"))
    return blocks, dict(zip(series, chart.plotted, strict=True))


def area_figure(counts: Any, area_label: str, rows: list[Any], columns: list[int],
                number: int, table: int, width_cm: float, w) -> tuple[Figure, dict]:
    """An area chapter's figure: the rows of its counts table (the codes under the area)
    by the table's columns, as a heat map of coded passages with each number in its cell,
    darker meaning more. Returns the figure and what it drew: number, caption, row and
    column labels and the values read back from the figure (the table's numbers, without
    informants)."""
    from qualcode.charts import heat_map

    labels = [r.label for r in rows]
    shown = [counts.column_label(i) for i in columns]
    values = [[float(r.cells[i].references) for i in columns] for r in rows]
    caption = w.area_figure_caption(number, area_label, counts.dimensions, table)
    # Drawn about the size it is printed at (a row a quarter of an inch high), so the
    # numbers in the cells stay readable on paper.
    size = (min(3.2 + 0.8 * len(shown) + 0.06 * max(map(len, labels), default=0), 10.5),
            1.6 + 0.24 * len(labels))
    chart = heat_map(None, labels, shown, values, title=w.area_figure_title(area_label),
                     value_label=w.figure_value_label, size=size,
                     caption=w.heat_map_note)
    width, height = _figure_width(chart.size, width_cm, AREA_FIGURE_MAX_HEIGHT_CM)
    return (Figure(chart.image, width, height, caption, alt=caption),
            {"number": number, "caption": caption, "rows": labels, "columns": shown,
             "plotted": chart.plotted})


def _where(q: dict, w) -> str:
    return w.where(q["transcript"], q["turns"], q.get("time"))


def _intro_quotes(chapter, data, w) -> list[Block]:
    """Block quotes in the report's style: a lead-in naming role and school type, then the
    quotation as an indented paragraph."""
    if not chapter.intro_quotes:
        return []
    out: list[Block] = [Heading(w.quotes_heading, 2)]
    for i, q in enumerate(chapter.intro_quotes):
        out.append(para(w.lead_in(w.quote_attribution(q), i), role="lead"))
        quote = para(compose_quote(q["pieces"], 550), role="quote")
        if data.provenance:
            quote.runs.append(Run(f"  ({_where(q, w)})", upright=True, size=8.5, color=GREY))
        out.append(quote)
    return out


def _framework_table(chapter, data, w, width: float, caption: str) -> tuple[Table, int]:
    """Quotes per code (rows) and role (columns): the ``top`` longest of each."""
    by_role, roles = data.by_role, data.quote_roles
    label_w = min(5.0, width * 0.2)
    cell_w = (width - label_w) / max(len(roles), 1)
    rows = [_head(cell(w.code_header, bold=True),
                  *[cell(header_text("rolle", by_role.columns[i][0]), bold=True)
                    for i in roles])]
    if not chapter.shown:
        rows.append(Row([cell(w.no_statements, italic=True)]
                        + [cell("") for _ in roles]))
        return Table([label_w] + [cell_w] * len(roles), rows, kind="quotes",
                     header_fill=HEADER_FILL, caption=caption), 0
    n = 0
    for key, label, code_id in chapter.shown:
        if key[1] == "own":
            label = w.area_as_whole(label)
        cells = [_code_cell(label, code_id)]
        for i in roles:
            quotes = chapter.quotes.get((key, i)) or []
            if not quotes and (key, i) in chapter.repeats:
                cells.append(cell(w.quoted_above, role="source", italic=True))
                continue
            if not quotes:
                cells.append(cell("–", color=EMPTY))
                continue
            parts: list[Cell] = []
            for q in quotes:
                source = f"— {w.quote_attribution(q)}"
                if data.provenance:
                    source += f" ({_where(q, w)})"
                parts += [cell(compose_quote(q["pieces"], 420), role="quote"),
                          cell(source, role="source")]
                n += 1
            first, *more = parts
            first.more = more
            cells.append(first)
        rows.append(Row(cells, keep_together=True))
    return Table([label_w] + [cell_w] * len(roles), rows, kind="quotes",
                 header_fill=HEADER_FILL, caption=caption,
                 notes=[para(w.framework_note, role="note")]), n


def _summary_table(m, chapter, summary_rows, width, number: int, who: str, w
                   ) -> list[Block]:
    """Researcher summaries per code and school (or informant: ``who``), when any were
    written (`qualcode summary set … --site` / `--person`)."""
    area = chapter.area
    codes = [area, *chapter.children]
    filled = [(c, summary_rows.get((c.id, "code"))) for c in codes]
    sites = sorted({i for _, r in filled if r for i, c in enumerate(r.cells) if c.summary})
    if not sites:
        return []
    rows = [(c, r) for c, r in filled if r and any(r.cells[i].summary for i in sites)]
    label_w = min(5.0, width * 0.2)
    cell_w = (width - label_w) / len(sites)
    table = Table([label_w] + [cell_w] * len(sites),
                  [Row([cell(w.code_header, bold=True)]
                       + [cell(str(m.columns[i][0]), bold=True) for i in sites], header=True)]
                  + [Row([cell(code.label, bold=True)]
                         + [cell(r.cells[i].summary or "–") for i in sites])
                     for code, r in rows],
                  kind="summaries", header_fill=HEADER_FILL,
                  caption=w.summary_caption(number, area.label, who))
    return [Heading(w.summary_heading(who), 2), table]


def _chapter(n_area: int, chapter, data, w, stats, table_no: list[int]) -> list[Block]:
    area = chapter.area
    counts_rows = data.counts_rows
    role_rows = {(r.code, r.kind): r for r in data.by_role.rows}
    school_rows = {(r.code, r.kind): r for r in data.by_school.rows} if data.by_school else {}
    out: list[Block] = [Section(landscape=False), Heading(f"{n_area}. {area.label}", 1)]
    if area.criterion:
        out.append(para(" ".join(area.criterion.split()), role="criterion"))
    out.append(para(w.area_summary(area.label, _summary_numbers(
        counts_rows[(area.id, "code")], role_rows[(area.id, "code")], data.by_role,
        school_rows.get((area.id, "code")), data.by_school))))
    stats["quotes"] += len(chapter.intro_quotes)
    out += _intro_quotes(chapter, data, w)

    width = LANDSCAPE_WIDTH
    out += [Section(landscape=True), Heading(w.extent_heading(data.columns), 2)]
    table_no[0] += 1
    rows = [counts_rows[(c.id, "code")] for c in chapter.children]
    own = counts_rows[(area.id, "own")]
    if own.total.references:
        own.label = w.area_as_whole(area.label)
        rows.append(own)
    if data.figures and rows and counts_rows[(area.id, "code")].total.references:
        # Before its table: the figure then shares the page with the table's first
        # rows, however long the table is.
        figure, drew = area_figure(data.counts, area.label, rows, visible_columns(data.counts),
                                   len(stats["figures"]) + 1, table_no[0], width, w)
        out.append(figure)
        stats["figures"].append(drew)
    out.append(counts_table(data.counts, rows, counts_rows[(area.id, "code")],
                            w.area_total(area.label), width,
                            w.counts_caption(table_no[0], area.label),
                            [para(w.extent_note + dropped_note(data.counts, w), role="note")],
                            w))
    out.append(Heading(w.statements_heading, 2))
    table_no[0] += 1
    table, n = _framework_table(chapter, data, w, width,
                                w.framework_caption(table_no[0], area.label))
    out.append(table)
    stats["quotes"] += n
    tables = 2
    summary_rows = {(r.code, r.kind): r for r in data.summaries.rows}
    blocks = _summary_table(data.summaries, chapter, summary_rows, width, table_no[0] + 1,
                            "site", w)
    if blocks:
        table_no[0] += 1
        tables += 1
        out += blocks
    if data.person_summaries is not None:
        person_rows = {(r.code, r.kind): r for r in data.person_summaries.rows}
        blocks = _summary_table(data.person_summaries, chapter, person_rows, width,
                                table_no[0] + 1, "person", w)
        if blocks:
            table_no[0] += 1
            tables += 1
            out += blocks
    stats["tables"] += tables
    return out


def _summary_numbers(counts_row, role_row, by_role, school_row, by_school) -> dict:
    """What an area's summary says: its passages, interviews and informants, and who and
    where of those who could have said something did (k of n, by role and school type)."""
    total = counts_row.total
    roles = [(role_row.cells[i].informants, by_role.column_informants[i], key[0])
             for i, key in enumerate(by_role.columns)
             if key[0] is not None and by_role.column_informants[i] > 0]
    kinds = []
    if school_row is not None and by_school is not None:
        kinds = [(school_row.cells[i].sites, by_school.column_sites[i], str(key[0]))
                 for i, key in enumerate(by_school.columns)
                 if key[0] is not None and by_school.column_sites[i] > 0]
    return {"references": total.references, "transcripts": total.transcripts,
            "informants": total.informants, "roles": roles, "school_kinds": kinds}


def _cooccurrence(data, w, table_no: list[int]) -> tuple[list[Block], int]:
    co = data.cooccurrence
    out: list[Block] = [Section(landscape=False), Heading(w.cooccurrence_heading, 1),
                        para(w.cooccurrence_intro)]
    table_no[0] += 1
    n = len(co.codes)
    width = PORTRAIT_WIDTH
    label_w = 3.6
    cell_w = (width - label_w) / max(n, 1)
    rows = [_head(cell(w.area_header, bold=True),
                  *[cell(r.code, bold=True, align="center") for r in co.codes])]
    for i, r in enumerate(co.codes):
        cells = [cell(r.label, bold=True)]
        for j in range(n):
            if i == j:
                cells.append(cell("", align="center", fill=TOTAL_FILL))
                continue
            key = (min(i, j), max(i, j))
            count = co.count.get(key, 0)
            jac = co.jaccard.get(key)
            text = f"{count}\n({w.num(jac)})" if count and jac is not None else "–"
            cells.append(cell(text, align="center", size=8.5,
                              color=None if count else EMPTY))
        rows.append(Row(cells, keep_together=True))
    out.append(Table([label_w] + [cell_w] * n, rows, kind="cooccurrence",
                     header_fill=HEADER_FILL,
                     caption=w.cooccurrence_caption(table_no[0])))
    tables = 1
    if data.pairs:
        out.append(Heading(w.pairs_heading, 2))
        table_no[0] += 1
        head = [cell(h, bold=True, align="right" if j >= 2 else "left")
                for j, h in enumerate(w.pairs_headers)]
        rows = [_head(*head)]
        for p in data.pairs:
            jac = p["jaccard"]
            rows.append(Row([_code_cell(data.pair_labels[p["code_a"]], p["code_a"],
                                        bold=False),
                             _code_cell(data.pair_labels[p["code_b"]], p["code_b"],
                                        bold=False),
                             cell(str(p["count"]), align="right"),
                             cell(w.num(jac) if jac is not None else "–", align="right")],
                            keep_together=True))
        out.append(Table([6.5, 6.5, 1.5, 1.5], rows, kind="pairs", header_fill=HEADER_FILL,
                         caption=w.pairs_caption(table_no[0], len(data.pairs))))
        tables += 1
    return out, tables


def _query_chapter(data, w, table_no: list[int]) -> tuple[list[Block], int]:
    """A section per saved query: its passages by the report's columns (passages,
    informants in parentheses) and its longest passages, attributed by role and school
    type."""
    runnable = [q for q in data.saved if q.result is not None]
    if not runnable:
        return [], 0
    hide = data.hide
    labels = {c.id: c.label for c in data.by_pk.values()}
    width = PORTRAIT_WIDTH
    out: list[Block] = [Section(landscape=False), Heading(w.saved_heading, 1),
                        para(w.query_chapter_intro(data.columns))]
    tables = 0
    for q in runnable:
        reading = w.query_reading(q.query, labels)
        out += [Heading(hide(q.name), 2),
                para(Run(hide(q.query), code=True, size=9),
                     f" – {hide(reading[:1].upper() + reading[1:])}. "
                     + w.query_finds(len(q.result.passages)))]
        if not q.result.passages:
            continue
        table_no[0] += 1
        tables += 1
        m = q.matrix
        columns = q.columns
        label_w = min(5.0, width * 0.3)
        cell_w = (width - label_w) / max(len(columns), 1)
        # one line per attribute; long school types may break at their soft hyphens
        head = [cell(hide("\n".join(header_text(dim, None if value == "—" else value)
                                    for dim, value in zip(m["cols"], column, strict=True))),
                     bold=True, align="right", size=8.5) for column in columns]
        rows = [_head(cell(w.code_header, bold=True), *head)]
        cells = {(c["row"], tuple(c[k] for k in m["cols"])): c for c in m["cells"]}
        for code in m["rows"]:
            total = code == "alle treff"
            line = [cell(w.all_hits if total else code, bold=total)]
            for column in columns:
                c = cells[code, tuple(column)]
                line.append(cell(f"{c['passages']} ({c['informants']})" if c["passages"]
                                 else "–", align="right", bold=total))
            rows.append(Row(line, keep_together=True))
        out.append(Table([label_w] + [cell_w] * len(columns), rows, kind="query",
                         header_fill=HEADER_FILL,
                         caption=w.query_caption(table_no[0], hide(q.name), data.columns),
                         notes=[para(w.query_note, role="note")]))
        for p in q.longest:
            who = hide(w.passage_attribution(p)) or w.unknown_speaker
            out += [para(f"{who}:", role="lead"),
                    para(shorten(hide(p["text"]), 550), role="quote")]
    return out, tables


def _analytic_appendix(data, w, table_no: list[int]) -> tuple[list[Block], int]:
    if not data.appendix:
        return [], 0
    m = data.appendix_counts
    out: list[Block] = [Section(landscape=True), Heading(w.analytic_heading, 1),
                        para(w.analytic_intro)]
    a_rows = {(r.code, r.kind): r for r in m.rows}
    tables: list[Table] = []
    for area in data.appendix:
        table_no[0] += 1
        rows = [a_rows[(data.by_pk[pk].id, "code")] for pk in area.children]
        tables.append(counts_table(m, rows, a_rows[(area.id, "code")],
                                   w.area_total(area.label), LANDSCAPE_WIDTH,
                                   w.counts_caption(table_no[0], area.label), [], w))
    tables[-1].notes.append(para(w.analytic_note + dropped_note(m, w), role="note"))
    return out + tables, len(tables)


def _codebook_appendix(data, w, table_no: list[int]) -> list[Block]:
    layer = w.layer(data.layer, data.coders)
    counts_rows = data.counts_rows
    if data.appendix_counts is not None and data.appendix:
        counts_rows.update({(r.code, r.kind): r for r in data.appendix_counts.rows})
    codes = []
    for area in [ch.area for ch in data.chapters] + data.appendix:
        codes.append(area)
        codes.extend(data.by_pk[pk] for pk in area.children)
    table_no[0] += 1
    widths = [5.0, PORTRAIT_WIDTH - 5.0 - 2.8, 1.4, 1.4]
    rows = [_head(*[cell(h, bold=True, align="right" if j >= 2 else "left")
                    for j, h in enumerate(w.codebook_headers)])]
    for code in codes:
        top = code.depth == 0
        counted = counts_rows.get((code.id, "code"))
        refs = counted.total.references if counted else 0
        inf = counted.total.informants if counted else 0
        rows.append(Row([_code_cell(code.label, code.id, bold=top),
                         cell(" ".join((code.description or "").split()) or "–"),
                         cell(str(refs) if refs else "–", align="right", bold=top),
                         cell(str(inf) if inf else "–", align="right", bold=top)],
                        keep_together=True, fill=TOTAL_FILL if top else None))
    return [Section(landscape=False), Heading(w.codebook_heading, 1),
            para(w.codebook_intro(layer)),
            Table(widths, rows, kind="codebook", header_fill=HEADER_FILL,
                  caption=w.codebook_caption(table_no[0]))]


def _memo_appendix(data, w) -> list[Block]:
    """The researchers' memos: the project's journal first, dated and oldest first; then
    memos on codes, interviews, informants and schools."""
    out: list[Block] = [Section(landscape=False), Heading(w.memos_heading, 1)]
    if not data.memos:
        return out + [para(w.no_memos)]
    out.append(para(w.memos_intro(data.identifiable)))
    for kind, memos in data.memos.items():
        out.append(Heading(w.memo_sections[kind], 2))
        previous = None
        for memo in memos:
            # A heading per thing, even where two read alike (two teachers of one school).
            if kind != "project" and memo.about != previous:
                out.append(Heading(w.memo_subject(kind, memo.subject, data.identifiable), 3))
            previous = memo.about
            lead = [Run(w.date(memo.written), bold=kind == "project")]
            if memo.title:
                lead.append(Run(f" · {memo.title}", bold=True))
            if memo.author:
                lead.append(Run(f" · {memo.author}", italic=True))
            out.append(Paragraph(lead, role="lead"))
            # A blank line in the memo starts a new paragraph; a single line break stays
            # a line break.
            paragraphs = [p for p in memo.text.split("\n\n") if p.strip()]
            out += [para(text.strip("\n"), space_after=10 if i == len(paragraphs) - 1 else 4)
                    for i, text in enumerate(paragraphs)]
    return out


def compose(data, w=None) -> tuple[Document, dict]:
    """The report's document, and what it holds (areas, tables, quotes, layer, figures,
    memos)."""
    w = w or for_language("nb")
    title = data.title or w.default_title
    chapters = [ch.area for ch in data.chapters]
    stats: dict[str, Any] = {"areas": len(chapters), "tables": 0, "quotes": 0,
                             "layer": data.layer.describe(data.coders), "figures": []}
    doc = Document(title=title, language=w.language, running_header=title,
                   subtitle=w.study_subtitle, title_page=True, theme=THEME)
    if data.identifiable:
        from qualcode.leakcheck import IDENTIFIABLE_MARK

        doc.notice = w.identifiable
        doc.comments = IDENTIFIABLE_MARK
    doc.add(*_title_page(data, w))
    # Chapters and appendices alone: every area chapter has the same sections.
    doc.add(Contents(w.contents, levels=1))
    doc.add(*_method(data, w, chapters))
    doc.add(Section(landscape=True), *_overview(data, w, stats))
    table_no = [stats["tables"]]
    for n_area, chapter in enumerate(data.chapters, start=1):
        doc.add(*_chapter(n_area, chapter, data, w, stats, table_no))
    table_no[0] = stats["tables"]
    blocks, n = _cooccurrence(data, w, table_no)
    doc.add(*blocks)
    stats["tables"] += n
    if data.queries:
        blocks, n = _query_chapter(data, w, table_no)
        doc.add(*blocks)
        stats["tables"] += n
    blocks, n = _analytic_appendix(data, w, table_no)
    doc.add(*blocks)
    stats["tables"] += n
    doc.add(*_codebook_appendix(data, w, table_no))
    stats["tables"] += 1
    if data.memos is not None:
        doc.add(*_memo_appendix(data, w))
        stats["memos"] = sum(len(m) for m in data.memos.values())
    return doc, stats
