"""The supervisor's agreement report, composed from
:func:`qualcode.services.agreement_report.report_data` (the statistics stay in the
service): what was compared and how, the per-code table, how to read it, and every passage
where the coders differ. Word and HTML come from the one document."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from qualcode.reports.document import (
    Cell,
    Contents,
    Document,
    Heading,
    Paragraph,
    Row,
    Run,
    Section,
    Table,
    cell,
    para,
)
from qualcode.reports.wording import for_language

MEASURE_SYMBOL = {"alpha": "α", "kappa": "κ", "ac1": "AC1", "bp": "BP", "pi": "π",
                  "percent": "%", "ualpha": "|uα"}
# The per-code table's coefficient columns: (key, header).
COEFFICIENT_COLUMNS = (("kappa", "κ"), ("pi", "π"), ("alpha", "α"), ("ac1", "AC1"),
                       ("bp", "BP"), ("u_alpha", "|uα"))
TABLE_WIDTH_CM = 26.0  # landscape A4 between the margins
TABLE_TEXT_PT = (8.5, 8.0, 7.5)  # the table's text size: the style's, or smaller to fit
# Highlight colours: one per coder (colour-blind-safe pairs first), all coders, several.
CODER_FILLS = ("BDD7EE", "F8CBAD", "D9D2E9", "B4E5E0", "F4D7E6", "E2D9C5")
ALL_FILL = "C6E0B4"
SOME_FILL = "FFE699"
GREY = "595959"
ELIDE_OVER = 700
ELIDE_KEEP = 260
FLAG_ORDER = ("undefined", "rare", "few-transcripts", "uneven")


def _stats():
    from qualcode.services import agreement_report

    return agreement_report


def write_agreement_report(store: Any, path: Path, *, language: str = "nb",
                           **options: Any) -> dict:
    """Write the report as Word (.docx) or one self-contained HTML file (.html)."""
    from qualcode.reports.files import checked_path, write_document

    wording = for_language(language)  # before the statistics: a typo costs nothing
    path = checked_path(path, "the agreement report")
    data = _stats().report_data(store, **options)
    write_document(compose(data, wording), path)
    return {"path": str(path), "codes": len(data["codes"]),
            "transcripts": len(data["transcripts"]),
            "passages": sum(len(g["passages"]) for g in data["passages"]),
            "coders": data["coders"]}


# --- the per-code table -----------------------------------------------------------------------

def shared_flags(data: dict) -> list[str]:
    """Notes every code in the table has (all rare, say): said once above the table
    instead of on every row, where they would hide the notes that single a code out."""
    codes = data["codes"]
    if len(codes) < 2:
        return []
    common = set.intersection(*(set(r["flags"]) for r in codes))
    return [f for f in FLAG_ORDER if f in common and f != "undefined"]


def _coefficient_columns(data: dict) -> list[tuple[str, str]]:
    """Scott's pi only for two coders: for more, the κ column is its generalisation."""
    return [(key, header) for key, header in COEFFICIENT_COLUMNS
            if key != "pi" or len(data["coders"]) == 2]


def _boot(data: dict) -> bool:
    return bool(data["bootstrap"]["resamples"]) and data["measure"] != "ualpha"


def table_columns(data: dict, w=None) -> list[tuple[str, float]]:
    """(header, width in cm) of the per-code table (landscape A4); the code column gets
    what the others leave of the page width."""
    w = w or for_language("nb")
    coders = data["coders"]
    # No-break spaces keep a unit with its word: a header wraps before a name, not at "%".
    cover = w.segments_header if data["unit"] == "segment" else w.coverage_header
    cols = []
    if len(coders) <= 3:
        cols += [(f"{cover} {c}", 1.4) for c in coders]
    else:
        cols += [(f"{cover} " + " / ".join(coders), 3.2)]
    cols += [(w.counts_header, 3.0), (w.agreement_header, 1.4)]
    # Wide enough for "−0,003" on one line.
    cols += [(header, 1.3) for _, header in _coefficient_columns(data)]
    if _boot(data):
        # "−0,008 til −0,002"
        cols.append((f"{w.interval_header} ({MEASURE_SYMBOL[data['measure']]})", 2.8))
    cols += [(w.band_header, 2.0), (w.notes_header, 2.3)]
    code = max(3.0, TABLE_WIDTH_CM - sum(width for _, width in cols))
    return [(w.code_header, round(code, 2)), *cols]


