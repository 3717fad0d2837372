"""Exports: the Word report, Word and Excel matrices, and the persons × codes presence table.

python-docx and openpyxl are imported inside the functions that use them. The report is in
Norwegian (bokmål) and presents evidence the way the reference report does: quotations are
attributed to role and school type only ("En rådgiver i videregående skole"), frequencies
in the running text are given in words, and the tables give the numbers.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import select

from qualcode import __version__
from qualcode.domain.labels import soft_hyphenated
from qualcode.output import (
    atomic_output,
    check_output_path,
    csv_cell,
    save_document,
    save_workbook,
)
from qualcode.pseudonyms import Key
from qualcode.quotation import compose
from qualcode.reports.docx import (
    add_paragraph_style,
    add_section,
    base_document,
    cant_split,
    caption_style,
    clean_table,
    keep_notes_with_tables,
    nb_date,
    nb_int,
    oxml,
    page_number_field,
    repeat_header,
    table_of_contents,
    update_fields_on_open,
)
from qualcode.services import matrix as mx
from qualcode.services.overview import codebook_info
from qualcode.store import Store
from qualcode.store.models import Transcript, TranscriptAttribute

PORTRAIT = (2.5, 2.5, 2.2)  # page margins in cm: sides, top, bottom
LANDSCAPE = (2.0, 2.0, 1.8)
FORMAT_NB = {"individuelt": ("individuelt intervju", "individuelle intervjuer"),
             "parvis": ("parintervju", "parintervjuer"),
             "gruppe": ("gruppeintervju", "gruppeintervjuer"),
             "fokusgruppe": ("fokusgruppe", "fokusgrupper")}
LEAD_INS = ("forteller:", "sier det slik:", "beskriver det slik:", "formulerer det slik:")
ACCENT = "1F4E79"
HEADER_FILL = "DCE6F0"
TOTAL_FILL = "F2F2F2"
GREY = "595959"
# Quotes kept per cell beyond those shown: the next best, when a passage is already quoted
# in the chapter or holds nothing but fillers.
QUOTE_RESERVE = 6



def _section(doc, landscape: bool):
    return add_section(doc, landscape, portrait_margins=PORTRAIT, landscape_margins=LANDSCAPE)

def _count_word(n: int) -> str:
    words = {1: "ett", 2: "to", 3: "tre", 4: "fire", 5: "fem", 6: "seks", 7: "sju", 8: "åtte",
             9: "ni", 10: "ti", 11: "elleve", 12: "tolv"}
    return words.get(n, nb_int(n))


def counting_rules_nb(layer_nb: str, provenance: bool) -> list[str]:
    """The counting rules of :mod:`qualcode.services.matrix`, as the report states them."""
    return [
        f"Tallene bygger på {layer_nb}. Kodeforslag som ikke er godkjent av en koder, "
        "telles ikke.",
        "En rad er en kode sammen med kodene under den. Innenfor hvert intervju slås "
        "overlappende kodinger sammen før de telles, uansett hvem som har kodet dem og med "
        "hvilken underkode. Et utdrag som er kodet med to underkoder, eller av to kodere, "
        "telles derfor én gang i raden for området.",
        "Et kodet utdrag tilskrives dem som snakker i replikkene det overlapper, og gjennom "
        "dem deres rolle og skolens skoleslag. Et utdrag fra en fokusgruppe som omfatter både "
        "en rektors og en lærers replikk, telles én gang for rektor og én gang for lærer.",
        "Intervjuerens replikker er ikke informantutsagn og telles ikke.",
        "Utdrag er antall sammenslåtte kodede utdrag. Informanter er antall ulike personer som "
        "har ordet i replikkene utdragene omfatter; en taler som ikke er knyttet til en person "
        "(for eksempel en elev som er til stede), telles ikke som informant.",
        "Fordi ett utdrag kan telles i flere kolonner, kan summen av kolonnene bli større enn "
        "totalen. Kolonnen Totalt teller hvert utdrag og hver informant én gang.",
        "Hyppigheter i teksten er gitt i ord: «samtlige» eller «begge» (alle), «de fleste» "
        "(mer enn halvparten), «halvparten», «enkelte» (færre enn halvparten), «én» og "
        "«ingen». Grunnlaget er antall informanter med hver rolle, og antall skoler av hvert "
        "slag.",
        "Sitatene er de lengste kodede utdragene for hver kode og rolle, gjengitt i hele "
        "setninger og uten innledende fyllord og transkripsjonsmerker («Tja.», «(ler)»). "
        "Ingen passasje siteres to ganger i samme kapittel. Sitatene gjengir bare det "
        "personer med den aktuelle rollen sa; utelatte replikker og forkortelser er markert "
        "med […]. "
        + ("Intervju og replikknummer står i parentes etter hvert sitat." if provenance else
           "Sitatene er anonymisert til rolle og skoleslag."),
    ]


# --- python-docx helpers ----------------------------------------------------------------

def _set_cell_fill(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    for old in tc_pr.findall("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}shd"):
        tc_pr.remove(old)
    tc_pr.append(oxml("w:shd", val="clear", color="auto", fill=fill))


def _set_cell_border(cell, edge: str, size: int, color: str = "404040") -> None:
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = oxml("w:tcBorders")
        tc_pr.append(borders)
    borders.append(oxml(f"w:{edge}", val="single", sz=str(size), space="0", color=color))


def _write(cell, text: str, *, style: str = "Tabelltekst", bold: bool = False,
           align: str | None = None, italic: bool = False, color: str | None = None,
           size: float | None = None, first: bool = True):
    """Put text in a cell (the first paragraph, or a new one)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    para = cell.paragraphs[0] if first else cell.add_paragraph()
    # The report's own paragraph styles have ids equal to their names; setting the id
    # directly avoids python-docx's slow look-up by name (thousands of cells).
    para._p.style = style.replace(" ", "")
    if align:
        para.alignment = {"right": WD_ALIGN_PARAGRAPH.RIGHT,
                          "center": WD_ALIGN_PARAGRAPH.CENTER}[align]
    run = para.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    if size:
        run.font.size = Pt(size)
    return para


