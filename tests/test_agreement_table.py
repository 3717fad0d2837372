"""The agreement report's per-code table as printed: every number, range and code id on one
line, the table within the landscape page, and a note every code has said once above it
(in Word and in HTML)."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
from docx.shared import Length

from qualcode.reports.agreement import (
    TABLE_WIDTH_CM,
    table_columns,
    write_agreement_report,
)
from qualcode.reports.docx import text_width_cm
from qualcode.services.agreement_report import report_data

CARLITO = Path("/usr/share/fonts/truetype/crosextra")
MARGINS_CM = 0.38  # Table Grid's left and right cell margins


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    from tests.conftest import build_example

    store = build_example(tmp_path_factory.mktemp("table") / "example.db")
    yield store
    store.close()


@pytest.fixture(scope="module")
def codes_table(study, tmp_path_factory):
    path = tmp_path_factory.mktemp("agreement") / "agreement.docx"
    write_agreement_report(study, path, bootstrap=20, seed=1)
    document = docx.Document(str(path))
    return next(t for t in document.tables if t.rows[0].cells[0].text == "Kode")


def _cm(twips: str) -> float:
    return Length(int(twips) * 635).cm


def _widths(table) -> list[float]:
    from docx.oxml.ns import qn

    return [_cm(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]


def _size(paragraph) -> float:
    sizes = {r.font.size.pt for r in paragraph.runs if r.font.size}
    return max(sizes) if sizes else 8.5


def test_the_table_fits_the_landscape_page(codes_table):
    assert sum(_widths(codes_table)) <= TABLE_WIDTH_CM + 0.01


def test_no_number_range_or_code_id_wraps(codes_table):
    widths = _widths(codes_table)
    n = len(widths)
    for row in codes_table.rows[1:]:
        cells = row.cells
        code_para = cells[0].paragraphs[0]
        code_id = code_para.runs[0].text
        assert text_width_cm(code_id, _size(code_para), bold=True) + MARGINS_CM <= widths[0], (
            f"{code_id} wraps")
        for j in range(1, n - 2):  # the two text columns may wrap between words
            para = cells[j].paragraphs[0]
            bold = any(r.bold for r in para.runs)
            needed = text_width_cm(para.text, _size(para), bold=bold) + MARGINS_CM
            assert needed <= widths[j], f"{para.text!r} wraps in a column of {widths[j]} cm"


def test_the_count_header_does_not_wrap(codes_table):
    widths = _widths(codes_table)
    headers = [c.text for c in codes_table.rows[0].cells]
    j = headers.index("Alle / noen / ingen")
    para = codes_table.rows[0].cells[j].paragraphs[0]
    assert text_width_cm(para.text, _size(para), bold=True) + MARGINS_CM <= widths[j]
    # a unit stays with its number or word where a header wraps ("Dekn. %", not "%")
    assert not any(" %" in h for h in headers), headers


@pytest.mark.skipif(not (CARLITO / "Carlito-Regular.ttf").exists(),
                    reason="the Carlito font (Calibri's metrics) is not installed")
@pytest.mark.parametrize("bold", [False, True])
def test_the_width_estimate_is_never_short_of_the_printed_width(bold):
    from PIL import ImageFont

    font = ImageFont.truetype(str(CARLITO / f"Carlito-{'Bold' if bold else 'Regular'}.ttf"),
                              1000)
    for text in ("82\u00a0407 / 24\u00a0203 / 8\u00a0187\u00a0326", "−0,011 til −0,001",
                 "BEG.radgivning_vs_karriereveiledning", "ikke pålitelig",
                 "få transkr., skjev bruk", "Dekn.\u00a0% bjorn", "KONTEKST.pandemi"):
        printed = font.getlength(text) / 1000 * 8 * 2.54 / 72
        estimate = text_width_cm(text, 8, bold=bold)
        assert printed * 0.995 <= estimate <= printed * 1.06, (text, printed, estimate)


def test_a_note_every_code_has_is_said_once_above_the_html_table(study, tmp_path):
    data = report_data(study, bootstrap=20, seed=1)
    assert all("rare" in row["flags"] for row in data["codes"])
    path = tmp_path / "agreement.html"
    write_agreement_report(study, path, bootstrap=20, seed=1)
    page = path.read_text(encoding="utf-8")
    table = page[page.index('<table class="codes">'):]
    table = table[:table.index("</table>")]
    assert "Alle kodene i tabellen har merknaden «sjelden»" in page
    assert "sjelden" not in table
    assert len(re.findall("<tr", table)) == len(data["codes"]) + 2  # header, codes, pooled
    assert len(table_columns(data)) == len(re.findall(r"<th[ >]", table))


def test_the_html_table_keeps_the_word_editions_column_shares(study, tmp_path):
    """Printed from a browser, the per-code table is laid out in the widths fitted for the
    Word edition (as shares of the page), so no code id squeezes the numbers and no
    number is broken over two lines."""
    from qualcode.reports.agreement import fitted_widths

    data = report_data(study, bootstrap=20, seed=1)
    path = tmp_path / "agreement.html"
    write_agreement_report(study, path, bootstrap=20, seed=1)
    page = path.read_text(encoding="utf-8")
    table = page[page.index('<table class="codes">'):]
    shares = [float(s) for s in re.findall(r'<col style="width:([\d.]+)%">',
                                           table[:table.index("</colgroup>")])]
    _, widths = fitted_widths(data, table_columns(data))
    assert len(shares) == len(widths)
    assert shares == pytest.approx([100 * w / sum(widths) for w in widths], abs=0.06)
    assert "table-layout: fixed" in page  # in print, the shares hold
