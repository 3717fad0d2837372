"""The one Word (.docx) renderer: lays out a :class:`qualcode.reports.document.Document`
(:func:`write`), with the building blocks it and the reports share (python-docx, imported
lazily): raw OOXML elements, paragraph styles, page sections, the clean table style, the
page number and contents fields, and text width estimates."""

from __future__ import annotations

from collections.abc import Sequence


def oxml(tag: str, **attrs: str):
    """A WordprocessingML element with ``w:``-namespaced attributes."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    return el


def add_paragraph_style(styles, base, name: str, size: float, *, italic: bool = False,
                        color: str | None = None, after: float = 0, before: float = 0):
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = base
    style.font.size = Pt(size)
    style.font.italic = italic or None
    if color:
        style.font.color.rgb = RGBColor.from_string(color)
    style.paragraph_format.space_after = Pt(after)
    style.paragraph_format.space_before = Pt(before)
    style.paragraph_format.line_spacing = 1.0
    return style


def add_section(doc, landscape: bool, *, portrait_margins: tuple[float, float, float],
                landscape_margins: tuple[float, float, float]):
    """A new A4 page section; margins in cm as (left/right, top, bottom)."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Cm

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    # A new section copies the previous one's settings, the title page's "different first
    # page" included: without this, the first page of every section had no header and no
    # page number (20 of 42 pages of the example report).
    section.different_first_page_header_footer = False
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        side, top, bottom = landscape_margins
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        side, top, bottom = portrait_margins
    section.left_margin = section.right_margin = Cm(side)
    section.top_margin, section.bottom_margin = Cm(top), Cm(bottom)
    return section