def _new_document(title: str):
    from docx.shared import Cm, Pt, RGBColor

    doc, styles, normal = base_document(ACCENT, {"Heading 1": 16, "Heading 2": 13,
                                                 "Heading 3": 11.5})
    styles["Heading 1"].paragraph_format.space_before = Pt(0)
    styles["Heading 1"].paragraph_format.space_after = Pt(10)
    styles["Heading 2"].paragraph_format.space_before = Pt(14)
    styles["Heading 2"].paragraph_format.space_after = Pt(6)
    title_style = styles["Title"]
    title_style.font.name = "Calibri Light"
    title_style.font.size = Pt(26)
    title_style.font.color.rgb = RGBColor.from_string(ACCENT)
    quote = styles["Quote"]
    quote.font.italic = True
    quote.font.color.rgb = RGBColor.from_string("262626")
    quote.paragraph_format.left_indent = Cm(1.0)
    quote.paragraph_format.right_indent = Cm(1.0)
    quote.paragraph_format.space_before = Pt(2)
    quote.paragraph_format.space_after = Pt(10)
    caption_style(styles)

    def paragraph_style(name: str, size: float, **kw):
        return add_paragraph_style(styles, normal, name, size, **kw)

    paragraph_style("Tabelltekst", 9)
    paragraph_style("Tabellsitat", 9, italic=True, after=1)
    paragraph_style("Kildehenvisning", 8, color=GREY, after=5)
    paragraph_style("Tabellnote", 8, italic=True, color=GREY, before=3, after=10)
    lead = paragraph_style("Sitatinnledning", 10.5, after=2, before=6)
    lead.paragraph_format.keep_with_next = True
    lead.paragraph_format.line_spacing = 1.15
    criterion = paragraph_style("Kriterium", 10.5, italic=True, color="262626", after=10,
                                before=4)
    criterion.paragraph_format.left_indent = Cm(0.4)
    criterion.paragraph_format.line_spacing = 1.15
    p_pr = criterion.element.get_or_add_pPr()
    bdr = oxml("w:pBdr")
    bdr.append(oxml("w:left", val="single", sz="18", space="8", color=ACCENT))
    p_pr.append(bdr)
    meta = paragraph_style("Tittelside", 11, after=3)
    meta.paragraph_format.line_spacing = 1.15

    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.5))
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.text = title
    header.style = styles["Kildehenvisning"]
    footer = section.footer.paragraphs[0]
    footer.alignment = 1
    footer.style = styles["Kildehenvisning"]
    page_number_field(footer)
    doc.core_properties.title = title
    doc.core_properties.language = "nb-NO"
    return doc


def _text_width(section) -> float:
    return (section.page_width - section.left_margin - section.right_margin) / 360000


# --- the report -------------------------------------------------------------------------

def _project_facts(store: Store) -> dict:
    from qualcode.services.overview import list_cases

    cases = list_cases(store)
    with store.read() as session:
        formats = Counter(session.exec(select(TranscriptAttribute.value_text).where(
            TranscriptAttribute.name == "format")).all())
        n_transcripts = len(session.exec(select(Transcript.pk)).all())
        words = sum(session.exec(select(Transcript.n_words)).all())
    return {"sites": cases["sites"], "persons": cases["persons"], "formats": formats,
            "transcripts": n_transcripts, "words": words}


def _data_sentence(facts: dict) -> str:
    n_t, n_p, n_s = facts["transcripts"], len(facts["persons"]), len(facts["sites"])
    kinds = Counter(s.get("skoleslag") for s in facts["sites"])
    school_parts = []
    for kind, n in sorted(kinds.items(), key=lambda kv: str(kv[0])):
        if kind is None:
            continue
        forms = mx.NOUN_FORMS.get(str(kind))
        noun = (forms[1] if n != 1 else mx.SKOLESLAG_DISPLAY.get(str(kind), str(kind))) \
            if forms else str(kind)
        school_parts.append(f"{_count_word(n) if n != 1 else 'én'} {noun}")
    formats = []
    for fmt, n in sorted(facts["formats"].items(), key=lambda kv: -kv[1]):
        single, plural = FORMAT_NB.get(fmt, (fmt, fmt))
        formats.append(f"{nb_int(n)} {single if n == 1 else plural}")
    roles = Counter(p.get("rolle") for p in facts["persons"])
    role_parts = [f"{nb_int(n)} {mx.role_display(r) if n == 1 else mx._forms(r)[1]}"
                  for r, n in sorted(roles.items(), key=lambda kv: mx._sort_key(
                      mx.Dimension("rolle", "role"), kv[0]))]
    text = (f"Materialet består av {nb_int(n_t)} intervjuer med {nb_int(n_p)} informanter "
            f"ved {nb_int(n_s)} skoler")
    if school_parts:
        text += f" ({mx.join_nb(school_parts)})"
    text += f", til sammen {nb_int(facts['words'])} ord."
    if formats:
        text += f" Intervjuene fordeler seg på {mx.join_nb(formats)}."
    if role_parts:
        text += f" Informantene er {mx.join_nb(role_parts)}."
    return text


ANALYTIC_FAMILY = "analytisk"


def _area_defs(codes: list[mx.CodeInfo], areas: list[str] | None) -> list[mx.CodeInfo]:
    """The areas that get a chapter: those named, or by default the quality model's areas
    and every other thematic family (the cross-cutting themes); a family named
    ``analytisk`` (level, quality concept, interview context) classifies passages rather
    than being a theme, and goes to an appendix instead (:func:`_appendix_defs`)."""
    by_id = {c.id: c for c in codes}
    families = {c.family for c in codes if c.depth == 0 and c.family}
    if not areas:
        tops = [c for c in codes if c.depth == 0 and not c.archived]
        if "kvalitetsmodellen" not in families:
            return [c for c in tops if c.family != ANALYTIC_FAMILY]
        return ([c for c in tops if c.family == "kvalitetsmodellen"]
                + [c for c in tops if c.family not in ("kvalitetsmodellen", ANALYTIC_FAMILY)])
    chosen: list[mx.CodeInfo] = []
    for spec in (a.strip() for item in areas for a in item.split(",") if a.strip()):
        if spec in by_id:
            chosen.append(by_id[spec])
        elif spec in families:
            chosen.extend(c for c in codes if c.depth == 0 and c.family == spec)
        else:
            mx.select_rows(codes, [spec])  # raises the helpful NotFoundError
    unique = {c.pk: c for c in chosen}  # keep order, drop repeats
    return list(unique.values())


def _appendix_defs(codes: list[mx.CodeInfo], areas: list[str] | None) -> list[mx.CodeInfo]:
    """The analytic families' top codes, counted in an appendix (only by default: areas
    named on the command line are the whole report)."""
    if areas:
        return []
    return [c for c in codes if c.depth == 0 and not c.archived
            and c.family == ANALYTIC_FAMILY]


def _row_defs(areas: list[mx.CodeInfo], by_pk: dict) -> list[mx.RowDef]:
    """Each area's children, the area's own codings, and the area with everything below."""
    row_defs: list[mx.RowDef] = []
    for area in areas:
        for child_pk in area.children:
            child = by_pk[child_pk]
            row_defs.append(mx.RowDef(child.id, child.label, 1,
                                      frozenset(mx._subtree(by_pk, child_pk))))
        row_defs.append(mx.RowDef(area.id, area.label, 1, frozenset([area.pk]), "own"))
        row_defs.append(mx.RowDef(area.id, area.label, 0,
                                  frozenset(mx._subtree(by_pk, area.pk))))
    return row_defs


