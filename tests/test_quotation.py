"""Quotations in whole sentences: where a quote begins, what it skips, how it is cut, and
(through the Word report) that a chapter quotes a passage only once."""

from __future__ import annotations

from datetime import date

import docx
import pytest

from qualcode.quotation import FILLERS, Piece, compose, is_filler, sentence_window
from qualcode.reports import study as report
from qualcode.segmenter import sentence_spans
from qualcode.services import codebooks, coding_ops, ingest
from qualcode.services.project import init_project
from tests.conftest import write


def _window(text: str, coded: str, *, lead: bool = True, reach: int = 160) -> list[str]:
    start = text.index(coded)
    spans, cut_start, cut_end = sentence_window(text, sentence_spans([text])[0], start,
                                                start + len(coded), lead=lead, reach=reach)
    return ["[…]"] * cut_start + [text[a:b] for a, b in spans] + ["[…]"] * cut_end


@pytest.mark.parametrize("sentence", [
    "(ler)", "(pause)", "[uklart]", "Tja.", "Ja.", "Nei, altså.", "Det er et godt spørsmål.",
    "Hm.", "(ler) Ja, ja.", "Well.", "That's a good question.", "Hmm…", "Skal jeg ta den?",
    "(kort pause) Tja.", "[inaudible 00:12:31]", "(Ler)"])
def test_fillers_and_marks_are_recognised(sentence):
    assert is_filler(sentence)


@pytest.mark.parametrize("sentence", [
    "Ja, vi har en plan for karriereveiledningen.", "Nei.Det stemmer ikke", "Rektor leder.",
    "(ler) Vi ler mye her.", "[Rådgiver 1].", "Ja, [Kari]."])
def test_a_sentence_that_says_something_is_no_filler(sentence):
    assert not is_filler(sentence)


def test_a_name_in_brackets_is_kept_where_a_mark_is_skipped():
    text = "[Rådgiver 1] har master i karriereveiledning. (kort pause) [uklart] Og hun er flink."
    assert _window(text, "har master") == ["[Rådgiver 1] har master i karriereveiledning."]
    assert _window(text, "Og hun") == ["Og hun er flink."]


def test_the_filler_list_is_data_in_both_languages():
    assert {"tja", "det er et godt spørsmål", "that's a good question", "hm"} <= FILLERS


def test_a_quote_that_starts_mid_sentence_begins_at_the_sentence_start():
    text = "Rådgiveren har ansvaret. Hun har samtaler med alle elevene på tiende trinn."
    assert _window(text, "samtaler med alle") == [
        "Hun har samtaler med alle elevene på tiende trinn."]


def test_a_quote_ends_at_the_end_of_its_last_sentence():
    text = "Vi startet i fjor. Rektor leder arbeidet selv. Det har fungert godt."
    assert _window(text, "Vi startet i fjor. Rektor leder") == [
        "Vi startet i fjor.", "Rektor leder arbeidet selv."]


def test_leading_fillers_and_marks_are_skipped():
    text = ("Tja. (ler) Det er et godt spørsmål. (pause) Vi har en plan som Kari skrev, og "
            "den følger vi.")
    assert _window(text, text) == ["Vi har en plan som Kari skrev, og den følger vi."]


def test_fillers_are_skipped_only_where_the_quote_begins():
    text = "Ja. Rådgiveren leder. Ja. Og lærerne hjelper til."
    assert _window(text, text) == ["Rådgiveren leder.", "Ja.", "Og lærerne hjelper til."]
    assert _window(text, text, lead=False)[0] == "Ja."


def test_a_passage_of_fillers_only_quotes_nothing():
    assert _window("Tja. Hm. (ler)", "Tja. Hm. (ler)") == []


def test_a_run_on_sentence_is_cut_at_a_word_and_marked_at_both_ends():
    words = " ".join(["og så snakket vi med elevene om valgene"] * 12)
    text = f"Ja {words} og det var bra."
    coded = "elevene om valgene og så"
    start = text.index(coded, 200) + 3  # inside "elevene": the quote begins at a word
    spans, cut_start, cut_end = sentence_window(text, [(0, len(text))], start,
                                                start + len(coded) - 3, lead=True, reach=40)
    assert cut_start and cut_end
    (a, b), = spans
    assert text[a - 1] == " " and text[a:].startswith("om valgene")
    assert text[b] == " " and text[:b].endswith("og så")


def test_a_long_quote_is_cut_between_sentences_and_marked():
    sentences = ["Vi har en plan for rådgivningen.", "Den ble laget av rektor og rådgiver.",
                 "Lærerne kjenner den godt.", "Elevene har sett den i timene."]
    piece = Piece("Rektor", sentences)
    assert compose([piece]) == " ".join(sentences)
    cut = compose([piece], 80)
    assert cut == "Vi har en plan for rådgivningen. Den ble laget av rektor og rådgiver. […]"
    assert len(cut) <= 80