def _coverage_text(w, row: dict, coder: str, unit: str) -> str:
    if unit == "segment":
        return w.integer(row["coded"][coder])
    value = row["prevalence"][coder]
    return "–" if value is None else w.num(100 * value, 1)


def table_cells(data: dict, row: dict, w=None) -> list[str]:
    w = w or for_language("nb")
    not_applicable = _stats().not_applicable
    coders = data["coders"]
    cells = []
    if len(coders) <= 3:
        cells += [_coverage_text(w, row, c, data["unit"]) for c in coders]
    else:
        cells.append(" / ".join(_coverage_text(w, row, c, data["unit"]) for c in coders))
    cells.append(" / ".join(w.integer(row[k]) for k in ("coded_by_all", "coded_by_some",
                                                         "coded_by_none")))
    cells.append(w.num(row["percent_agreement"], 1))
    for key, _ in _coefficient_columns(data):
        cells.append("–" if not_applicable(row, key) else w.num(row[key], 3))
    if _boot(data):
        cells.append(w.interval_text(row))
    cells.append(w.band_text(row))
    shared = set(shared_flags(data))
    cells.append(", ".join(w.flag_names[f] for f in row["flags"] if f not in shared))
    return cells


def fitted_widths(data: dict, columns: list[tuple[str, float]], w=None
                  ) -> tuple[float, list[float]]:
    """The text size (pt) and column widths (cm) of the per-code table, sized to what it
    prints: no number, range or code id wraps, nor a header if the page has room; the two
    text columns (reading and notes) wrap between words when it has not, and the code
    column gets the rest, so its labels wrap least. Where even that is too wide for the
    page, the text is set a little smaller. ``columns`` gives the headers."""
    w = w or for_language("nb")
    for size in TABLE_TEXT_PT:
        widths = _widths_at(data, columns, size, w)
        if sum(widths) <= TABLE_WIDTH_CM + 0.01:
            break
    return size, widths


def _widths_at(data: dict, columns: list[tuple[str, float]], size: float, w) -> list[float]:
    from qualcode.reports.docx import CELL_PADDING_CM, longest_word_cm, text_width_cm

    rows = [*data["codes"], data["pooled"]]
    cells = [table_cells(data, row, w) for row in rows]
    pooled = len(rows) - 1  # printed in bold

    def width(text: str, bold: bool) -> float:
        return text_width_cm(text, size, bold=bold) + CELL_PADDING_CM

    def word(text: str, bold: bool) -> float:
        return longest_word_cm(text, size, bold=bold) + CELL_PADDING_CM

    n = len(columns) - 1  # after the code column
    wrapping = {n - 2, n - 1}  # Tolkning, Merknader
    body = [max(width(c[j], r == pooled) for r, c in enumerate(cells)) for j in range(n)]
    heads = [h for h, _ in columns[1:]]
    need = [max(b, width(h, True)) for b, h in zip(body, heads, strict=True)]
    # Too wide for the page: first the headers wrap (one row, once), then the text
    # columns (every row they wrap in grows).
    headers_wrapped = [max(b, word(h, True)) for b, h in zip(body, heads, strict=True)]
    text_wrapped = [max([word(heads[j], True)] + [word(c[j], r == pooled)
                                                  for r, c in enumerate(cells)])
                    if j in wrapping else headers_wrapped[j] for j in range(n)]
    code = max([width(r["code"], True) for r in data["codes"]]
               + [width(w.pooled_name, True), 3.0])
    widths = list(need)
    for least in (headers_wrapped, text_wrapped):
        over = code + sum(widths) - TABLE_WIDTH_CM
        for j in reversed(range(n)):  # notes wrap before readings: fewer rows have two
            give = max(0.0, min(over, widths[j] - least[j]))
            widths[j] -= give
            over -= give
    code = max(code, TABLE_WIDTH_CM - sum(widths))
    return [round(code, 2), *(round(x, 2) for x in widths)]