def write_report(store: Store, path: Path, *, areas: list[str] | None = None,
                 columns: list[str] | None = None, layer: mx.Layer | None = None,
                 top: int = 1, provenance: bool = False, title: str | None = None,
                 today: date | None = None, key: Key | None = None,
                 identifiable: bool = False, memos: bool = False, figures: bool = True,
                 queries: bool = False) -> dict:
    """Write the Word report; returns what it holds (areas, tables, quotes, layer, and the
    figures with the numbers each drew). With a pseudonym ``key`` every quote and name is
    shown replaced; ``identifiable`` says on the first page that names were left in.
    ``figures`` draws the overview and one figure per area; the saved queries are listed
    in the method chapter, and with ``queries`` each gets a section of its own. ``memos``
    adds the appendix of memos."""
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt

    check_output_path(path)  # before the counting: a typo in the folder costs nothing
    layer = layer or mx.Layer.union()
    with store.snapshot() as db:
        codes = mx.load_codes(db)
        attribute_names = mx.attribute_names(db)
    area_codes = _area_defs(codes, areas)
    if columns is None:
        columns = ["rolle", "skoleslag"] if "skoleslag" in attribute_names["site"] else ["rolle"]
    by_pk = {c.pk: c for c in codes}
    info = codebook_info(store) or {}
    all_coders = mx.coder_names(store)
    facts = _project_facts(store)
    title = title or info.get("title") or "Tematisk analyse"

    # One pass per matrix shape over every area's rows.
    row_defs = _row_defs(area_codes, by_pk)
    counts = mx.build_matrix(store, row_defs=row_defs, columns=columns, layer=layer,
                             words=False, key=key)
    if not areas:  # a theme beside the quality model gets a chapter only when coded
        coded = {r.code for r in counts.rows if r.kind == "code" and r.total.references}
        kept = [a for a in area_codes if a.family == "kvalitetsmodellen" or a.id in coded]
        if len(kept) < len(area_codes):
            # The counts stay as built: an uncoded theme's rows are only left unread, and
            # it adds nothing to the totals. The other matrices are built for the kept.
            area_codes = kept
            row_defs = _row_defs(area_codes, by_pk)
    appendix = _appendix_defs(codes, areas)
    appendix_counts = mx.build_matrix(store, row_defs=_row_defs(appendix, by_pk),
                                      columns=columns, layer=layer, words=False, key=key) \
        if appendix else None
    if appendix_counts is not None:
        coded = {r.code for r in appendix_counts.rows if r.kind == "code"
                 and r.total.references}
        appendix = [a for a in appendix if a.id in coded]
    by_role = mx.build_matrix(store, row_defs=row_defs, columns=["rolle"], layer=layer,
                              words=False, quotes=top + QUOTE_RESERVE, quote_chars=None,
                              key=key, sentences=True)
    by_school = mx.build_matrix(store, row_defs=row_defs, columns=["skoleslag"], layer=layer,
                                words=False, key=key) \
        if "skoleslag" in attribute_names["site"] else None
    summaries = mx.build_matrix(store, row_defs=row_defs, columns=["site"], layer=layer,
                                words=False, summaries=True, key=key)
    with store.snapshot() as db:
        any_person_summary = bool(db.rows(
            "SELECT 1 FROM memo WHERE about_type = 'summary' AND about_key LIKE '%|person|%' "
            "LIMIT 1"))
    person_summaries = mx.build_matrix(store, row_defs=row_defs, columns=["person"],
                                       layer=layer, words=False, summaries=True, key=key) \
        if any_person_summary else None

    doc = _new_document(title)
    stats = {"areas": len(area_codes), "tables": 0, "quotes": 0,
             "layer": layer.describe(all_coders), "figures": []}
    layer_nb = layer.describe_nb(all_coders)
    today = today or date.today()

    # Title page
    if identifiable:
        from qualcode.leakcheck import IDENTIFIABLE_MARK
        from qualcode.services.pseudonyms import IDENTIFIABLE_NOTICE

        doc.add_paragraph(IDENTIFIABLE_NOTICE).runs[0].bold = True
        doc.core_properties.comments = IDENTIFIABLE_MARK
    doc.add_paragraph(title, style="Title")
    sub = doc.add_paragraph("Tematisk analyse av intervjuene: omfang etter rolle og "
                            "skoleslag, utvalgte sitater og samforekomst av koder",
                            style="Subtitle")
    sub.paragraph_format.space_after = Pt(36)
    meta_rows = [
        ("Prosjekt", store.name),
        ("Dato", nb_date(today)),
        ("Kodere", mx.join_nb(all_coders) or "ingen"),
        ("Kodelag", layer_nb[0].upper() + layer_nb[1:]),
        ("Kodebok", f"{info.get('name', 'ukjent')}, versjon {info.get('version', '?')} "
                    f"({nb_int(len(codes))} koder)" if info else "ikke lastet"),
        ("Materiale", f"{nb_int(facts['transcripts'])} intervjuer, "
                      f"{nb_int(len(facts['persons']))} informanter, "
                      f"{nb_int(len(facts['sites']))} skoler"),
    ]
    meta = clean_table(doc, len(meta_rows), [3.5, 12.5])
    _no_borders(meta)
    for row, (k, v) in zip(meta.rows, meta_rows, strict=True):
        _write(row.cells[0], k, style="Tittelside", bold=True, color=GREY)
        _write(row.cells[1], v, style="Tittelside")
    foot = doc.add_paragraph(f"Laget med qualcode {__version__}.", style="Kildehenvisning")
    foot.paragraph_format.space_before = Pt(30)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # Method and data
    method = doc.add_heading("Metode og datagrunnlag", level=1)
    doc.add_paragraph(_data_sentence(facts))
    doc.add_paragraph(
        f"Intervjuene er kodet tematisk med kodeboken «{info.get('title') or info.get('name')}»"
        f" av {mx.join_nb(all_coders) or 'ingen kodere'}. Tabellene og sitatene bygger på "
        f"{layer_nb}. {_chapters_sentence(columns, figures)} Til slutt følger "
        "samforekomst av koder og kodeboken som vedlegg"
        + (", og forskernes memoer i vedlegget «Memoer»." if memos else ".") if info else
        f"Tabellene og sitatene bygger på {layer_nb}."
        + (" Forskernes memoer står i vedlegget «Memoer»." if memos else ""))
    doc.add_paragraph(_scope_sentence(area_codes, appendix))
    from qualcode.services.stability import stability_sentences_nb

    agreement_text = " ".join(t for t in (_agreement_sentence(store),
                                          stability_sentences_nb(store)) if t)
    if agreement_text:
        doc.add_heading("Samsvar mellom koderne", level=2)
        doc.add_paragraph(agreement_text)
    doc.add_heading("Telleregler", level=2)
    for rule in counting_rules_nb(layer_nb, provenance):
        doc.add_paragraph(rule, style="List Bullet")
    from qualcode.services import report_queries

    saved = report_queries.run_saved(store, {c.id: c.label for c in codes}, layer)
    report_queries.add_saved_queries(doc, saved, queries, key)
    _section(doc, landscape=True)
    stats["tables"] += _overview(doc, counts, {a.id for a in area_codes})
    from qualcode.services.report_figures import add_area_figure, add_overview_figure

    if figures:
        stats["figures"].append({"number": 1, "plotted": add_overview_figure(
            doc, counts, _text_width(doc.sections[-1]))})

    # One chapter per area
    counts_rows = {(r.code, r.kind): r for r in counts.rows}
    role_rows = {(r.code, r.kind): r for r in by_role.rows}
    school_rows = {(r.code, r.kind): r for r in by_school.rows} if by_school else {}
    summary_rows = {(r.code, r.kind): r for r in summaries.rows}
    person_rows = ({(r.code, r.kind): r for r in person_summaries.rows}
                   if person_summaries else {})
    table_no = [stats["tables"]]
    for n_area, area in enumerate(area_codes, start=1):
        _section(doc, landscape=False)
        doc.add_heading(f"{n_area}. {area.label}", level=1)
        if area.criterion:
            doc.add_paragraph(" ".join(area.criterion.split()), style="Kriterium")
        doc.add_paragraph(_area_summary(area, counts_rows[(area.id, "code")],
                                        role_rows[(area.id, "code")], by_role,
                                        school_rows.get((area.id, "code")), by_school))
        used = _framework_choice(area, by_pk, role_rows, by_role, top)
        stats["quotes"] += _intro_quotes(doc, area, role_rows[(area.id, "code")], by_role,
                                         used, provenance)
        section = _section(doc, landscape=True)
        width = _text_width(section)
        doc.add_heading(f"Omfang etter {' og '.join(columns)}", level=2)
        table_no[0] += 1
        children = [by_pk[pk] for pk in area.children]
        rows = [counts_rows[(c.id, "code")] for c in children]
        own = counts_rows[(area.id, "own")]
        if own.total.references:
            own_row = own
            own_row.label = f"{area.label} (området som helhet)"
            rows.append(own_row)
        if figures and rows and counts_rows[(area.id, "code")].total.references:
            # Before its table: the figure then shares the page with the table's first
            # rows, however long the table is.
            stats["figures"].append(add_area_figure(
                doc, counts, area.label, rows, _visible_columns(counts),
                len(stats["figures"]) + 1, table_no[0], width))
        _caption(doc, f"Tabell {table_no[0]}. {area.label}: antall kodede utdrag "
                      "(antall informanter i parentes).")
        _counts_table(doc, counts, rows, counts_rows[(area.id, "code")],
                      f"{area.label} i alt", width)
        doc.add_paragraph(
            "Et utdrag som omfatter replikker fra flere roller, telles én gang for hver rolle; "
            "kolonnen Totalt teller det én gang. Intervjuerens replikker telles ikke. "
            "– = ingen kodede utdrag." + dropped_note(counts), style="Tabellnote")
        doc.add_heading("Utsagn etter rolle", level=2)
        table_no[0] += 1
        _caption(doc, f"Tabell {table_no[0]}. {area.label}: utvalgte utsagn per kode og rolle.")
        stats["quotes"] += _framework_table(doc, by_role, _framework_entries(area, by_pk),
                                            used, width, provenance)
        n_summaries = _summary_table(doc, summaries, children, area, summary_rows, width,
                                     table_no)
        n_person = _summary_table(doc, person_summaries, children, area, person_rows, width,
                                  table_no, who="informant") if person_summaries else 0
        stats["tables"] += 2 + (1 if n_summaries else 0) + (1 if n_person else 0)
    table_no[0] = stats["tables"]

    # Co-occurrence
    _section(doc, landscape=False)
    stats["tables"] += _cooccurrence_chapter(doc, store, area_codes, layer, table_no)
    if queries and any(q.result for q in saved):
        _section(doc, landscape=False)
        stats["tables"] += report_queries.add_query_chapter(
            doc, saved, columns, key, table_no, _text_width(doc.sections[-1]))

    # Appendix: the analytic codes, counted
    if appendix:
        section = _section(doc, landscape=True)
        doc.add_heading("Vedlegg: Analytiske koder", level=1)
        doc.add_paragraph(
            "De analytiske kodene klassifiserer utdrag på tvers av områdene (for eksempel "
            "nivå i kvalitetsarbeidet eller forhold ved intervjuet) og har derfor ikke egne "
            "kapitler. Tabellene viser omfanget etter rolle og skoleslag.")
        a_rows = {(r.code, r.kind): r for r in appendix_counts.rows}
        for area in appendix:
            table_no[0] += 1
            _caption(doc, f"Tabell {table_no[0]}. {area.label}: antall kodede utdrag "
                          "(antall informanter i parentes).")
            rows = [a_rows[(by_pk[pk].id, "code")] for pk in area.children]
            _counts_table(doc, appendix_counts, rows, a_rows[(area.id, "code")],
                          f"{area.label} i alt", _text_width(section))
            stats["tables"] += 1
        doc.add_paragraph("– = ingen kodede utdrag. Intervjuerens replikker telles ikke."
                          + dropped_note(appendix_counts), style="Tabellnote")
        counts_rows.update(a_rows)

    # Appendix: the codebook
    _section(doc, landscape=False)
    doc.add_heading("Vedlegg: Kodebok", level=1)
    doc.add_paragraph(
        f"Kodene i rapportens områder med beskrivelse, antall kodede utdrag og antall "
        f"informanter ({layer_nb}). Et område teller utdrag kodet med området selv eller med "
        "en av kodene under det, hvert utdrag én gang.")
    table_no[0] += 1
    _caption(doc, f"Tabell {table_no[0]}. Kodebok med omfang.")
    _codebook_table(doc, area_codes + appendix, by_pk, counts_rows)
    stats["tables"] += 1
    if memos:
        from qualcode.services.report_memos import add_memo_appendix

        _section(doc, landscape=False)
        stats["memos"] = add_memo_appendix(doc, store, key, identifiable=identifiable)
    keep_notes_with_tables(doc)
    # Chapters and appendices alone: every area chapter has the same sections.
    table_of_contents(doc, method, "Innhold", ACCENT, levels=1)
    update_fields_on_open(doc)
    save_document(doc, path)
    return stats


