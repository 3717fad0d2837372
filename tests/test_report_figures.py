"""The Word report's figures: one per area chapter besides the overview, numbered in order,
drawing exactly the numbers of the chapter's counts table, in greys, and small enough to
share a page with the table; --no-figures leaves them out and changes nothing else."""

from __future__ import annotations

import io
import re

import docx
import pytest
from docx.shared import Cm

from qualcode.reports import study as report
from qualcode.reports.study import AREA_FIGURE_MAX_HEIGHT_CM
from tests.test_matrix import build_study


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    store = build_study(tmp_path_factory.mktemp("figures") / "study")
    yield store
    store.close()


@pytest.fixture(scope="module")
def written(study, tmp_path_factory):
    path = tmp_path_factory.mktemp("out") / "rapport.docx"
    info = report.write_report(study, path)
    return info, docx.Document(str(path))


def _body(document):
    """Paragraphs and tables in document order, as ("p", paragraph) and ("t", table)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            yield "p", Paragraph(child, document)
        elif child.tag.endswith("}tbl"):
            yield "t", Table(child, document)


def _table_after(document, caption_start: str):
    found = False
    for kind, item in _body(document):
        if kind == "p" and item.text.startswith(caption_start):
            found = True
        elif kind == "t" and found:
            return item
    raise AssertionError(f"no table after {caption_start!r}")


def _references(text: str) -> float:
    """'3 (2)' → 3 passages; '–' → 0."""
    return 0.0 if text == "–" else float(text.split(" (")[0])


def test_every_area_chapter_has_a_figure_numbered_after_the_overview(written):
    info, d = written
    chapters = [p.text for p in d.paragraphs
                if p.style.name == "Heading 1" and p.text[:1].isdigit()]
    captions = [p.text for p in d.paragraphs
                if p.style.name == "Caption" and p.text.startswith("Figur")]
    assert len(chapters) == 3  # A, B and the cross-cutting theme Z, all coded
    assert len(d.inline_shapes) == 1 + len(chapters)
    assert [int(re.match(r"Figur (\d+)\.", c).group(1)) for c in captions] == [1, 2, 3, 4]
    assert captions[1:] == [
        "Figur 2. Område A: kodede utdrag per kode, etter rolle og skoleslag (tallene i "
        "tabell 2).",
        "Figur 3. Område B: kodede utdrag per kode, etter rolle og skoleslag (tallene i "
        "tabell 4).",
        "Figur 4. Annet: kodede utdrag per kode, etter rolle og skoleslag (tallene i "
        "tabell 6)."]
    assert [f["caption"] for f in info["figures"][1:]] == captions[1:]


def test_an_area_figure_draws_the_numbers_of_its_chapters_table(written):
    info, d = written
    for figure in info["figures"][1:]:
        table_no = re.search(r"tabell (\d+)\)", figure["caption"]).group(1)
        rows = [[c.text for c in row.cells] for row in
                _table_after(d, f"Tabell {table_no}.").rows]
        body = rows[2:-1]  # two header rows (rolle over skoleslag); the total row last
        assert [r[0] for r in body] == figure["rows"]
        assert figure["plotted"] == [[_references(c) for c in r[1:-1]] for r in body]
    area_a = info["figures"][1]
    # by hand (see test_matrix): A.x is coded in fg (rektor and lærer at the
    # ungdomsskole), nv_rektor (rektor) and nv_radgiver (rådgiver and a pupil)
    assert area_a["rows"] == ["Kode Ax", "Kode Ay"]
    assert area_a["columns"] == ["rektor / ungdomsskole", "rektor / videregående skole",
                                 "rådgiver / videregående skole", "lærer / ungdomsskole",
                                 "elev / videregående skole"]
    assert area_a["plotted"][0] == [1.0, 1.0, 1.0, 1.0, 1.0]
    assert area_a["plotted"][1] == [1.0, 0.0, 0.0, 1.0, 0.0]


def test_a_figure_comes_before_its_table_and_fits_a_page_with_it(written):
    _, d = written
    order = [item.text for kind, item in _body(d)
             if kind == "p" and item.style.name == "Caption"]
    at = order.index("Figur 2. Område A: kodede utdrag per kode, etter rolle og skoleslag "
                     "(tallene i tabell 2).")
    assert order[at + 1].startswith("Tabell 2. Område A")
    for shape in list(d.inline_shapes)[1:]:
        assert shape.height <= Cm(AREA_FIGURE_MAX_HEIGHT_CM) + 1
        assert shape.width <= Cm(24.0) + 1
    pictures = [p for p in d.paragraphs if p._p.xpath(".//pic:pic")]
    assert all(p.paragraph_format.keep_with_next for p in pictures)  # with its caption


def test_the_figures_are_grey(written):
    import matplotlib.image

    _, d = written
    for shape in d.inline_shapes:
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        image = d.part.related_parts[blip.embed].blob
        pixels = matplotlib.image.imread(io.BytesIO(image), format="png")[..., :3]
        assert (pixels.max(axis=2) - pixels.min(axis=2)).max() < 0.02


def test_no_figures_leaves_them_out_and_changes_nothing_else(study, written, tmp_path):
    info, d = written
    path = tmp_path / "uten.docx"
    plain = report.write_report(study, path, figures=False)
    without = docx.Document(str(path))
    assert plain["figures"] == [] and len(without.inline_shapes) == 0
    assert not [p for p in without.paragraphs if p.text.startswith("Figur")]
    assert plain["tables"] == info["tables"] and plain["quotes"] == info["quotes"]
    assert [[c.text for c in r.cells] for t in without.tables for r in t.rows] == \
        [[c.text for c in r.cells] for t in d.tables for r in t.rows]


def test_cli_report_with_and_without_figures(study, tmp_path, cli):
    code, out, err = cli("export", "report", str(tmp_path / "med.docx"), project=study.path)
    assert code == 0, err
    assert "4 figures" in out
    code, out, err = cli("export", "report", str(tmp_path / "uten.docx"), "--no-figures",
                         project=study.path)
    assert code == 0, err
    assert "0 figures" in out
    assert len(docx.Document(str(tmp_path / "uten.docx")).inline_shapes) == 0


def test_the_method_chapter_says_what_each_chapter_holds_with_and_without_figures(
        study, written, tmp_path):
    _, d = written
    report.write_report(study, tmp_path / "uten.docx", figures=False)
    without = docx.Document(str(tmp_path / "uten.docx"))

    def method(document) -> str:
        return next(p.text for p in document.paragraphs
                    if p.text.startswith("Intervjuene er kodet tematisk"))

    assert ("deretter en figur og en tabell over omfang etter rolle og skoleslag og en "
            "tabell med utsagn per kode og rolle.") in method(d)
    assert "et område uten kodede utdrag får ingen figur" in method(d)
    assert "deretter en tabell over omfang etter rolle og skoleslag" in method(without)
    assert "en figur" not in method(without)
    assert "Figurene er utelatt i denne utgaven (valget --no-figures)." in method(without)
