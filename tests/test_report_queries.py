"""Saved queries in the Word report: the method chapter lists each with its expression, a
plain-Norwegian reading and what it finds now; --queries gives each a section with its
matrix and longest passages, pseudonymised like every quote."""

from __future__ import annotations

import docx
import pytest

from qualcode.pseudonyms import Entry, Key
from qualcode.reports import study as report
from qualcode.reports.wording.nb import reading_nb
from qualcode.services import code_query
from tests.test_matrix import build_study

LABELS = {"LED": "Ledelse", "RAM": "Rammer og organisering", "KOM": "Kompetanse",
          "ETI": "Etikk"}


@pytest.mark.parametrize(("query", "reading"), [
    ("LED AND rolle = radgiver", "utdrag kodet med Ledelse, sagt av rådgivere"),
    ("LED AND rolle = rådgiver", "utdrag kodet med Ledelse, sagt av rådgivere"),
    ("LED AND RAM", "utdrag kodet med både Ledelse og Rammer og organisering"),
    ("(LED OR RAM) AND KOM AND skoleslag = videregående",
     "utdrag kodet med Kompetanse og kodet med Ledelse eller Rammer og organisering, "
     "fra videregående skoler"),
    ("LED AND RAM AND KOM", "utdrag kodet med Ledelse, Rammer og organisering og "
     "Kompetanse på samme sted"),
    ("LED OR ETI OR KOM", "utdrag kodet med Ledelse, Etikk eller Kompetanse"),
    ("LED AND rolle in (rektor, laerer)", "utdrag kodet med Ledelse, sagt av rektorer "
     "eller lærere"),
    ("LED AND skoleslag != ungdomsskole", "utdrag kodet med Ledelse, ikke fra ungdomsskoler"),
    ("LED NOT RAM", "utdrag kodet med Ledelse, men ikke der de overlapper utdrag kodet med "
     "Rammer og organisering"),
    ("LED NEAR 2 ETI", "utdrag kodet med Ledelse og utdrag kodet med Etikk, når de ligger "
     "høyst 2 replikker fra hverandre i samme intervju"),
    ("LED.agenda IN KOM", "utdrag kodet med LED.agenda, som ligger helt innenfor utdrag "
     "kodet med Kompetanse"),
    ("KOM AND antall_radgivere > 1 AND nettverk = ja",
     "utdrag kodet med Kompetanse, der antall_radgivere er over 1, der nettverk er ja"),
    ("rolle = rektor", "utdrag sagt av rektorer"),
])
def test_a_query_reads_in_plain_norwegian(query, reading):
    assert reading_nb(query, LABELS) == reading


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    store = build_study(tmp_path_factory.mktemp("queries") / "study")
    code_query.save_query(store, "a_rektor", "A AND rolle = rektor")
    code_query.save_query(store, "b_ikke_a", "B NOT A")
    code_query.save_query(store, "ingenting", "Z AND rolle = laerer")
    yield store
    store.close()


def _bullets(document) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == "List Bullet"]


def test_the_method_chapter_lists_the_saved_queries_with_what_they_find(study, tmp_path):
    path = tmp_path / "rapport.docx"
    report.write_report(study, path)
    d = docx.Document(str(path))
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    method = headings.index("Metode og datagrunnlag")
    assert headings[method:].index("Lagrede spørringer") < headings[method:].index(
        "Oversikt over områdene")
    found = {q: len(code_query.run_query(study, code_query.saved_query(study, q)).passages)
             for q in ("a_rektor", "b_ikke_a", "ingenting")}
    # by hand (see test_matrix): A is coded over the rektor's turns in fg and nv_rektor; B
    # in fg 4-5 and nv_rektor 4, next to A's passages but not over them; Z only in nv_rektor
    assert found == {"a_rektor": 2, "b_ikke_a": 2, "ingenting": 0}
    listed = [b for b in _bullets(d) if b.split(":")[0] in found]
    assert listed == [
        "a_rektor: A AND rolle = rektor – Utdrag kodet med Område A, sagt av rektorer "
        "(2 utdrag).",
        "b_ikke_a: B NOT A – Utdrag kodet med Område B, men ikke der de overlapper utdrag "
        "kodet med Område A (2 utdrag).",
        "ingenting: Z AND rolle = laerer – Utdrag kodet med Annet, sagt av lærere (0 utdrag)."]
    assert "Lagrede spørringer" not in [p.text for p in d.paragraphs
                                        if p.style.name == "Heading 1"]