def test_a_first_sentence_longer_than_the_limit_is_cut_at_a_word():
    piece = Piece(None, ["Vi har samtaler med hver elev på tiende trinn om valget av "
                         "utdanningsprogram og om hva de vil bli."])
    cut = compose([piece], 60)
    assert cut.endswith(" […]") and len(cut) <= 60 and cut.startswith("Vi har samtaler")


def test_a_cut_start_and_omitted_turns_are_marked():
    pieces = [Piece("Rektor", ["vi snakket om valgene."], cut_start=True),
              Piece("Rektor", ["Det var bra."], gap=True)]
    assert compose(pieces) == "[…] vi snakket om valgene. […] Det var bra."
    two = [Piece("Rektor", ["Vi leder."]), Piece("Lærer", ["Det stemmer."], cut_end=True)]
    assert compose(two) == "Rektor: Vi leder.\nLærer: Det stemmer. […]"


# --- the report ---------------------------------------------------------------------------

CODEBOOK = """\
codebook: sitater
version: 1
title: Sitatprøve
codes:
  - id: LED
    label: Ledelse
    family: kvalitetsmodellen
    criterion: Skolens ledelse har ansvar for karriereveiledningen.
    children:
      - {id: LED.plan, label: Plan}
      - {id: LED.ansvar, label: Ansvar}
"""
SHEET = """\
sites:
  nordvik: {navn: Nordvik skole, skoleslag: ungdomsskole}
persons:
  kari: {site: nordvik, rolle: rektor}
"""
LONG = " ".join(f"Punkt {n} i planen handler om samtaler med elevene." for n in range(1, 16))
RECTOR = f"""---
site: nordvik
format: individuelt
speakers: {{Rektor: kari}}
---
Intervjuer: Hvem har ansvaret for karriereveiledningen?
Rektor: Tja. (ler) Det er et godt spørsmål. Ansvaret ligger hos meg som rektor.
Intervjuer: Har dere en plan?
Rektor: Ja. {LONG}
"""


@pytest.fixture(scope="module")
def chapter(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sitater")
    store = init_project(folder / "sitater.db")
    codebooks.load_into_project(store, write(folder / "kodebok.yaml", CODEBOOK))
    ingest.import_attributes(store, [write(folder / "attributes.yaml", SHEET)])
    texts = folder / "transkripsjoner"
    texts.mkdir()
    write(texts / "nordvik_rektor.txt", RECTOR)
    ingest.import_transcripts(store, [texts])
    with store.snapshot() as db:
        text = db.rows("SELECT text FROM transcript")[0][0]
    answer, sentence_end = text.index("Tja."), text.index("rektor.") + len("rektor.")
    plan = text.index("Punkt 1 ")

    def add(code: str, start: int, end: int) -> None:
        coding_ops.add_coding(store, "nordvik_rektor", code, "anna", start, end)

    add("LED.plan", plan, len(text) - 1)  # the long answer: Plan's longest passage
    # Ansvar: the long answer again from its third point (an overlapping span), and the
    # short answer with its fillers, ending mid-sentence: the next best
    add("LED.ansvar", text.index("Punkt 3 "), len(text) - 1)
    add("LED.ansvar", answer, text.index(" som rektor"))
    # the area as a whole: the short answer once more, from mid-word ("svaret ligger")
    add("LED", text.index("svaret ligger"), sentence_end)
    path = folder / "rapport.docx"
    report.write_report(store, path, areas=["LED"], today=date(2026, 3, 2))
    store.close()
    return docx.Document(str(path))


def _quotes(document) -> list[str]:
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    for table in document.tables:
        for row in table.rows[1:]:
            for cell in row.cells[1:]:
                quotes += [p.text for p in cell.paragraphs if p.style.name == "Tabellsitat"]
    return quotes


def test_report_quotes_are_whole_sentences_without_leading_fillers(chapter):
    quotes = _quotes(chapter)
    assert "Ansvaret ligger hos meg som rektor." in quotes
    assert not any(q.startswith(("Tja", "(ler)", "Det er et godt", "Ja.", "svaret"))
                   for q in quotes)


def test_a_long_passage_is_cut_between_sentences_and_marked(chapter):
    long = [q for q in _quotes(chapter) if q.startswith("Punkt 1 ")]
    assert long and all(q.endswith(". […]") and len(q) <= 550 for q in long)
    assert all(q[:-len(" […]")] in LONG for q in long)  # whole sentences of the answer


def test_one_passage_is_not_quoted_twice_in_a_chapter(chapter):
    quotes = _quotes(chapter)
    assert quotes.count("Ansvaret ligger hos meg som rektor.") == 1
    assert sum(q.startswith("Punkt 1 ") for q in quotes) == 1
    cells = [c.text for t in chapter.tables for row in t.rows for c in row.cells]
    assert "Sitert ovenfor." in cells
