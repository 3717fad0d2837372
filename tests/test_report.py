"""The Word report and the spreadsheet exports, reopened and read back (never compared as
bytes). The hand-built study of test_matrix.py makes every number known."""

from __future__ import annotations

import csv
from datetime import date

import docx
import openpyxl
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from qualcode.reports import study as report
from qualcode.reports.matrix import write_matrix_docx
from qualcode.services import exports
from qualcode.services import matrix as mx
from tests.test_matrix import build_study


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    store = build_study(tmp_path_factory.mktemp("report") / "study")
    yield store
    store.close()


@pytest.fixture(scope="module")
def written(study, tmp_path_factory):
    path = tmp_path_factory.mktemp("out") / "rapport.docx"
    info = report.write_report(study, path, areas=["fam"], today=date(2022, 3, 14))
    return info, docx.Document(str(path))


def _texts(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def _rows(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def _table_with(document, text: str):
    return next(t for t in document.tables
                if any(text == c.text for row in t.rows for c in row.cells))


def _is_header(row) -> bool:
    tr_pr = row._tr.trPr
    return tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None


def test_title_page_and_method(written):
    info, d = written
    # 6 quotes: the three passages the framework table quotes are not quoted again above it
    assert {k: v for k, v in info.items() if k != "figures"} == {
        "areas": 2, "tables": 8, "quotes": 6, "layer": "union of anna, bjorn"}
    assert [f["number"] for f in info["figures"]] == [1, 2, 3]  # the overview, A and B
    assert _texts(d, "Title") == ["Testkodebok"]
    meta = dict((row[0], row[1]) for row in _rows(d.tables[0]))
    assert meta["Dato"] == "14. mars 2022"
    assert meta["Kodere"] == "anna og bjorn"
    assert meta["Kodebok"] == "test, versjon 2 (5 koder)"
    assert meta["Materiale"] == "3 intervjuer, 4 informanter, 2 skoler"
    body = "\n".join(_texts(d, "Normal"))
    assert ("Materialet består av 3 intervjuer med 4 informanter ved 2 skoler (én "
            "ungdomsskole og én videregående skole)") in body
    assert "2 individuelle intervjuer og 1 fokusgruppe" in body
    assert "Informantene er 2 rektorer, 1 rådgiver og 1 lærer." in body
    rules = _texts(d, "List Bullet")
    assert len(rules) == 8
    assert any("én gang for rektor og én gang for lærer" in r for r in rules)
    assert any("Intervjuerens replikker" in r for r in rules)


def test_one_chapter_per_area_with_criterion_summary_and_quotes(written):
    _, d = written
    assert _texts(d, "Heading 1") == ["Metode og datagrunnlag", "Oversikt over områdene",
                                      "1. Område A", "2. Område B", "Samforekomst av koder",
                                      "Vedlegg: Kodebok"]
    assert _texts(d, "Kriterium") == ["Kriteriet for område A."]
    summaries = [t for t in _texts(d, "Normal") if " er kodet i " in t]
    assert summaries == [
        "Område A er kodet i 3 utdrag fra 3 intervjuer, hos 4 informanter. Temaet tas opp "
        "av begge rektorene, rådgiveren og læreren. Det er kodet ved ungdomsskolen og den "
        "videregående skolen.",
        "Område B er kodet i 2 utdrag fra 2 intervjuer, hos 2 informanter. Temaet tas opp "
        "av begge rektorene, men ikke av rådgiveren eller læreren. Det er kodet ved "
        "ungdomsskolen og den videregående skolen.",
    ]
    # Område A's passages are all in its framework table, so its chapter has no block
    # quotes of them; Område B's table quotes one rektor, the block quote the other.
    assert _texts(d, "Sitatinnledning") == ["En rektor i videregående skole forteller:"]
    assert _texts(d, "Quote") == ["Det er viktig for oss."]
    # anonymous by default: no transcript names next to the quotes
    assert not any("nv_rektor" in p.text for p in d.paragraphs)


def test_counts_table_shape_cells_and_repeated_header(written):
    _, d = written
    table = _table_with(d, "Område A i alt")
    assert table.style.name == "Table Grid"
    rows = _rows(table)
    assert rows == [
        ["Kode", "Rektor", "Rektor", "Rådgiver", "Lærer", "Elev", "Totalt"],
        ["Kode", "Ungdoms\u00adskole", "Videre\u00adgående", "Videre\u00adgående",
         "Ungdoms\u00adskole", "Videre\u00adgående", "Totalt"],
        ["Kode Ax", "1 (1)", "1 (1)", "1 (1)", "1 (1)", "1 (0)", "3 (4)"],
        ["Kode Ay", "1 (1)", "–", "–", "1 (1)", "–", "1 (2)"],
        ["Område A i alt", "1 (1)", "1 (1)", "1 (1)", "1 (1)", "1 (0)", "3 (4)"],
    ]
    assert [_is_header(r) for r in table.rows] == [True, True, False, False, False]
    b = _rows(_table_with(d, "Område B i alt"))
    assert b[2] == ["Område B (området som helhet)", "1 (1)", "1 (1)", "–", "–", "–",
                    "2 (2)"]
    overview = _rows(_table_with(d, "Alle områdene (sammenslått)"))
    assert overview[-1] == ["Alle områdene (sammenslått)", "2 (1)", "2 (1)", "1 (1)",
                            "1 (1)", "1 (0)", "5 (4)"]


def test_framework_table_quotes_per_role(written):
    _, d = written
    table = next(t for t in d.tables if _rows(t)[0] == ["Kode", "Rektor", "Rådgiver",
                                                          "Lærer"])
    rows = _rows(table)
    assert rows[1][0] == "Kode Ax\nA.x"
    assert rows[1][1] == "Rådgiveren leder tjenesten.\n— En rektor i videregående skole"
    assert rows[1][3] == "Det er jeg enig i.\n— En lærer på en ungdomsskole"
    assert rows[2][1] == "Vi leder godt her.\n— En rektor på en ungdomsskole"
    assert rows[2][2] == "–"
    # the lærer's A.y passage is the A.x one above: said once, not quoted twice
    assert rows[2][3] == "Sitert ovenfor."
    assert _is_header(table.rows[0])
    styles = {p.style.name for c in table.rows[1].cells for p in c.paragraphs}
    assert {"Tabellsitat", "Kildehenvisning"} <= styles


def test_landscape_sections_for_the_tables(written):
    _, d = written
    orientations = [s.orientation for s in d.sections]
    # title + method, overview, then per area: portrait text and landscape tables,
    # then co-occurrence and the appendix
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE,
                            WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE,
                            WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE,
                            WD_ORIENT.PORTRAIT, WD_ORIENT.PORTRAIT]
    wide = d.sections[1]
    assert wide.page_width > wide.page_height


def test_cooccurrence_and_codebook_appendix(written):
    _, d = written
    co = _rows(_table_with(d, "Område"))
    assert co[0] == ["Område", "A", "B"]
    assert co[1] == ["Område A", "", "–"]
    pairs = _rows(_table_with(d, "Par"))
    assert pairs[1][:3] == ["Kode Ax\nA.x", "Kode Ay\nA.y", "1"]
    book = _rows(_table_with(d, "Beskrivelse"))
    assert book[1:] == [["Område A\nA", "Alt om A.", "3", "4"],
                        ["Kode Ax\nA.x", "Første underkode.", "3", "4"],
                        ["Kode Ay\nA.y", "Andre underkode.", "1", "2"],
                        ["Område B\nB", "Alt om B.", "2", "2"]]
    assert _is_header(_table_with(d, "Beskrivelse").rows[0])


def test_provenance_and_consensus_options(study, tmp_path):
    path = tmp_path / "intern.docx"
    info = report.write_report(study, path, areas=["A"], provenance=True,
                               layer=mx.Layer.consensus())
    assert info["layer"] == "consensus layer"
    d = docx.Document(str(path))
    assert any("bygger på konsensuskodingene" in t for t in _texts(d, "List Bullet"))
    framework = next(t for t in d.tables if _rows(t)[0][:2] == ["Kode", "Rektor"]
                     and len(_rows(t)[0]) == 4 and _rows(t)[0][-1] != "Totalt")
    assert "(fg, replikk 2)" in _rows(framework)[1][1]


def test_summaries_appear_in_the_report(study, tmp_path):
    mx.set_summary(study, "A.x", site="su", text="Ledelsen er delt.")
    try:
        path = tmp_path / "s.docx"
        report.write_report(study, path, areas=["A"])
        d = docx.Document(str(path))
        table = _table_with(d, "Ledelsen er delt.")
        assert _rows(table)[0] == ["Kode", "su"]
        assert "Forskerens sammendrag per skole" in _texts(d, "Heading 2")
    finally:
        mx.set_summary(study, "A.x", site="su", text="")


def test_matrix_xlsx_keeps_numbers_as_numbers(study, tmp_path):
    m = mx.build_matrix(study, rows=["fam"], columns=["rolle", "skoleslag"], quotes=1)
    path = tmp_path / "m.xlsx"
    exports.write_matrix_xlsx(m, ["references", "coverage", "quotes"], path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["references", "coverage", "quotes", "about"]
    ws = wb["references"]
    assert [ws.cell(1, c).value for c in range(1, 5)] == ["code", "label", "depth", "rektor"]
    assert [ws.cell(2, c).value for c in range(4, 9)] == [
        "ungdomsskole", "videregående skole", "videregående skole", "ungdomsskole",
        "videregående skole"]
    assert "D1:E1" in {str(r) for r in ws.merged_cells.ranges}
    a_x = [ws.cell(4, c).value for c in range(1, 10)]
    assert a_x == ["A.x", "Kode Ax", 1, 1, 1, 1, 1, 1, 3]
    assert all(type(v) is int for v in a_x[2:])
    assert ws.cell(7, 1).value == "total" and ws.cell(7, 9).value == 5
    cov = wb["coverage"].cell(4, 4).value  # 4 of su_rektor's 10 words
    assert type(cov) in (int, float) and cov == 40.0
    assert wb["coverage"].cell(4, 6).value == round(100 * 6 / 6, 2)
    assert wb["coverage"].cell(4, 4).number_format == "0.0"
    assert "Rådgiveren" not in str(wb["quotes"].cell(4, 4).value)
    assert "Vi leder godt her." in wb["quotes"].cell(4, 4).value
    assert "Interviewers are not informants" in wb["about"].cell(6, 2).value


def test_presence_csv_and_xlsx(study, tmp_path):
    headers, records = mx.presence(study, rows=["fam"])
    path = tmp_path / "p.csv"
    exports.write_presence(headers, records, path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert [(r["person"], r["A.y"], r["B"]) for r in rows] == [
        ("nv_radgiver", "0", "0"), ("nv_rektor", "0", "1"), ("su_laerer", "1", "0"),
        ("su_rektor", "1", "1")]
    assert rows[0]["landsdel"] == "nord"
    xlsx = tmp_path / "p.xlsx"
    exports.write_presence(headers, records, xlsx)
    ws = openpyxl.load_workbook(xlsx)["presence"]
    assert [c.value for c in ws[1]][:3] == ["person", "site", "rolle"]
    col = [c.value for c in ws[1]].index("A.x") + 1
    assert [ws.cell(r, col).value for r in range(2, 6)] == [1, 1, 1, 1]
    assert type(ws.cell(2, col).value) is int


def test_matrix_docx(study, tmp_path):
    m = mx.build_matrix(study, rows=["A"], columns=["rolle"], quotes=1)
    path = tmp_path / "m.docx"
    write_matrix_docx(m, ["references", "quotes"], path)
    d = docx.Document(str(path))
    assert len(d.tables) == 2
    first = _rows(d.tables[0])
    assert first[0] == ["Kode", "rektor", "rådgiver", "lærer", "elev", "Totalt"]
    assert first[1] == ["Område A", "2", "1", "1", "1", "3"]
    assert _is_header(d.tables[0].rows[0])
    assert d.sections[0].orientation == WD_ORIENT.LANDSCAPE


def test_full_report_of_the_example_study(example, tmp_path):
    path = tmp_path / "eksempel.docx"
    info = report.write_report(example, path)
    # The eight areas of the quality model, then the two cross-cutting themes the example
    # study codes (the analytic codes are counted in an appendix instead).
    assert info["areas"] == 10 and info["quotes"] > 50
    d = docx.Document(str(path))
    chapters = [t for t in _texts(d, "Heading 1") if t[:1].isdigit()]
    assert chapters == ["1. Utbytte for individ og samfunn", "2. Ledelse", "3. Etikk",
                        "4. Tilbud og innhold", "5. Rammer og organisering", "6. Kompetanse",
                        "7. Kunnskapsgrunnlag", "8. Nettverk og samarbeid",
                        "9. Begrepsforståelse", "10. Kvalitetsrammeverket som støtte"]
    assert len(_texts(d, "Kriterium")) >= 8
    assert all(_is_header(t.rows[0]) for t in d.tables[1:])
    overview = _rows(_table_with(d, "Alle områdene (sammenslått)"))
    assert overview[0][1:4] == ["Rektor", "Rektor", "Rådgiver"]
    assert "Elev" not in overview[0]  # a column nobody is counted in is left out
    text = "\n".join(p.text for p in d.paragraphs)
    assert "rådgiver" in text and "videregående skole" in text and "\ufffd" not in text
    assert "Vestbø" not in text and "vestbo_" not in text  # quotes name role and school type


def test_person_summaries_appear_in_the_report_as_site_summaries_do(study, tmp_path):
    from qualcode.services.overview import list_cases

    person = list_cases(study)["persons"][0]["person"]
    mx.set_summary(study, "A.x", person=person, text="Hun ser veiledning som undervisning.")
    try:
        path = tmp_path / "p.docx"
        report.write_report(study, path, areas=["A"])
        d = docx.Document(str(path))
        table = _table_with(d, "Hun ser veiledning som undervisning.")
        assert _rows(table)[0] == ["Kode", person]
        assert "Forskerens sammendrag per informant" in _texts(d, "Heading 2")
        assert "Forskerens sammendrag per skole" not in _texts(d, "Heading 2")
    finally:
        mx.set_summary(study, "A.x", person=person, text="")


def _memo_appendix(document) -> list[tuple[str, str]]:
    """(style, text) of every paragraph from the memo appendix's heading on."""
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    start = paragraphs.index(("Heading 1", "Vedlegg: Memoer"))
    return paragraphs[start:]


def test_the_memo_appendix_is_optional_ordered_and_pseudonymised(example, tmp_path):
    """The journal comes dated and in the order it was kept, then codes in codebook order,
    interviews, informants and schools; names pass through the key as in quotes, and the
    method chapter says the appendix is there."""
    from datetime import datetime, timezone

    from qualcode.services.memos import add_memo
    from qualcode.services.pseudonyms import export_key, import_key
    from qualcode.store.models import Memo
    from tests.conftest import EXAMPLE

    import_key(example, EXAMPLE / "pseudonyms.yaml")
    add_memo(example, "site:vestbo_vgs", "Stor skole i Vestbø; rådgiverne deler på oppgavene.")
    add_memo(example, "person:nordvik_rektor", "Tor eier planen, sier Eva.", title="Eierskap")
    add_memo(example, "transcript:nordvik_laerere", "Lydkvaliteten er dårlig etter 20 min.")
    add_memo(example, "code:RAM", "Tid går igjen i alle intervjuene.")
    add_memo(example, "code:LED", "Forankring hos eier.\n\nMen ikke i Nordvik.")
    for day, text in ((3, "Dag 2: kodet Vestbø."), (1, "Dag 1: lest alt fra Nordvik.")):
        pk = add_memo(example, "project", text)
        with example.write() as session:  # the journal was kept over several days
            memo = session.get(Memo, pk)
            memo.created_at = datetime(2026, 11, day, 9, tzinfo=timezone.utc)
            session.add(memo)

    plain = tmp_path / "uten.docx"
    info = report.write_report(example, plain, key=export_key(example).key)
    assert "memos" not in info
    assert ("Heading 1", "Vedlegg: Memoer") not in [
        (p.style.name, p.text) for p in docx.Document(str(plain)).paragraphs]

    path = tmp_path / "med.docx"
    info = report.write_report(example, path, key=export_key(example).key, memos=True)
    assert info["memos"] == 7
    d = docx.Document(str(path))
    appendix = _memo_appendix(d)
    headings = [text for style, text in appendix if style.startswith("Heading")]
    assert headings == [
        "Vedlegg: Memoer", "Forskningslogg",
        "Memoer om koder", "Ledelse (LED)", "Rammer og organisering (RAM)",
        "Memoer om intervjuer", "Parintervju med lærere, UN",
        "Memoer om informanter", "Rektor, UN", "Memoer om skoler", "VV"]
    text = "\n".join(t for _, t in appendix)
    journal = text.index("1. november 2026")
    assert journal < text.index("Dag 1: lest alt fra UN.") < text.index("3. november 2026") \
        < text.index("Dag 2: kodet VV.")
    assert "Rektor A eier planen, sier Rådgiver A." in text and "Eierskap" in text
    assert "Men ikke i UN." in text
    for name in ("Nordvik", "Vestbø", "Tor ", "Eva", "nordvik_", "vestbo_"):
        assert name not in text, name
    # the method chapter, which now follows the table of contents
    start = [(p.style.name, p.text) for p in d.paragraphs].index(
        ("Heading 1", "Metode og datagrunnlag"))
    method = "\n".join(p.text for p in d.paragraphs[start:start + 60])
    assert "og forskernes memoer i vedlegget «Memoer»." in method
    assert "erstattet med pseudonymer" in text

    named = tmp_path / "navn.docx"
    report.write_report(example, named, memos=True, identifiable=True)
    text = "\n".join(t for _, t in _memo_appendix(docx.Document(str(named))))
    assert "Tor eier planen, sier Eva." in text
    assert "nordvik_rektor (rektor, Nordvik ungdomsskole)" in text


def _contents(document) -> list[str]:
    """The lines of the contents, each checked to lead to its heading: a link to a bookmark
    on a heading of the same text, and a PAGEREF field to that bookmark for its page."""
    marks = {}  # bookmark → the text of the heading it is on
    for p in document.paragraphs:
        if p.style.name.startswith("Heading"):
            for mark in p._p.iter(qn("w:bookmarkStart")):
                marks[mark.get(qn("w:name"))] = p.text
    lines = []
    for p in document.paragraphs:
        if not p.style.name.startswith("toc "):
            continue
        anchor = p._p.find(qn("w:hyperlink")).get(qn("w:anchor"))
        instruction = "".join(t.text for t in p._p.iter(qn("w:instrText")))
        label = "".join(t.text for t in p._p.iter(qn("w:t")))
        assert instruction.split() == ["PAGEREF", anchor, r"\h"]
        assert marks[anchor] == label
        lines.append(label)
    return lines


def _headings(document, after: str, styles=("Heading 1", "Heading 2")) -> list[str]:
    paragraphs = [p for p in document.paragraphs if p.style.name in styles]
    start = next(i for i, p in enumerate(paragraphs) if p.text == after)
    return [p.text for p in paragraphs[start:]]


def test_contents_after_the_title_page_list_the_chapters_in_order(written):
    """Chapters and appendices alone: every area chapter has the same sections ("Utsagn
    etter rolle", …), which would fill the contents with the same lines."""
    _, d = written
    lines = _contents(d)
    assert lines == _headings(d, "Metode og datagrunnlag", styles=("Heading 1",))
    assert "Utsagn etter rolle" not in lines and "Telleregler" not in lines
    assert lines[0] == "Metode og datagrunnlag" and "Vedlegg: Kodebok" in lines
    assert lines.index("1. Område A") < lines.index("2. Område B") \
        < lines.index("Samforekomst av koder") < lines.index("Vedlegg: Kodebok")
    titles = [p.text for p in d.paragraphs]
    assert titles.index("Innhold") < titles.index("Metode og datagrunnlag")
    assert titles.index("Testkodebok") < titles.index("Innhold")
    # LibreOffice fills in the page numbers as it lays out the pages, Word when the
    # report is opened
    flag = d.settings.element.find(qn("w:updateFields"))
    assert flag is not None and flag.get(qn("w:val")) == "true"


def test_word_headers_break_where_the_terminals_matrices_do(written):
    """One list of word breaks serves both: a school type header in the report breaks
    (soft hyphen) exactly where the terminal wraps the same word."""
    from qualcode.cli.analysis import _wrap_header
    from qualcode.domain.labels import soft_hyphenated

    _, d = written
    headers = {c.text for t in d.tables for c in t.rows[1].cells} | \
        {c.text for t in d.tables for c in t.rows[0].cells}
    assert "Ungdoms\u00adskole" in headers and "Videre\u00adgående" in headers
    for word in ("ungdomsskole", "videregående", "rådgiver"):
        terminal = [line.rstrip("-") for line in _wrap_header(word, len(word) - 1)]
        assert soft_hyphenated(word).split("\u00ad") == terminal
    assert soft_hyphenated("Videregående skole") == "Videre\u00adgående skole"
    assert soft_hyphenated("Grunnskole") == "Grunnskole"  # no break known: none made


def test_contents_too_long_for_their_page_list_the_chapters_alone(tmp_path):
    from qualcode.reports.docx import base_document, table_of_contents

    d, _, _ = base_document("1F4E79", {"Heading 1": 16, "Heading 2": 13})
    d.add_paragraph("Rapport om Nordvik skole", style="Title")
    first = d.add_heading("Rektor", level=1)
    d.add_heading("Kari om planen", level=2)
    d.add_heading("Rådgiver", level=1)
    d.add_heading("Ola om tiden", level=2)
    d.add_heading("Ola om nettverket", level=2)
    table_of_contents(d, first, "Innhold", "1F4E79", max_entries=4)
    d.save(str(tmp_path / "kort.docx"))
    lines = _contents(docx.Document(str(tmp_path / "kort.docx")))
    assert lines == ["Rektor", "Rådgiver"]