def _agreement_sentence(store: Store) -> str | None:
    """The coders' agreement in the method chapter, when two or more coded independently:
    pooled Krippendorff's alpha and Cohen's/Fleiss' kappa over characters, with the
    bootstrap interval, as the supervisor's agreement report computes them."""
    from qualcode.domain.errors import QualcodeError
    from qualcode.services.agreement_report import agreement

    try:
        result = agreement(store, bootstrap=1000, seed=0)
    except QualcodeError:
        return None  # fewer than two coders, or nothing both coded
    coders, pooled = result["coders"], result["pooled"]
    if len(coders) < 2 or not pooled or pooled.get("alpha") is None:
        return None
    interval = pooled.get("interval") or {}
    kappa_name = "Fleiss' kappa" if pooled.get("kappa_kind") == "fleiss" else "Cohens kappa"

    def nb(x: float) -> str:
        return f"{x:.2f}".replace(".", ",")

    text = (f"{_count_word(len(coders)).capitalize()} kodere ({mx.join_nb(coders)}) kodet "
            "materialet uavhengig av hverandre. Samsvaret er målt tegn for tegn over "
            f"{pooled['label'].replace('all ', 'alle ').replace(' codes', ' kodene')}: "
            f"Krippendorffs alfa er {nb(pooled['alpha'])}")
    if interval.get("low") is not None:
        text += (f" (95 % konfidensintervall {nb(interval['low'])}–{nb(interval['high'])}, "
                 f"{nb_int(interval['resamples_used'])} bootstrap-utvalg av intervjuene)")
    if pooled.get("kappa") is not None:
        text += f", og {kappa_name} er {nb(pooled['kappa'])}"
    band = {"reliable": "pålitelig", "tentative": "godt nok for foreløpige konklusjoner",
            "unreliable": "ikke pålitelig"}.get(pooled.get("alpha_band") or "")
    if band:
        text += f". Etter Krippendorffs (2004) grenser er samsvaret {band}"
    return text + (". Samsvar per kode står i veilederens samsvarsrapport "
                   "(qualcode export agreement).")