def clean_table(doc, n_rows: int, widths_cm: Sequence[float]):
    """A table in the reports' clean style: rules above and below, thin grey lines between
    rows, no vertical lines, fixed column widths."""
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table = doc.add_table(rows=n_rows, cols=len(widths_cm))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    borders = oxml("w:tblBorders")
    for edge, val, size, color in (("top", "single", 12, "404040"),
                                   ("left", "nil", 0, "auto"),
                                   ("bottom", "single", 12, "404040"),
                                   ("right", "nil", 0, "auto"),
                                   ("insideH", "single", 2, "BFBFBF"),
                                   ("insideV", "nil", 0, "auto")):
        borders.append(oxml(f"w:{edge}", val=val, sz=str(size), space="0", color=color))
    tbl_pr.append(borders)
    tbl_pr.append(oxml("w:tblLayout", type="fixed"))
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_cm,
                          strict=True):
        col.set(qn("w:w"), str(int(Cm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)
    return table


def repeat_header(row) -> None:
    """Mark a row as a header row: Word and LibreOffice repeat it on every page."""
    row._tr.get_or_add_trPr().append(oxml("w:tblHeader", val="true"))


def cant_split(row) -> None:
    row._tr.get_or_add_trPr().append(oxml("w:cantSplit", val="true"))


def base_document(accent: str, heading_sizes: dict[str, float], locale: str = "nb-NO"):
    """A new document in the reports' house style: Calibri 10.5 pt, the proofing language
    (Norwegian, nb-NO, unless told), and the given headings in the accent colour (theme
    fonts removed, so LibreOffice shows Calibri too). Returns (document, styles, Normal style)."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    doc = Document()
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().append(oxml("w:lang", val=locale, eastAsia=locale,
                                                 bidi="ar-SA"))
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in heading_sizes.items():
        style = styles[name]
        style.font.name = "Calibri"
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor.from_string(accent)
        rfonts = style.element.get_or_add_rPr().find(qn("w:rFonts"))
        if rfonts is not None:
            for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                rfonts.attrib.pop(qn(attr), None)
    # The library's own defaults (author "python-docx", created 2013, a comment naming it)
    # would show in Word's document properties: a report's are its own.
    from datetime import datetime, timezone

    props = doc.core_properties
    props.language = locale
    props.author = props.last_modified_by = ""
    props.comments = props.keywords = props.category = ""
    props.created = props.modified = datetime.now(timezone.utc).replace(microsecond=0)
    props.revision = 1
    return doc, styles, normal


def page_number_field(paragraph) -> None:
    """A PAGE field: Word and LibreOffice fill in the page number."""
    run = paragraph.add_run()
    run._r.append(oxml("w:fldChar", fldCharType="begin"))
    instr = oxml("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = " PAGE "
    run._r.append(instr)
    run._r.append(oxml("w:fldChar", fldCharType="separate"))
    paragraph.add_run("1")
    paragraph.add_run()._r.append(oxml("w:fldChar", fldCharType="end"))


def keep_notes_with_tables(doc, note_style: str = "Tabellnote", rows: int = 2) -> None:
    """A table's note must not start a page of its own, nor leave a table's last row
    behind: the paragraphs of each noted table's last ``rows`` rows keep with what follows
    (Word and LibreOffice then move those rows and the note to the next page together)."""
    from docx.oxml.ns import qn
    from docx.table import Table

    # By the style's id (the reports' own styles have ids equal to their names): asking a
    # paragraph for its style by name scans every style of the document when it has none.
    note_id = note_style.replace(" ", "")
    body = list(doc.element.body.iterchildren())
    for element, following in zip(body, body[1:], strict=False):
        if element.tag != qn("w:tbl") or following.tag != qn("w:p"):
            continue
        if following.style != note_id:
            continue
        table = Table(element, doc)
        for row in table.rows[-rows:]:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True


# Advance widths of Calibri (the reports' font; Carlito has the same metrics) in em, for
# the characters the tables print; others count as a wide lower-case letter.
_CALIBRI_EM = {
    **dict.fromkeys("0123456789", 0.507), " ": 0.226, "\u00a0": 0.226, ".": 0.252,
    ",": 0.250, ":": 0.268, ";": 0.268, "/": 0.386, "%": 0.715, "−": 0.498, "–": 0.498,
    "-": 0.306, "(": 0.303, ")": 0.303, "|": 0.460, "_": 0.498, "κ": 0.455, "π": 0.553,
    "α": 0.567, "«": 0.498, "»": 0.498,
    "a": 0.479, "b": 0.525, "c": 0.423, "d": 0.525, "e": 0.498, "f": 0.305, "g": 0.471,
    "h": 0.525, "i": 0.229, "j": 0.239, "k": 0.455, "l": 0.229, "m": 0.799, "n": 0.525,
    "o": 0.527, "p": 0.525, "q": 0.525, "r": 0.349, "s": 0.391, "t": 0.335, "u": 0.525,
    "v": 0.452, "w": 0.715, "x": 0.433, "y": 0.453, "z": 0.395, "æ": 0.773, "ø": 0.527,
    "å": 0.479, "A": 0.579, "B": 0.544, "C": 0.533, "D": 0.615, "E": 0.488, "F": 0.459,
    "G": 0.631, "H": 0.623, "I": 0.252, "J": 0.319, "K": 0.520, "L": 0.420, "M": 0.855,
    "N": 0.646, "O": 0.662, "P": 0.517, "Q": 0.673, "R": 0.543, "S": 0.459, "T": 0.487,
    "U": 0.642, "V": 0.567, "W": 0.890, "X": 0.519, "Y": 0.487, "Z": 0.468, "Æ": 0.763,
    "Ø": 0.664, "Å": 0.579,
}
CELL_PADDING_CM = 0.38 + 0.08  # Table Grid's left and right cell margins, and some air


def text_width_cm(text: str, size_pt: float, *, bold: bool = False) -> float:
    """How wide ``text`` prints on one line in Calibri: enough to size a table column so
    that a number or an identifier never wraps."""
    em = sum(_CALIBRI_EM.get(ch, 0.60 if ch.isupper() else 0.55)
             * (1.04 if bold and not ch.isdigit() else 1.0) for ch in text)
    return em * size_pt * 2.54 / 72


def longest_word_cm(text: str, size_pt: float, *, bold: bool = False) -> float:
    """The width of the widest part of ``text`` between ordinary spaces (where it may
    wrap)."""
    return max((text_width_cm(w, size_pt, bold=bold) for w in text.split(" ")), default=0.0)


# Elements that follow w:updateFields in settings.xml: Word rejects a settings part whose
# children are out of the schema's order.
_AFTER_UPDATE_FIELDS = {"hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars",
                        "rsids", "mathPr", "attachedSchema", "themeFontLang",
                        "clrSchemeMapping", "doNotIncludeSubdocsInStats",
                        "doNotAutoCompressPictures", "forceUpgrade", "captions",
                        "readModeInkLockDown", "smartTagType", "schemaLibrary",
                        "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol",
                        "listSeparator"}


def update_fields_on_open(doc) -> None:
    """Ask Word to update the fields when the document is opened: the table of contents
    then gets its page numbers (the user confirms once)."""
    from docx.oxml.ns import qn

    settings = doc.settings.element
    for old in settings.findall(qn("w:updateFields")):
        settings.remove(old)
    flag = oxml("w:updateFields", val="true")
    for child in settings.iterchildren():
        if child.tag.rsplit("}", 1)[-1] in _AFTER_UPDATE_FIELDS:
            child.addprevious(flag)
            return
    settings.append(flag)


def field_runs(instruction: str, shown: str = "") -> list:
    """The runs of a complex field: its instruction, and what it shows until a reader
    computes it."""
    runs = []
    instr = oxml("w:instrText")
    instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    instr.text = instruction
    shown_text = oxml("w:t")
    shown_text.text = shown
    for part in (oxml("w:fldChar", fldCharType="begin", dirty="true"), instr,
                 oxml("w:fldChar", fldCharType="separate"), *([shown_text] if shown else []),
                 oxml("w:fldChar", fldCharType="end")):
        run = oxml("w:r")
        run.append(part)
        runs.append(run)
    return runs


def table_of_contents(doc, before, title: str, accent: str, *,
                      max_entries: int | None = None, levels: int = 2) -> list[str]:
    """The contents (heading levels 1 to ``levels``, at most 2) in front of the paragraph
    ``before``: one line per heading that follows it, a link to the heading with its page
    number as a PAGEREF field to a bookmark on the heading. LibreOffice computes such a
    field when it lays the pages out, Word when it updates the fields on opening (see
    :func:`update_fields_on_open`); a TOC field would show its page numbers in Word alone.
    With more than ``max_entries`` headings the contents list the chapters alone (level
    1), so they keep to the page they were given. Call it when every heading is written.
    Returns the listed headings."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor
    from docx.text.paragraph import Paragraph

    styles = doc.styles
    names = {s.name for s in styles}
    if "Innholdstittel" not in names:
        # Not a heading style: the contents must not list their own title.
        head = styles.add_style("Innholdstittel", WD_STYLE_TYPE.PARAGRAPH)
        head.base_style = styles["Normal"]
        head.font.size = Pt(16)
        head.font.color.rgb = RGBColor.from_string(accent)
        head.paragraph_format.space_after = Pt(10)
        head.paragraph_format.keep_with_next = True
    section = doc.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    for level in (1, 2):
        if f"toc {level}" not in names:  # Word's own names: its update keeps the look
            style = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Normal"]
            # Tight lines: a report of ten chapters keeps its contents on one page.
            style.paragraph_format.left_indent = Cm(0.6 * (level - 1))
            style.paragraph_format.space_after = Pt(0)
            style.paragraph_format.space_before = Pt(3 if level == 1 else 0)
            style.paragraph_format.line_spacing = 1.0
            style.font.bold = level == 1 or None

    body = doc.element.body
    following = False
    entries: list[tuple[int, str, object]] = []
    for element in body.iterchildren(qn("w:p")):
        following = following or element is before._p
        if not following:
            continue
        name = Paragraph(element, doc).style.name
        if name in ("Heading 1", "Heading 2")[:levels]:
            entries.append((int(name[-1]), Paragraph(element, doc).text, element))
    if max_entries is not None and len(entries) > max_entries:
        entries = [entry for entry in entries if entry[0] == 1]

    before.insert_paragraph_before(title, style="Innholdstittel")
    taken = [int(b.get(qn("w:id"))) for b in body.iter(qn("w:bookmarkStart"))]
    for number, (level, text, heading) in enumerate(entries, start=max(taken, default=0) + 1):
        # "_Toc…": Word keeps bookmarks whose names start with "_" out of the user's list.
        mark = f"_Toc{number:08d}"
        start = oxml("w:bookmarkStart", id=str(number), name=mark)
        properties = heading.find(qn("w:pPr"))
        if properties is not None:
            properties.addnext(start)
        else:
            heading.insert(0, start)
        heading.append(oxml("w:bookmarkEnd", id=str(number)))
        line = before.insert_paragraph_before(style=f"toc {level}")
        line.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT,
                                                     WD_TAB_LEADER.DOTS)
        link = oxml("w:hyperlink", anchor=mark, history="1")
        run = oxml("w:r")
        label = oxml("w:t")
        label.text = text
        label.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        run.append(label)
        tab = oxml("w:r")
        tab.append(oxml("w:tab"))
        link.append(run)
        link.append(tab)
        for part in field_runs(f" PAGEREF {mark} \\h "):
            link.append(part)
        line._p.append(link)
    return [text for _, text, _ in entries]


# --- the renderer ---------------------------------------------------------------------------

LOCALES = {"nb": "nb-NO", "en": "en-GB"}
# A paragraph role's style; a role not here is Normal.
ROLE_STYLES = {"note": "Tabellnote", "bullet": "List Bullet", "subtitle": "Undertittel",
               "lead": "Sitatinnledning", "quote": "Quote", "criterion": "Kriterium",
               "source": "Kildehenvisning"}


def shade(element_pr, fill: str) -> None:
    """A fill behind a cell (tcPr) or a run's text (rPr)."""
    element_pr.append(oxml("w:shd", val="clear", color="auto", fill=fill))


CELL_STYLES = {"cell": "Tabelltekst", "passage": "Passasjetekst", "quote": "Tabellsitat",
               "source": "Kildehenvisning", "facts": "Tittelside"}


def caption_style(styles) -> None:
    """Figure and table captions: bold, a little smaller than the text, kept with what
    they caption."""
    from docx.shared import Pt, RGBColor

    caption = styles["Caption"]
    caption.font.size = Pt(9.5)
    caption.font.bold = True
    caption.font.italic = False
    caption.font.color.rgb = RGBColor.from_string("262626")
    caption.paragraph_format.space_before = Pt(8)
    caption.paragraph_format.space_after = Pt(4)
    caption.paragraph_format.keep_with_next = True


def _styles(doc, styles, normal, theme) -> None:
    from docx.shared import Cm, Pt, RGBColor

    for name, (before, after) in theme.heading_spacing.items():
        styles[name].paragraph_format.space_before = Pt(before)
        styles[name].paragraph_format.space_after = Pt(after)
    quote = styles["Quote"]
    quote.font.italic = True
    quote.font.color.rgb = RGBColor.from_string("262626")
    quote.paragraph_format.left_indent = Cm(1.0)
    quote.paragraph_format.right_indent = Cm(1.0)
    quote.paragraph_format.space_before = Pt(2)
    quote.paragraph_format.space_after = Pt(10)

    def paragraph_style(name: str, size: float, **kw):
        return add_paragraph_style(styles, normal, name, size, **kw)

    paragraph_style("Tabelltekst", theme.cell_size)
    paragraph_style("Passasjetekst", theme.passage_size, after=2).paragraph_format \
        .line_spacing = 1.1
    paragraph_style("Tabellnote", theme.note_size, italic=True, color=theme.grey, before=3,
                    after=theme.note_after)
    paragraph_style("Undertittel", theme.subtitle_size, color=theme.grey,
                    after=theme.subtitle_after)
    paragraph_style("Topptekst", theme.running_size, color=theme.grey)
    paragraph_style("Tabellsitat", theme.quote_size, italic=True, after=1)
    paragraph_style("Kildehenvisning", theme.source_size, color=theme.grey, after=5)
    lead = paragraph_style("Sitatinnledning", 10.5, after=2, before=6)
    lead.paragraph_format.keep_with_next = True
    lead.paragraph_format.line_spacing = 1.15
    criterion = paragraph_style("Kriterium", 10.5, italic=True, color="262626", after=10,
                                before=4)
    criterion.paragraph_format.left_indent = Cm(0.4)
    criterion.paragraph_format.line_spacing = 1.15
    rule = oxml("w:pBdr")
    rule.append(oxml("w:left", val="single", sz="18", space="8", color=theme.accent))
    criterion.element.get_or_add_pPr().append(rule)
    paragraph_style("Tittelside", 11, after=3).paragraph_format.line_spacing = 1.15
    caption_style(styles)


def _runs(paragraph, runs) -> None:
    from docx.shared import Pt, RGBColor

    for r in runs:
        run = paragraph.add_run(r.text)
        run.bold = r.bold or None
        run.italic = False if r.upright else (r.italic or None)
        if r.code:
            run.font.name = "Consolas"
        if r.size:
            run.font.size = Pt(r.size)
        if r.color:
            run.font.color.rgb = RGBColor.from_string(r.color)
        if r.fill:
            shade(run._r.get_or_add_rPr(), r.fill)


def no_lines(table) -> None:
    """No rules at all: a table that only lays text out in columns."""
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    borders = oxml("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(oxml(f"w:{edge}", val="nil"))
    tbl_pr.append(borders)


def rule(tc, edge: str, size: int = 8, color: str = "404040") -> None:
    """A stronger line on one edge of a cell (under a header, over a total)."""
    from docx.oxml.ns import qn

    tc_pr = tc.get_or_add_tcPr()
    borders = tc_pr.find(qn("w:tcBorders"))
    if borders is None:
        borders = oxml("w:tcBorders")
        shd = tc_pr.find(qn("w:shd"))  # the schema puts the borders before the fill
        if shd is not None:
            shd.addprevious(borders)
        else:
            tc_pr.append(borders)
    borders.append(oxml(f"w:{edge}", val="single", sz=str(size), space="0", color=color))


ALIGNMENTS = {"right": 2, "center": 1}  # WD_ALIGN_PARAGRAPH's values


def _table(doc, table, theme) -> None:
    from docx.shared import Pt

    if table.caption:
        doc.add_paragraph(table.caption, style="Caption")
    out = clean_table(doc, len(table.rows), table.widths)
    if not table.lines:
        no_lines(out)
    taken: set[tuple[int, int]] = set()  # grid places covered by a cell from a row above
    docx_rows = out.rows
    for r, (row, cells) in enumerate(zip(table.rows, docx_rows, strict=True)):
        if row.header:
            repeat_header(cells)
        if row.header or row.keep_together:
            cant_split(cells)
        col = 0
        grid = cells.cells  # once: python-docx walks the row's XML on every call
        for c in row.cells:
            while (r, col) in taken:
                col += 1
            target = grid[col]
            if c.rows > 1:
                target = target.merge(docx_rows[r + c.rows - 1].cells[col + c.span - 1])
                taken.update((r + i, col + j) for i in range(1, c.rows)
                             for j in range(c.span))
            elif c.span > 1:
                target = target.merge(grid[col + c.span - 1])
            col += c.span
            fill = c.fill or row.fill or (table.header_fill if row.header else None)
            if fill:
                shade(target._tc.get_or_add_tcPr(), fill)
            for i, part in enumerate([c, *c.more]):
                paragraph = target.paragraphs[0] if i == 0 else target.add_paragraph()
                # The styles' ids are their names: no slow look-up by name per cell.
                paragraph._p.style = CELL_STYLES[part.role]
                if part.align in ALIGNMENTS:
                    paragraph.alignment = ALIGNMENTS[part.align]
                _runs(paragraph, part.runs)
        if row.rule:
            for tc in cells._tr.tc_lst:
                rule(tc, "bottom" if row.rule == "below" else "top")
    if table.text_size and table.text_size != theme.cell_size:
        scale = table.text_size / theme.cell_size  # smaller, so that every number fits
        for row in out.rows:
            for c in row.cells:
                for run in (r for p in c.paragraphs for r in p.runs):
                    size = run.font.size.pt if run.font.size else theme.cell_size
                    run.font.size = Pt(round(size * scale, 1))
    for note in table.notes:
        _paragraph(doc, note)


def _paragraph(doc, block):
    from docx.shared import Pt

    paragraph = doc.add_paragraph()
    style = ROLE_STYLES.get(block.role)
    if style:  # by id (the name without spaces): no look-up by name per paragraph
        paragraph._p.style = style.replace(" ", "")
    if block.role == "spacer":
        paragraph.paragraph_format.space_after = Pt(4)
    if block.space_before is not None:
        paragraph.paragraph_format.space_before = Pt(block.space_before)
    if block.space_after is not None:
        paragraph.paragraph_format.space_after = Pt(block.space_after)
    _runs(paragraph, block.runs)
    if block.keep_with_next:
        paragraph.paragraph_format.keep_with_next = True
    return paragraph


def build(model):
    """The python-docx document of ``model`` (a :class:`qualcode.reports.document.Document`)."""
    from io import BytesIO

    from docx.enum.text import WD_BREAK
    from docx.shared import Cm

    from qualcode.reports import document as d

    theme = model.theme
    doc, styles, normal = base_document(theme.accent, theme.heading_sizes,
                                        LOCALES.get(model.language, "nb-NO"))
    _styles(doc, styles, normal, theme)
    section = doc.sections[0]
    if model.landscape:
        from docx.enum.section import WD_ORIENT

        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
        side, top, bottom = theme.landscape
    else:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        side, top, bottom = theme.portrait
    section.left_margin = section.right_margin = Cm(side)
    section.top_margin, section.bottom_margin = Cm(top), Cm(bottom)
    section.different_first_page_header_footer = model.title_page
    header = section.header.paragraphs[0]
    header.text = model.running_header or model.title
    header.style = styles["Topptekst"]
    footer = section.footer.paragraphs[0]
    footer.alignment = 1
    footer.style = styles["Topptekst"]
    page_number_field(footer)
    doc.core_properties.title = model.running_header or model.title
    if model.notice:
        doc.add_paragraph(model.notice).runs[0].bold = True
    if model.comments:
        doc.core_properties.comments = model.comments
    if model.show_title:
        doc.add_paragraph(model.title, style="Title")
    if model.subtitle:
        doc.add_paragraph(model.subtitle, style="Undertittel")

    contents, before = None, None
    for block in model.blocks:
        if isinstance(block, d.Heading):
            paragraph = doc.add_paragraph()
            paragraph._p.style = f"Heading{block.level}"
            paragraph.add_run(block.text)
            if block.page_break_before:
                paragraph.paragraph_format.page_break_before = True
            if contents is not None and before is None:
                before = paragraph
        elif isinstance(block, d.Paragraph):
            _paragraph(doc, block)
        elif isinstance(block, d.Table):
            _table(doc, block, theme)
        elif isinstance(block, d.Section):
            add_section(doc, block.landscape, portrait_margins=theme.portrait,
                        landscape_margins=theme.landscape)
        elif isinstance(block, d.Contents):
            contents = block
        elif isinstance(block, d.PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, d.Figure):
            doc.add_picture(BytesIO(block.png), width=Cm(block.width_cm))
            if block.caption:  # on one page with its caption
                doc.paragraphs[-1].paragraph_format.keep_with_next = True
                doc.add_paragraph(block.caption, style="Caption")
        elif isinstance(block, d.Quote):
            doc.add_paragraph(block.text, style="Quote")
            doc.add_paragraph(block.attribution, style="Tabellnote")
    keep_notes_with_tables(doc)
    if contents is not None and before is not None:
        table_of_contents(doc, before, contents.title, theme.accent,
                          max_entries=contents.max_entries, levels=contents.levels)
        update_fields_on_open(doc)
    return doc


def write(model, path) -> None:
    """Write ``model`` to ``path`` as a Word document (whole or not at all)."""
    from qualcode.output import save_document

    save_document(build(model), path)