def _codes_table(data: dict, w) -> Table:
    columns = table_columns(data, w)
    size, widths = fitted_widths(data, columns, w)
    n = len(columns)
    pooled = data["pooled"]
    rows = [Row([cell(h, bold=True, align="right" if 0 < i < n - 2 else "left")
                 for i, (h, _) in enumerate(columns)], header=True)]
    for row in [*data["codes"], pooled]:
        is_pooled = row is pooled
        name = w.pooled_name if is_pooled else row["code"]
        label = w.all_codes(len(data["codes"])) if is_pooled else row["label"]
        first = Cell([Run(name, bold=True), Run(f"\n{label}", size=7.5, color=GREY)])
        texts = table_cells(data, row, w)
        rest = [cell(t, bold=is_pooled and t != "", italic=t == w.undefined,
                     align="right" if i < len(texts) - 2 else "left")
                for i, t in enumerate(texts)]
        rows.append(Row([first, *rest], keep_together=True, fill="F2F2F2" if is_pooled
                        else None, kind="total" if is_pooled else ""))
    _, source = _stats().band_for(data["measure"], 0.5)
    return Table(widths, rows, kind="codes", text_size=size,
                 notes=[para(w.band_source(data["measure"], source) + " " + w.counts_note,
                             role="note")])


def _undefined_notes(data: dict, w) -> list[str]:
    not_applicable = _stats().not_applicable
    out = []
    for row in [*data["codes"], data["pooled"]]:
        reasons = {k: v for k, v in row["undefined"].items() if not not_applicable(row, k)}
        by_reason: dict[str, list[str]] = defaultdict(list)
        for key, reason in reasons.items():
            by_reason[reason].append(w.value_names.get(key, key))
        for reason, keys in by_reason.items():
            out.append(f"{row['code']}: {w.join(keys)} – {w.reason(reason)}")
    return out


def _group_notes(data: dict, w) -> list[str]:
    out = []
    for group in data["groups"]:
        by_reason: dict[str, list[str]] = defaultdict(list)
        for key, reason in group["undefined"].items():
            by_reason[reason].append(key.replace("_", "-"))
        for reason, keys in by_reason.items():
            out.append(f"{group['group']}: {w.join(keys)} – {w.reason(reason)}")
    return out


def _areas_table(data: dict, w) -> Table:
    not_applicable = _stats().not_applicable
    key = _stats().MEASURE_KEY[data["measure"]]
    digits = 1 if data["measure"] == "percent" else 3
    numbers = {1, 2, 3, 5, 6}  # the family and the bands read from the left
    rows = [Row([cell(h, bold=True, align="right" if c in numbers else "left")
                 for c, h in enumerate(w.area_headers(MEASURE_SYMBOL[data["measure"]]))],
                header=True)]
    for area in data["areas"]:
        texts = [f"{area['area']} – {area['label']}", w.integer(len(area["codes"]))]
        for row in (area["united"], area["pooled"]):
            texts += [("–" if not_applicable(row, key) else w.num(row[key], digits)),
                      w.interval_text(row), w.band_text(row)]
        rows.append(Row([cell(t, italic=t == w.undefined,
                              align="right" if c in numbers else "left")
                         for c, t in enumerate(texts)]))
    return Table([6.6, 1.4, 2.0, 3.6, 2.6, 2.0, 3.6, 2.6], rows, kind="codes")


def _groups_table(data: dict, w) -> Table:
    rows = [Row([cell(h, bold=True, align="right" if "α" in h else "left")
                 for h in w.group_headers], header=True)]
    for group in data["groups"]:
        rows.append(Row([cell(f"{group['group']} – {group['label']}"),
                         cell(", ".join(group["codes"]))]
                        + [cell(w.num(group[k], 3), align="right")
                           for k in ("u_alpha", "cu_alpha", "u_alpha_2004")]))
    return Table([6.0, 8.9, 2.4, 2.4, 2.4], rows, kind="codes",
                 notes=[para(t, role="note") for t in [w.group_note, *_group_notes(data, w)]])