def _chapters_sentence(columns: list[str], figures: bool) -> str:
    """What each area chapter holds, as this report was written."""
    by = " og ".join(columns)
    text = ("Rapporten har ett kapittel for hvert område: først kriteriet fra kodeboken, en "
            "oppsummering og utvalgte sitater, deretter "
            + ("en figur og " if figures else "") + f"en tabell over omfang etter {by} og en "
            "tabell med utsagn per kode og rolle.")
    if figures:
        return (text + " Figurene (én i oversikten over områdene og én i hvert kapittel) "
                "viser de samme tallene som tabellene under dem; et område uten kodede utdrag "
                "får ingen figur.")
    return text + " Figurene er utelatt i denne utgaven (valget --no-figures)."


def _scope_sentence(chapters: list[mx.CodeInfo], appendix: list[mx.CodeInfo]) -> str:
    """Which code families the report covers and where, in plain words."""
    themes = [a.label for a in chapters if a.family != "kvalitetsmodellen"]
    text = (f"Rapporten dekker {mx.join_nb([a.label for a in chapters]) or 'ingen områder'}"
            + (f", der {mx.join_nb(themes)} er tverrgående temaer utenfor kvalitetsmodellens "
               "områder" if themes else "") + ".")
    if appendix:
        text += (" De analytiske kodene (" + mx.join_nb([a.label for a in appendix])
                 + ") telles i et eget vedlegg.")
    return text