def test_a_saved_query_that_no_longer_runs_is_listed_with_the_reason(study, tmp_path):
    code_query.save_query(study, "gammel", "A AND GONE")
    try:
        path = tmp_path / "rapport.docx"
        report.write_report(study, path)
        bullets = _bullets(docx.Document(str(path)))
    finally:
        code_query.delete_query(study, "gammel")
    line = next(b for b in bullets if b.startswith("gammel:"))
    assert "Kan ikke kjøres nå" in line and "no code 'GONE'" in line


def test_each_saved_query_gets_a_section_with_its_matrix_and_quotes(study, tmp_path):
    path = tmp_path / "rapport.docx"
    plain = report.write_report(study, tmp_path / "uten.docx")
    info = report.write_report(study, path, queries=True,
                               key=Key([Entry("tjenesten", "[tjeneste]", "other")]))
    d = docx.Document(str(path))
    assert info["tables"] == plain["tables"] + 2  # a_rektor and b_ikke_a; ingenting: none
    texts = _body_texts(d)
    chapter = texts.index("Lagrede spørringer", texts.index("Samforekomst av koder"))
    sections = texts[chapter:texts.index("Vedlegg: Kodebok")]
    assert [t for t in sections if t in ("a_rektor", "b_ikke_a", "ingenting")] == \
        ["a_rektor", "b_ikke_a", "ingenting"]
    assert any(t.startswith("Tabell 10. Spørringen «a_rektor»") for t in sections)
    assert any(t.startswith("Tabell 11. Spørringen «b_ikke_a»") for t in sections)
    assert "Tabell 12. Kodebok med omfang." in texts
    # a_rektor's passages, by rolle and skoleslag: one rektor at each kind of school
    table = next(t for t in d.tables if t.rows[-1].cells[0].text == "Alle treff"
                 and len(t.rows[0].cells) == 3)
    assert [c.text for c in table.rows[0].cells] == [
        "Kode", "Rektor\nUngdoms\u00adskole", "Rektor\nVidere\u00adgående"]
    assert [c.text for c in table.rows[-1].cells] == ["Alle treff", "1 (1)", "1 (1)"]

    # the quotes are pseudonymised like every other quote in the report
    assert "Rådgiveren leder [tjeneste]." in sections
    assert not any("tjenesten" in t for t in texts)


def test_a_query_tables_columns_follow_the_reports_order_of_roles(study, tmp_path):
    code_query.save_query(study, "ax", "A.x")
    try:
        report.write_report(study, tmp_path / "r.docx", queries=True, figures=False)
    finally:
        code_query.delete_query(study, "ax")
    d = docx.Document(str(tmp_path / "r.docx"))
    table = next(t for t in d.tables if t.rows[-1].cells[0].text == "Alle treff"
                 and t.rows[1].cells[0].text == "A.x")
    assert [c.text.split("\n")[0] for c in table.rows[0].cells] == [
        "Kode", "Rektor", "Rektor", "Rådgiver", "Lærer", "Elev"]
    # A.x by hand (see test_matrix): fg 2-3, nv_rektor 1-2 and nv_radgiver 2-3
    assert [c.text for c in table.rows[-1].cells] == [
        "Alle treff", "1 (1)", "1 (1)", "1 (1)", "1 (1)", "1 (0)"]


def test_cli_report_with_query_sections(study, tmp_path, cli):
    code, out, err = cli("export", "report", str(tmp_path / "r.docx"), "--queries",
                         "--no-figures", project=study.path)
    assert code == 0, err
    texts = _body_texts(docx.Document(str(tmp_path / "r.docx")))
    assert texts.count("Lagrede spørringer") == 2  # the method's list and the chapter


def _body_texts(document) -> list[str]:
    """The report's paragraphs without the lines of its table of contents."""
    return [p.text for p in document.paragraphs if not p.style.name.startswith("toc ")]