def _confusion_table(confusion: dict, w) -> Table:
    labels = [c if c is not None else w.none_category for c in confusion["categories"]]
    n = len(labels)
    a, b = confusion["coders"]
    rows = [Row([cell(f"{a} ↓  {b} →", bold=True)]
                + [cell(label, bold=True, align="right") for label in labels], header=True)]
    for r, (label, counts) in enumerate(zip(labels, confusion["counts"], strict=True)):
        rows.append(Row([cell(label, bold=True)]
                        + [cell(w.integer(count), bold=c == r, align="right")
                           for c, count in enumerate(counts)]))
    return Table([4.0] + [min(2.6, 18.0 / n)] * n, rows, kind="codes",
                 notes=[para(w.confusion_note, role="note")])


# --- the passages -------------------------------------------------------------------------

def _elided(pieces: list[dict], m: int, w) -> list[tuple[str, list[str] | None]]:
    """Pieces with long stretches coded by every coder shortened in the middle; an elision
    has ``None`` for coders."""
    out: list[tuple[str, list[str] | None]] = []
    for piece in pieces:
        text = piece["text"]
        if len(piece["coders"]) == m and len(text) > ELIDE_OVER:
            hidden = len(text) - 2 * ELIDE_KEEP
            out.append((text[:ELIDE_KEEP], piece["coders"]))
            out.append((w.elided(hidden), None))
            out.append((text[-ELIDE_KEEP:], piece["coders"]))
        else:
            out.append((text, piece["coders"]))
    return out


def _fill_for(coders: list[str], who: list[str] | None) -> str | None:
    if not who:
        return None
    if len(who) == len(coders):
        return ALL_FILL
    if len(who) == 1:
        return CODER_FILLS[coders.index(who[0]) % len(CODER_FILLS)]
    return SOME_FILL


def _legend_fills(coders: list[str]) -> list[str]:
    fills = [CODER_FILLS[i % len(CODER_FILLS)] for i in range(len(coders))]
    return fills + ([SOME_FILL] if len(coders) > 2 else []) + [ALL_FILL]


def _passage(data: dict, code: str, passage: dict, w) -> Table:
    coders = data["coders"]
    m = len(coders)
    head = Cell([Run(w.passage_where(passage), bold=True),
                 Run(f"   {w.passage_what(passage)}", color=GREY)], span=m)
    text = []
    for piece, who in _elided(passage["pieces"], m, w):
        if who is None:
            text.append(Run(piece, italic=True, color=GREY))
        else:
            fill = _fill_for(coders, who)
            text.append(Run(piece, fill=fill, title=w.coded_by(who) if fill else None))
    who_cells = []
    for i, coder in enumerate(coders):
        runs = [Run(f" {coder} ", bold=True, fill=CODER_FILLS[i % len(CODER_FILLS)])]
        applied = passage["codes_by_coder"][coder]
        if not applied:
            runs.append(Run(f"  {w.no_codes_here}", italic=True, color=GREY))
        for j, code_id in enumerate(applied):
            runs.append(Run(("  " if j == 0 else ", ") + code_id, bold=code_id == code))
        who_cells.append(Cell(runs))
    width = 16.4
    return Table([width / m] * m, [Row([head], header=True),
                                   Row([Cell(text, span=m, role="passage")]),
                                   Row(who_cells, keep_together=True)],
                 kind="passage", header_fill="EDF2F8")


# --- the document -------------------------------------------------------------------------