def _no_borders(table) -> None:
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    borders = oxml("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(oxml(f"w:{edge}", val="nil"))
    tbl_pr.append(borders)


def _caption(doc, text: str) -> None:
    doc.add_paragraph(text, style="Caption")


def _plural(n: int, one: str, many: str) -> str:
    return f"{nb_int(n)} {one if n == 1 else many}"


def _who_and_who_not(parts: list[tuple[int, int, str]]) -> tuple[str, str]:
    """(k, n, noun) → ("begge rektorene og de fleste av lærerne", "rådgiveren"): who has the
    code, in frequency words, and who in the data has not."""
    said = [mx.frequency_parts(k, n, noun) for k, n, noun in parts if k > 0]
    silent = []
    for k, n, noun in parts:
        if k == 0 and n > 0:
            one, _, the_many = mx._forms(noun)
            silent.append(one if n == 1 else the_many)
    return mx.frequency_sentence(said), mx.join_nb(silent).replace(" og ", " eller ")


def _area_summary(area, counts_row, role_row, by_role, school_row, by_school) -> str:
    total = counts_row.total
    if not total.references:
        return (f"Ingen utdrag er kodet med {area.label} eller kodene under i dette "
                "kodelaget.")
    text = (f"{area.label} er kodet i {_plural(total.references, 'utdrag', 'utdrag')} fra "
            f"{_plural(total.transcripts, 'intervju', 'intervjuer')}, hos "
            f"{_plural(total.informants, 'informant', 'informanter')}.")
    roles = [(role_row.cells[i].informants, by_role.column_informants[i], key[0])
             for i, key in enumerate(by_role.columns)
             if key[0] is not None and by_role.column_informants[i] > 0]
    said, silent = _who_and_who_not(roles)
    if said:
        text += f" Temaet tas opp av {said}" + (f", men ikke av {silent}." if silent else ".")
    if school_row is not None and by_school is not None:
        kinds = [(school_row.cells[i].sites, by_school.column_sites[i], str(key[0]))
                 for i, key in enumerate(by_school.columns)
                 if key[0] is not None and by_school.column_sites[i] > 0]
        said, silent = _who_and_who_not(kinds)
        if said:
            text += f" Det er kodet ved {said}" + (
                f", men ikke ved {silent}." if silent else ".")
    return text


def _framework_entries(area, by_pk) -> list[tuple[tuple[str, str], str, str]]:
    """Rows of the framework table: each child code, then the area coded as a whole."""
    entries = [((by_pk[pk].id, "code"), by_pk[pk].label, by_pk[pk].id) for pk in area.children]
    entries.append(((area.id, "own"), f"{area.label} (området som helhet)", area.id))
    return entries


def _framework_choice(area, by_pk, role_rows, by_role, top: int) -> dict:
    """The quotes of the framework table: per row and role the ``top`` longest that say
    something (not only fillers), never a passage the chapter has already quoted."""
    used: dict = {}
    quoted = QuotedPassages()
    repeats: set[tuple] = set()
    for key, _, _ in _framework_entries(area, by_pk):
        row = role_rows[key]
        for c in range(len(by_role.columns)):
            candidates = row.cells[c].quotes
            used[(key, c)] = quoted.take(candidates, top)
            if not used[(key, c)] and any(q["text"] for q in candidates):
                repeats.add((key, c))  # coded, but every passage is quoted above
    used["_quoted"] = quoted
    used["_repeats"] = repeats
    return used


class QuotedPassages:
    """The text a chapter has quoted, by transcript, so that no passage is quoted twice:
    not the same coding for two codes, nor an overlapping one for another role."""

    def __init__(self) -> None:
        self.ranges: dict[str, list[tuple[int, int]]] = {}

    def fresh(self, q: dict) -> bool:
        taken = self.ranges.get(q["transcript"], [])
        return bool(q["text"]) and not any(a < tb and ta < b for a, b in q["shown"]
                                           for ta, tb in taken)

    def take(self, candidates: list[dict], n: int) -> list[dict]:
        """The first ``n`` fresh candidates (best first), now quoted."""
        chosen = []
        for q in candidates:
            if len(chosen) == n:
                break
            if self.fresh(q):
                chosen.append(q)
                self.ranges.setdefault(q["transcript"], []).extend(q["shown"])
        return chosen


def _quote_roles(by_role) -> list[int]:
    return [i for i, key in enumerate(by_role.columns)
            if key[0] is not None and by_role.column_informants[i] > 0]


def _intro_quotes(doc, area, area_row, by_role, used, provenance: bool) -> int:
    """Block quotes in the report's style: a lead-in naming role and school type, then the
    quotation as an indented paragraph."""
    quoted = used["_quoted"]
    picks = [q for c in _quote_roles(by_role) for q in quoted.take(area_row.cells[c].quotes, 1)]
    if not picks:
        return 0
    doc.add_heading("Utvalgte sitater", level=2)
    for i, q in enumerate(picks):
        doc.add_paragraph(f"{q['attribution']} {LEAD_INS[i % len(LEAD_INS)]}",
                          style="Sitatinnledning")
        para = doc.add_paragraph(compose(q["pieces"], 550), style="Quote")
        if provenance:
            run = para.add_run(f"  ({_where(q)})")
            run.italic = False
            from docx.shared import Pt, RGBColor

            run.font.size = Pt(8.5)
            run.font.color.rgb = RGBColor.from_string(GREY)
    return len(picks)


def _where(q: dict) -> str:
    """Transcript, turn numbers and, where the transcript has times, the moment in the
    recording: "vestbo_rektor, replikk 12 [00:12:31]"."""
    from qualcode.media import format_clock

    turns = q["turns"]
    where = q["transcript"]
    if len(turns) == 1:
        where += f", replikk {turns[0]}"
    elif turns:
        where += f", replikk {turns[0]}–{turns[-1]}"
    if q.get("time") is not None:
        where += f" {format_clock(q['time'])}"
    return where


def _header_text(dimension: str, value: Any) -> str:
    if value is None:
        return mx.NOT_REPORTED
    text = mx.value_display(dimension, value)
    if dimension.endswith("skoleslag"):
        if str(value) in mx.SKOLESLAG_DISPLAY:  # the column says school: "Videregående"
            text = text.removesuffix(" skole")
        # A school type header may break inside its long word rather than widen the table.
        text = soft_hyphenated(text)
    return text[:1].upper() + text[1:]


def _visible_columns(m: mx.Matrix) -> list[int]:
    """Columns worth a place in a table or figure: those not empty in every row (as the
    terminal's matrices show them)."""
    empty = set(mx.empty_columns(m))
    return [i for i in range(len(m.columns)) if i not in empty]


def dropped_note(m: mx.Matrix) -> str:
    """The sentence saying which columns were left out for being empty, or ''."""
    empty = mx.empty_columns(m)
    if not empty:
        return ""
    names = mx.join_nb([f"«{m.column_label(i)}»" for i in empty])
    if len(empty) == 1:
        return f" Kolonnen {names} er utelatt fordi den er tom i alle rader."
    return f" Kolonnene {names} er utelatt fordi de er tomme i alle rader."


def _counts_table(doc, m: mx.Matrix, rows: list[mx.MatrixRow], total_row: mx.MatrixRow,
                  total_label: str, width: float) -> None:
    """Codes × (one or two nested attributes) with a totals row and column; the header rows
    repeat on every page."""
    shown = _visible_columns(m)
    ncols = len(shown)
    columns = [m.columns[i] for i in shown]
    nested = len(m.dimensions) == 2
    label_w = min(8.0, width * 0.32)
    total_w = 1.9
    cell_w = (width - label_w - total_w) / max(ncols, 1)
    widths = [label_w] + [cell_w] * ncols + [total_w]
    n_header = 2 if nested else 1
    table = clean_table(doc, n_header + len(rows) + 1, widths)
    head = table.rows[0]
    if nested:
        # outer values merged over their inner columns
        start = 0
        while start < ncols:
            end = start
            while end + 1 < ncols and columns[end + 1][0] == columns[start][0]:
                end += 1
            cell = head.cells[1 + start].merge(head.cells[1 + end]) if end > start else \
                head.cells[1 + start]
            _write(cell, _header_text(m.dimensions[0], columns[start][0]), bold=True,
                   align="center")
            start = end + 1
        for i, key in enumerate(columns):
            _write(table.rows[1].cells[1 + i], _header_text(m.dimensions[1], key[1]),
                   align="center", size=8.5)
        code_cell = head.cells[0].merge(table.rows[1].cells[0])
        total_cell = head.cells[-1].merge(table.rows[1].cells[-1])
    else:
        for i, key in enumerate(columns):
            _write(head.cells[1 + i], _header_text(m.dimensions[0], key[0]) if key else "Alle",
                   bold=True, align="center")
        code_cell, total_cell = head.cells[0], head.cells[-1]
    _write(code_cell, "Kode", bold=True)
    _write(total_cell, "Totalt", bold=True, align="right")
    for r in range(n_header):
        repeat_header(table.rows[r])
        cant_split(table.rows[r])
        for cell in table.rows[r].cells:
            _set_cell_fill(cell, HEADER_FILL)
    for cell in table.rows[n_header - 1].cells:
        _set_cell_border(cell, "bottom", 8)

    def fill(row_cells, row: mx.MatrixRow, label: str, bold: bool) -> None:
        _write(row_cells[0], label, bold=bold)
        for i, cell in enumerate(row.cells[c] for c in shown):
            text = f"{cell.references} ({cell.informants})" if cell.references else "–"
            _write(row_cells[1 + i], text, align="right", bold=bold,
                   color=None if cell.references else "8C8C8C")
        t = row.total
        _write(row_cells[-1], f"{t.references} ({t.informants})" if t.references else "–",
               align="right", bold=True)

    for row, mrow in zip(table.rows[n_header:], rows, strict=False):
        cant_split(row)
        fill(row.cells, mrow, mrow.label, False)
    last = table.rows[-1]
    cant_split(last)
    fill(last.cells, total_row, total_label, True)
    for cell in last.cells:
        _set_cell_fill(cell, TOTAL_FILL)
        _set_cell_border(cell, "top", 8)


def _framework_table(doc, by_role: mx.Matrix, entries, used, width: float,
                     provenance: bool) -> int:
    roles = _quote_roles(by_role)
    label_w = min(5.0, width * 0.2)
    cell_w = (width - label_w) / max(len(roles), 1)
    shown = [e for e in entries if any(used.get((e[0], i)) for i in roles)
             or any((e[0], i) in used["_repeats"] for i in roles)]
    table = clean_table(doc, 1 + max(len(shown), 1), [label_w] + [cell_w] * len(roles))
    head = table.rows[0]
    _write(head.cells[0], "Kode", bold=True)
    for j, i in enumerate(roles):
        _write(head.cells[1 + j], _header_text("rolle", by_role.columns[i][0]), bold=True)
    repeat_header(head)
    cant_split(head)
    for cell in head.cells:
        _set_cell_fill(cell, HEADER_FILL)
        _set_cell_border(cell, "bottom", 8)
    n = 0
    if not shown:
        _write(table.rows[1].cells[0], "Ingen kodede utsagn fra informanter.", italic=True)
        return 0
    for row, (key, label, code_id) in zip(table.rows[1:], shown, strict=True):
        cant_split(row)
        _write(row.cells[0], label, bold=True)
        _write(row.cells[0], code_id, style="Kildehenvisning", first=False)
        for j, i in enumerate(roles):
            quotes = used.get((key, i)) or []
            cell = row.cells[1 + j]
            if not quotes and (key, i) in used["_repeats"]:
                _write(cell, "Sitert ovenfor.", style="Kildehenvisning", italic=True)
                continue
            if not quotes:
                _write(cell, "–", color="8C8C8C")
                continue
            first = True
            for q in quotes:
                _write(cell, compose(q["pieces"], 420), style="Tabellsitat", first=first)
                source = f"— {q['attribution']}"
                if provenance:
                    source += f" ({_where(q)})"
                _write(cell, source, style="Kildehenvisning", first=False)
                first = False
                n += 1
    doc.add_paragraph("Sitatene er de lengste utdragene for hver kode og rolle, i hele "
                      "setninger, forkortet ved […]. Et utsagn siteres bare én gang i kapitlet. "
                      "Koder uten kodede utsagn er utelatt.",
                      style="Tabellnote")
    return n


def _summary_table(doc, m: mx.Matrix, children, area, summary_rows, width, table_no, *,
                   who: str = "skole") -> int:
    """Researcher summaries per code and school (or informant: ``who``), when any were
    written (`qualcode summary set … --site` / `--person`)."""
    codes = [area, *children]
    filled = [(c, summary_rows.get((c.id, "code"))) for c in codes]
    sites = sorted({i for _, r in filled if r for i, cell in enumerate(r.cells)
                    if cell.summary})
    if not sites:
        return 0
    doc.add_heading(f"Forskerens sammendrag per {who}", level=2)
    table_no[0] += 1
    _caption(doc, f"Tabell {table_no[0]}. {area.label}: sammendrag per kode og {who}.")
    rows = [(c, r) for c, r in filled if r and any(r.cells[i].summary for i in sites)]
    label_w = min(5.0, width * 0.2)
    cell_w = (width - label_w) / len(sites)
    table = clean_table(doc, 1 + len(rows), [label_w] + [cell_w] * len(sites))
    _write(table.rows[0].cells[0], "Kode", bold=True)
    for j, i in enumerate(sites):
        _write(table.rows[0].cells[1 + j], str(m.columns[i][0]), bold=True)
    repeat_header(table.rows[0])
    for cell in table.rows[0].cells:
        _set_cell_fill(cell, HEADER_FILL)
    for row, (code, r) in zip(table.rows[1:], rows, strict=True):
        _write(row.cells[0], code.label, bold=True)
        for j, i in enumerate(sites):
            _write(row.cells[1 + j], r.cells[i].summary or "–")
    return len(rows)


def _overview(doc, counts: mx.Matrix, areas: set[str]) -> int:
    """Areas × columns in the method chapter: the whole study at a glance."""
    doc.add_heading("Oversikt over områdene", level=1)
    doc.add_paragraph("Tabellen viser hvor mange kodede utdrag hvert område har, fordelt på "
                      "rolle og skoleslag, med antall informanter i parentes. Kapitlene "
                      "nedenfor bryter tallene ned på kodene under hvert område.")
    _caption(doc, "Tabell 1. Kodede utdrag per område (antall informanter i parentes).")
    rows = [r for r in counts.rows if r.kind == "code" and r.depth == 0 and r.code in areas]
    _counts_table(doc, counts, rows, counts.total_row, "Alle områdene (sammenslått)",
                  _text_width(doc.sections[-1]))
    doc.add_paragraph("Raden for alle områdene slår sammen overlappende utdrag på tvers av "
                      "områdene, slik at et utdrag med parallelle koder telles én gang."
                      + dropped_note(counts), style="Tabellnote")
    return 1


def _cooccurrence_chapter(doc, store: Store, area_codes, layer, table_no) -> int:
    ids = [a.id for a in area_codes]
    co = mx.cooccurrence(store, rows=ids, depth=0, layer=layer, unit="span")
    doc.add_heading("Samforekomst av koder", level=1)
    doc.add_paragraph(
        "Koding med parallelle koder betyr at samme utdrag ofte handler om flere områder. "
        "Tabellen viser hvor mange ganger et utdrag kodet med ett område overlapper et utdrag "
        "kodet med et annet (par av overlappende utdrag). I parentes står Jaccard-indeksen: "
        "andelen av tegnene kodet med minst ett av de to områdene som er kodet med begge.")
    table_no[0] += 1
    _caption(doc, f"Tabell {table_no[0]}. Samforekomst mellom områdene (Jaccard i parentes).")
    n = len(co.codes)
    width = _text_width(doc.sections[-1])
    label_w = 3.6
    cell_w = (width - label_w) / max(n, 1)
    table = clean_table(doc, n + 1, [label_w] + [cell_w] * n)
    _write(table.rows[0].cells[0], "Område", bold=True)
    for j, r in enumerate(co.codes):
        _write(table.rows[0].cells[1 + j], r.code, bold=True, align="center")
    repeat_header(table.rows[0])
    for cell in table.rows[0].cells:
        _set_cell_fill(cell, HEADER_FILL)
        _set_cell_border(cell, "bottom", 8)
    for i, r in enumerate(co.codes):
        row = table.rows[1 + i]
        cant_split(row)
        _write(row.cells[0], r.label, bold=True)
        for j in range(n):
            if i == j:
                _write(row.cells[1 + j], "", align="center")
                _set_cell_fill(row.cells[1 + j], TOTAL_FILL)
                continue
            key = (min(i, j), max(i, j))
            count = co.count.get(key, 0)
            jac = co.jaccard.get(key)
            text = f"{count}\n({jac:.2f})".replace(".", ",") if count and jac is not None \
                else "–"
            _write(row.cells[1 + j], text, align="center", size=8.5,
                   color=None if count else "8C8C8C")
    tables = 1
    pairs_co = mx.cooccurrence(store, rows=ids, layer=layer, unit="span")
    depth_of = {r.code: r.depth for r in pairs_co.codes}
    label_of = {r.code: r.label for r in pairs_co.codes}
    pairs = [p for p in pairs_co.pairs()
             if depth_of[p["code_a"]] >= 1 and depth_of[p["code_b"]] >= 1 and p["count"]][:15]
    if pairs:
        doc.add_heading("Hyppigste kodepar", level=2)
        table_no[0] += 1
        _caption(doc, f"Tabell {table_no[0]}. " + (
            f"De {len(pairs)} hyppigste parene av koder under områdene." if len(pairs) > 1
            else "Det hyppigste paret av koder under områdene."))
        t = clean_table(doc, len(pairs) + 1, [6.5, 6.5, 1.5, 1.5])
        for j, h in enumerate(("Kode", "Kode", "Par", "Jaccard")):
            _write(t.rows[0].cells[j], h, bold=True, align="right" if j >= 2 else None)
        repeat_header(t.rows[0])
        for cell in t.rows[0].cells:
            _set_cell_fill(cell, HEADER_FILL)
            _set_cell_border(cell, "bottom", 8)
        for row, p in zip(t.rows[1:], pairs, strict=True):
            cant_split(row)
            for j, code in enumerate((p["code_a"], p["code_b"])):
                _write(row.cells[j], label_of[code])
                _write(row.cells[j], code, style="Kildehenvisning", first=False)
            _write(row.cells[2], str(p["count"]), align="right")
            jac = p["jaccard"]
            _write(row.cells[3], f"{jac:.2f}".replace(".", ",") if jac is not None else "–",
                   align="right")
        tables += 1
    return tables


def _codebook_table(doc, area_codes, by_pk, counts_rows) -> None:
    codes = []
    for area in area_codes:
        codes.append(area)
        codes.extend(by_pk[pk] for pk in area.children)
    width = _text_width(doc.sections[-1])
    widths = [5.0, width - 5.0 - 2.8, 1.4, 1.4]
    table = clean_table(doc, len(codes) + 1, widths)
    for j, h in enumerate(("Kode", "Beskrivelse", "Utdrag", "Infor\u00admanter")):
        _write(table.rows[0].cells[j], h, bold=True, align="right" if j >= 2 else None)
    repeat_header(table.rows[0])
    for cell in table.rows[0].cells:
        _set_cell_fill(cell, HEADER_FILL)
        _set_cell_border(cell, "bottom", 8)
    for row, code in zip(table.rows[1:], codes, strict=True):
        cant_split(row)
        top = code.depth == 0
        _write(row.cells[0], code.label, bold=top)
        _write(row.cells[0], code.id, style="Kildehenvisning", first=False)
        _write(row.cells[1], " ".join((code.description or "").split()) or "–")
        counted = counts_rows.get((code.id, "code"))
        refs = counted.total.references if counted else 0
        inf = counted.total.informants if counted else 0
        _write(row.cells[2], str(refs) if refs else "–", align="right", bold=top)
        _write(row.cells[3], str(inf) if inf else "–", align="right", bold=top)
        if top:
            for cell in row.cells:
                _set_cell_fill(cell, TOTAL_FILL)


# --- matrices as files ------------------------------------------------------------------

def _xlsx_header(ws, m: mx.Matrix, textual: bool) -> int:
    from openpyxl.styles import Alignment, Font, PatternFill

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor=HEADER_FILL)
    nested = len(m.dimensions) == 2
    n_header = 2 if nested else 1
    fixed = ["code", "label", "depth"]
    for j, name in enumerate(fixed, start=1):
        ws.cell(row=1, column=j, value=name)
        if nested:
            ws.merge_cells(start_row=1, end_row=2, start_column=j, end_column=j)
    ncols = len(m.columns)
    if nested:
        start = 0
        while start < ncols:
            end = start
            while end + 1 < ncols and m.columns[end + 1][0] == m.columns[start][0]:
                end += 1
            ws.cell(row=1, column=4 + start,
                    value=mx.value_display(m.dimensions[0], m.columns[start][0]))
            if end > start:
                ws.merge_cells(start_row=1, end_row=1, start_column=4 + start,
                               end_column=4 + end)
            start = end + 1
        for i, key in enumerate(m.columns):
            ws.cell(row=2, column=4 + i, value=mx.value_display(m.dimensions[1], key[1]))
    else:
        for i in range(ncols):
            ws.cell(row=1, column=4 + i, value=m.column_label(i))
    ws.cell(row=1, column=4 + ncols, value="total")
    if nested:
        ws.merge_cells(start_row=1, end_row=2, start_column=4 + ncols, end_column=4 + ncols)
    for r in range(1, n_header + 1):
        for c in range(1, 5 + ncols):
            cell = ws.cell(row=r, column=c)
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(horizontal="center" if c > 3 else "left",
                                       vertical="center", wrap_text=True)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 7
    from openpyxl.utils import get_column_letter

    for c in range(4, 5 + ncols):
        ws.column_dimensions[get_column_letter(c)].width = 60 if textual else 14
    ws.freeze_panes = ws.cell(row=n_header + 1, column=4)
    return n_header


