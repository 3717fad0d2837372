"""Both Word reports carry the header and a page number on every page after the title page:
each section after the first shows the first section's header and footer (a section
copies its predecessor's "different first page" setting unless told otherwise, which left
the first page of every chapter without a number)."""

from __future__ import annotations

import docx
import pytest
from docx.oxml.ns import qn

from qualcode.reports import study as report
from qualcode.reports.agreement import write_agreement_report


def _has_page_field(footer) -> bool:
    return any(instr.text and "PAGE" in instr.text
               for p in footer.paragraphs for instr in p._p.iter(qn("w:instrText")))


def _numbered_everywhere(path) -> None:
    document = docx.Document(str(path))
    first, *rest = document.sections
    assert _has_page_field(first.footer), "the first section's footer has no page number"
    assert first.header.paragraphs[0].text, "the first section has no running header"
    assert rest, "the report has one section only"
    for i, section in enumerate(rest, start=2):
        assert not section.different_first_page_header_footer, (
            f"section {i} starts on a page without header and page number")
        assert section.footer.is_linked_to_previous and section.header.is_linked_to_previous


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    from tests.conftest import build_example

    store = build_example(tmp_path_factory.mktemp("pages") / "example.db")
    yield store
    store.close()


def test_every_page_of_the_study_report_after_the_title_has_a_number(study, tmp_path):
    path = tmp_path / "rapport.docx"
    report.write_report(study, path)
    _numbered_everywhere(path)


def test_every_page_of_the_agreement_report_after_the_title_has_a_number(study, tmp_path):
    path = tmp_path / "agreement.docx"
    write_agreement_report(study, path, bootstrap=50, seed=1)
    _numbered_everywhere(path)


def test_a_tables_note_keeps_to_its_table(study, tmp_path):
    """The note under a table never starts a page alone: the table's last rows keep with
    it (rendered, this moved an orphaned note of the example report back to its table)."""
    path = tmp_path / "rapport.docx"
    report.write_report(study, path)
    document = docx.Document(str(path))
    body = list(document.element.body.iterchildren())
    noted = 0
    for element, following in zip(body, body[1:], strict=False):
        if element.tag == qn("w:tbl") and following.tag == qn("w:p") and \
                docx.text.paragraph.Paragraph(following, document).style.name == "Tabellnote":
            last = docx.table.Table(element, document).rows[-1]
            assert all(p.paragraph_format.keep_with_next
                       for cell in last.cells for p in cell.paragraphs)
            noted += 1
    assert noted >= 3


def test_every_coded_family_appears_and_the_methods_chapter_says_where(study, tmp_path):
    """The cross-cutting themes (Begrepsforståelse, Kvalitetsrammeverket) get chapters
    like the quality areas; the analytic families that have codings are counted in an
    appendix; a family without codings is left out; and the method chapter says so."""
    from qualcode.services import matrix as mx

    path = tmp_path / "rapport.docx"
    report.write_report(study, path)
    document = docx.Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    text = "\n".join(p.text for p in document.paragraphs)
    with study.snapshot() as db:
        codes = mx.load_codes(db)
        coded = set(db.column("SELECT DISTINCT k.code_id FROM coding c "
                              "JOIN code k ON k.pk = c.code_pk"))
    by_pk = {c.pk: c for c in codes}

    def top(code):
        while code.parent_pk is not None:
            code = by_pk[code.parent_pk]
        return code

    families = {top(c).id for c in codes if c.id in coded}
    tops = {c.id: c for c in codes if c.depth == 0}
    for family_id in families:
        area = tops[family_id]
        if area.family == "analytisk":
            assert "Tabell" in text and f"{area.label}: antall kodede utdrag" in text, \
                area.label
        else:
            assert any(h.endswith(f". {area.label}") for h in headings), area.label
    assert "Vedlegg: Analytiske koder" in headings
    assert {"BEG", "KRV", "NIVAA", "KONTEKST"} <= families  # the example codes all four
    assert "der Begrepsforståelse og Kvalitetsrammeverket som støtte er tverrgående" in text
    uncoded = [c for c in tops.values() if c.family == "analytisk" and c.id not in families]
    for area in uncoded:
        assert f"{area.label}: antall kodede utdrag" not in text


def test_the_method_chapter_states_the_coders_agreement_in_plain_words(study, tmp_path):
    """With two coders the method chapter gives the pooled alpha with its interval and the
    kappa, the same numbers as the supervisor's report, and names the layer counted
    without set theory."""
    from qualcode.services.agreement_report import agreement

    path = tmp_path / "rapport.docx"
    report.write_report(study, path)
    document = docx.Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    heading = [(p.style.name, p.text) for p in document.paragraphs].index(
        ("Heading 2", "Samsvar mellom koderne"))  # the section, not its line in the contents
    said = paragraphs[heading + 1]
    pooled = agreement(study, bootstrap=1000, seed=0)["pooled"]
    alpha = f"{pooled['alpha']:.2f}".replace(".", ",")
    low = f"{pooled['interval']['low']:.2f}".replace(".", ",")
    assert said.startswith("To kodere (anna og bjorn)")
    assert f"Krippendorffs alfa er {alpha} (95 % konfidensintervall {low}–" in said
    assert "Cohens kappa er" in said
    text = "\n".join(paragraphs)
    assert "foreningsmengden" not in text.lower()
    assert "slått sammen (det minst én av dem har kodet, telt én gang)" in text


def test_a_note_every_code_has_is_said_once_above_the_agreement_table(study, tmp_path):
    """When every code is rare (the example study's codes all cover under 5 % of the text),
    the table says so once instead of flagging every row."""
    from qualcode.reports.agreement import shared_flags
    from qualcode.services.agreement_report import report_data

    assert "rare" in shared_flags(report_data(study, bootstrap=20, seed=1))
    path = tmp_path / "agreement.docx"
    write_agreement_report(study, path, bootstrap=20, seed=1)
    document = docx.Document(str(path))
    said = [p.text for p in document.paragraphs if p.text.startswith("Alle kodene i tabellen")]
    assert said and "«sjelden»" in said[0]
    codes = next(t for t in document.tables if t.rows[0].cells[0].text == "Kode")
    assert codes.rows[0].cells[-1].text == "Merknader"
    assert not any("sjelden" in row.cells[-1].text for row in codes.rows[1:])


def test_the_reports_document_properties_are_their_own(study, tmp_path):
    """Word shows a file's properties: the title, today's date, and no trace of the
    library that wrote it (python-docx's defaults say 'python-docx' and 2013)."""
    from datetime import datetime, timezone

    for name, write in (("rapport.docx", report.write_report),
                        ("agreement.docx", lambda s, p: write_agreement_report(
                            s, p, bootstrap=20, seed=1))):
        path = tmp_path / name
        write(study, path)
        props = docx.Document(str(path)).core_properties
        assert props.title and props.language == "nb-NO"
        assert props.author == "" and "python-docx" not in (props.comments or "")
        assert props.created.date() == datetime.now(timezone.utc).date()


def test_the_first_chapter_starts_on_the_page_after_the_contents(study, tmp_path):
    """The contents fill the page after the title page; the method chapter does not start
    under them on the same page."""
    path = tmp_path / "rapport.docx"
    report.write_report(study, path)
    document = docx.Document(str(path))
    first = next(p for p in document.paragraphs if p.style.name == "Heading 1")
    assert first.text == "Metode og datagrunnlag"
    assert first.paragraph_format.page_break_before
    later = [p for p in document.paragraphs if p.style.name == "Heading 1"][1:]
    assert not any(p.paragraph_format.page_break_before for p in later)  # sections do that