def compose(data: dict, w=None) -> Document:
    """The report's document from the service's ``report_data``."""
    from qualcode.leakcheck import IDENTIFIABLE_MARK

    w = w or for_language("nb")
    coders = data["coders"]
    title = w.report_title(data)
    sub = w.subtitle(data)
    if data.get("codebook"):
        sub.append(data["codebook"])
    sub.append(f"{w.iso_date(data['date'])} · qualcode {data['version']}")
    identifiable = bool(data.get("identifiable"))
    doc = Document(title=title, language=w.language,
                   running_header=f"{title} – {w.join(coders)}",
                   notice=w.identifiable if identifiable else None,
                   comments=IDENTIFIABLE_MARK if identifiable else None,
                   subtitle=" · ".join(sub))
    # The title and the contents make the first page; the chapters start on the next.
    # 45 lines fit on the first page beside the title; a study with more codes in
    # disagreement gets its chapters listed alone.
    doc.add(Contents(w.contents, levels=2, max_entries=45),
            Heading(w.compared, 1, page_break_before=True))
    doc.add(*(para(Run(f"{label}: ", bold=True), text, role="bullet")
              for label, text in w.header_facts(data)))
    doc.add(Heading(w.conventions_heading, 2),
            *(para(text, role="bullet") for text in w.conventions(data)))
    doc.add(Heading(w.in_short, 2), para(_summary(data, w)), para(w.next_page))

    doc.add(Section(landscape=True), Heading(w.per_code, 1))
    shared = shared_flags(data)
    if shared:
        doc.add(para(w.shared_flags(shared)))
    doc.add(_codes_table(data, w))
    undefined = _undefined_notes(data, w)
    if undefined:
        doc.add(Heading(w.undefined_heading, 3), *(para(t, role="note") for t in undefined))
    if data.get("areas"):
        doc.add(Heading(w.per_family, 2), para(w.areas_intro, role="note"),
                _areas_table(data, w))
    if data["groups"]:
        doc.add(Heading(w.groups_heading, 2), _groups_table(data, w))
        for group in data["groups"]:
            for confusion in group["confusion"]:
                doc.add(Heading(w.confusion_title(data, group, confusion), 3),
                        _confusion_table(confusion, w))

    doc.add(Section(landscape=False), Heading(w.how_to_read_heading, 1))
    doc.add(*(para(Run(f"{term}. ", bold=True), text) for term, text in w.how_to_read(data)))

    doc.add(Heading(w.disagreements, 1))
    total = sum(g["total"] for g in data["passages"])
    doc.add(para(w.passages_intro(coders, total)))
    legend = [Run(w.colours, bold=True)]
    for i, (fill, text) in enumerate(zip(_legend_fills(coders), w.legend(coders),
                                         strict=True)):
        if i:
            legend.append(Run("   "))
        legend.append(Run(f" {text} ", fill=fill))
    doc.add(Paragraph(legend))
    for group in data["passages"]:
        doc.add(Heading(f"{group['code']} – {group['label']}", 2),
                para(w.passages_count(group["total"], len(group["passages"])), role="note"))
        for passage in group["passages"]:
            doc.add(_passage(data, group["code"], passage, w), Paragraph([], "spacer"))
    if data["transcripts_left_out"] or data["notes"]:
        doc.add(Heading(w.left_out_heading, 1))
        doc.add(*(para(f"{item['transcript']}: {w.left_out(item)}", role="bullet")
                  for item in data["transcripts_left_out"]))
        doc.add(*(para(text, role="bullet") for text in data["notes"]))
    settings = w.settings(data)
    # A short list: never split over two pages.
    doc.add(Heading(w.settings_heading, 1))
    doc.add(*(para(text, role="bullet", keep_with_next=i < len(settings) - 1)
              for i, text in enumerate(settings)))
    return doc


def _summary(data: dict, w) -> str:
    measure = data["measure"]
    key = _stats().MEASURE_KEY[measure]
    alpha_like = measure in ("alpha", "ualpha")
    band_key = "alpha" if alpha_like else key
    limit = 0.8 if alpha_like else 0.61
    reliable = sum(1 for r in data["codes"] if r.get(band_key) is not None
                   and r[band_key] >= limit)
    undefined = sum(1 for r in data["codes"] if r.get(key) is None)
    rare = sum(1 for r in data["codes"] if "rare" in r["flags"])
    return w.summary(data, data["pooled"][key], MEASURE_SYMBOL[measure], reliable,
                     undefined, limit, rare)