def write_matrix_xlsx(m: mx.Matrix, cells: list[str], path: Path) -> None:
    """One sheet per cell measure (numbers stay numbers), and a sheet with the rules."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    for measure in cells:
        ws = wb.create_sheet(measure[:31])
        textual = measure in ("quotes", "summaries")
        n_header = _xlsx_header(ws, m, textual)
        for r, row in enumerate([*m.rows, m.total_row], start=n_header + 1):
            ws.cell(row=r, column=1, value=row.code if row.kind != "total" else "total")
            ws.cell(row=r, column=2, value=row.label)
            ws.cell(row=r, column=3, value=row.depth)
            values = [*row.cells, row.total]
            for j, cell in enumerate(values):
                target = ws.cell(row=r, column=4 + j)
                if textual:
                    target.value = mx.cell_text(cell, measure) or None
                    target.alignment = Alignment(wrap_text=True, vertical="top")
                else:
                    target.value = cell.value(measure)
                    if measure == "coverage":
                        target.number_format = "0.0"
            if row.kind == "total" or row.depth == 0:
                for c in range(1, 4 + len(values)):
                    ws.cell(row=r, column=c).font = Font(bold=True)
    about = wb.create_sheet("about")
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 110
    lines = [("layer", m.layer), ("columns", " × ".join(m.dimensions) or "all"),
             ("words spoken", m.total_words), ("informants", m.total_informants),
             ("generated", date.today().isoformat()),
             ("counting rules", mx.COUNTING_RULES)]
    for r, (k, v) in enumerate(lines, start=1):
        about.cell(row=r, column=1, value=k).font = Font(bold=True)
        cell = about.cell(row=r, column=2, value=v)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    save_workbook(wb, path)


def write_presence(headers: list[str], records: list[dict], path: Path, *,
                   raw: bool = False) -> None:
    """The persons × codes 0/1 table as CSV (UTF-8, no BOM) or xlsx. Text that would start
    a formula is written as text (in CSV with a leading apostrophe, unless ``raw``)."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        ws.title = "presence"
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for rec in records:
            ws.append([_plain(rec.get(h)) for h in headers])
        ws.freeze_panes = "B2"
        save_workbook(wb, path)
        return
    with atomic_output(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([csv_cell(h, raw=raw) for h in headers])
        for rec in records:
            writer.writerow(["" if rec.get(h) is None else csv_cell(_plain(rec.get(h)), raw=raw)
                             for h in headers])


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
