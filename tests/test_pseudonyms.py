"""The pseudonym key, the scan and the leak check (pure), and de-identification of a
project: exports, the irreversible apply, and the command line."""

from __future__ import annotations

import json

import pytest

from qualcode.domain.errors import InputFileError
from qualcode.leakcheck import check_file
from qualcode.pseudonym_scan import Candidate, fodselsnummer_ok, scan
from qualcode.pseudonyms import Entry, Key, load_key, save_key

KEY = Key([
    Entry("Kari Holm", "Rådgiver B", "person", ("Kari",)),
    Entry("Ola", "L", "person"),  # shorter than the original
    Entry("Per", "Lærer Per-Arne A", "person"),
    Entry("Nordvik ungdomsskole", "UN", "site", ("Nordvik",)),
    Entry("Bjørkås", "[sted]", "place"),
    Entry("Fiskå Mølle AS", "[bedrift]", "organisation"),
])
TEXT = ("Rektor: Kari Holm på Nordvik ungdomsskole sa at Ola og Per skulle\n"
        "møte Kari. Olas elev fra Bjørkås fikk læreplass i Fiskå Mølle AS, og "
        "personalet i Nordvik var fornøyd. Øystein og Åse, og nordvik_rektor.\n"
        "Rådgiver: Kari\nHolm? Bjørkås'")


def test_whole_words_only_genitive_and_line_breaks():
    new, _ = KEY.replace(TEXT)
    assert "Rådgiver B på UN sa at L og Lærer Per-Arne A skulle\nmøte Rådgiver B." in new
    assert "Ls elev fra [sted] fikk læreplass i [bedrift]" in new  # genitive kept
    assert "personalet i UN var" in new  # Per is not replaced inside personalet
    assert new.endswith("Rådgiver: Rådgiver B? [sted]s")  # split over a line break
    assert "nordvik_rektor" in new  # case matters: the lower-case id is no name here
    assert "Øystein og Åse" in new


def _spans(text):
    """Spans at word edges, inside words, over whole names, in æøå text."""
    words = [i for i, c in enumerate(text) if c.isspace()]
    cuts = sorted({0, len(text), *words, *(w + 1 for w in words), 5, 17, 22, 62, 95, 96})
    return [(a, b) for a in cuts for b in cuts if a < b <= len(text)]


def test_offset_map_cuts_every_span_out_of_the_replaced_text():
    new, offsets = KEY.replace(TEXT)
    matches = list(KEY.find(TEXT))
    for start, end in _spans(TEXT):
        a, b = offsets.span(start, end)
        passage = new[a:b]
        # The windowed passage is the same as cutting the wholly replaced text.
        assert KEY.passage(TEXT, start, end) == passage, (start, end)
        quote = TEXT[start:end]
        cuts_a_name = any(m.start < edge < m.end for m in matches for edge in (start, end))
        if not cuts_a_name:  # the span holds whole names: its quote replaced on its own
            assert passage == KEY.apply(quote), (start, end, quote)
        for original in ("Kari", "Holm", "Ola", "Fiskå", "Bjørkås"):
            assert original not in passage.replace("Holm?", ""), (start, end, passage)


def test_key_file_round_trip_keeps_comments(tmp_path):
    path = tmp_path / "pseudonyms.yaml"
    path.write_text("# Nøkkel for studien\npseudonyms:\n"
                    "  # informanten på Nordvik\n"
                    "  - original: Kari Holm\n    replacement: Rådgiver B\n    kind: person\n"
                    "    variants: [Kari]\n"
                    "  - original: Bjørkås\n    kind: place   # bygda\n", encoding="utf-8")
    key = load_key(path)
    assert [(e.original, e.replacement, e.kind) for e in key.entries] == [
        ("Kari Holm", "Rådgiver B", "person"), ("Bjørkås", "[sted]", "place")]
    save_key(Key([*key.entries, Entry("Ola", "Lærer A", "person")]), path)
    text = path.read_text(encoding="utf-8")
    assert "# Nøkkel for studien" in text and "# informanten på Nordvik" in text
    assert "# bygda" in text and "original: Ola" in text
    assert load_key(path).apply("Ola og Kari i Bjørkås") == "Lærer A og Rådgiver B i [sted]"


def test_key_file_yaml_error_is_one_line_with_its_line(tmp_path):
    path = tmp_path / "pseudonyms.yaml"
    path.write_text("pseudonyms:\n  - original: Kari\n    replacement: [Rådgiver\n",
                    encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_key(path)
    message = str(caught.value)
    assert "\n" not in message and f"{path}:" in message
    assert caught.value.line in (3, 4)


def test_key_file_refuses_an_unknown_kind_with_its_line(tmp_path):
    path = tmp_path / "pseudonyms.yaml"
    path.write_text("pseudonyms:\n  - original: Kari\n    replacement: A\n"
                    "  - original: Ola\n    replacement: B\n    kind: persn\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"pseudonyms.yaml:4: unknown kind 'persn'"):
        load_key(path)


def test_warnings_two_kinds_one_replacement_and_names_inside_words():
    key = Key([Entry("Per", "X", "person"), Entry("Nordvik", "X", "site")])
    warnings = key.warnings(["personalet", "person", "Nordvik"])
    assert any("'X' replaces Per, Nordvik of different kinds" in w for w in warnings)
    assert any("'Per' is part of ordinary words (person, personalet)" in w for w in warnings)
    assert key.apply("personalet og Per") == "personalet og X"
    per_word = Key([Entry("Per", "X", "person")]).warnings(["per", "Per"])
    assert any("also an ordinary word" in w for w in per_word)
    assert Key([Entry("Per", "X", "person")]).apply("100 kroner per elev") == \
        "100 kroner per elev"


def test_scan_finds_names_numbers_and_addresses_not_ordinary_words():
    texts = {"nordvik_rektor": (
        "Rektor: Jeg snakket med Kari\nHolm om det. Eleven bor i Storgata 12 i Bjørkås. "
        "Mora ringte fra 22 33 44 55 og skrev til kari.holm@nordvik.kommune.no, se "
        "https://nordvik.kommune.no/skole. Fødselsnummeret 15076500565 sto på lappen, "
        "ikke 15076500566. Men Kari sa nei, og Olas far jobber hos Ola.\n"
        "Intervjuer: Takk. Vi snakker om Utdanningsvalg, og det er per i dag viktig.\n"
        "Kari: Ja. Mange elever.")}
    known = [Candidate("Nordvik ungdomsskole", "site", "attribute")]
    found = {(c.text, c.source): c for c in scan(texts, known)}
    assert ("Kari Holm", "name") in found  # across the line break
    assert found[("Kari", "name")].count == 1  # the label and "Men Kari" differ
    assert ("Ola", "name") in found and ("Olas", "name") not in found  # genitive merged
    assert found[("Ola", "name")].count == 2
    assert ("Bjørkås", "name") in found
    assert ("Storgata 12", "address") in found
    assert ("22 33 44 55", "phone") in found
    assert ("kari.holm@nordvik.kommune.no", "e-mail") in found
    assert ("https://nordvik.kommune.no/skole", "url") in found
    assert ("15076500565", "personal number") in found
    assert ("15076500566", "personal number") not in found  # wrong control digits
    assert found[("Nordvik ungdomsskole", "attribute")].count == 0
    texts_words = {t for t, _ in found}
    for ordinary in ("Mange", "Eleven", "Mora", "Men", "Takk", "Rektor", "Intervjuer"):
        assert ordinary not in texts_words
    assert "Kari Holm" in found[("Kari Holm", "name")].context
    assert fodselsnummer_ok("15076500565") and not fodselsnummer_ok("01010112345")


def test_scan_leaves_out_what_the_key_already_has():
    texts = {"t": "Vi var hos Ola i går, og Ola var glad."}
    assert not [c for c in scan(texts, ignore=["Ola"]) if c.text == "Ola"]


def _word_file(path, paragraphs, table=(), header=""):
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    if header:
        document.sections[0].header.paragraphs[0].text = header
    document.save(path)
    return path


def test_leak_check_reads_every_output_kind(tmp_path):
    import zipfile

    from openpyxl import Workbook

    _word_file(tmp_path / "a.docx", ["Rådgiver B sa ja."], [["UN", "Kari sa nei"]])
    _word_file(tmp_path / "b.docx", ["Ren tekst."], header="Nordvik ungdomsskole")
    (tmp_path / "c.html").write_text("<p>Sitat fra <b>Ola</b> &amp; co</p>", encoding="utf-8")
    (tmp_path / "d.csv").write_text("a,b\nUN,Olas bok\n", encoding="utf-8")
    (tmp_path / "e.json").write_text(json.dumps([{"text": "hos Fiskå Mølle AS"}]),
                                     encoding="utf-8")
    (tmp_path / "f.md").write_text("> personalet\n> Bjørkås\n", encoding="utf-8")
    wb = Workbook()
    wb.active["B7"] = "Per sa"
    wb.save(tmp_path / "g.xlsx")
    with zipfile.ZipFile(tmp_path / "h.qdpx", "w") as z:
        z.writestr("project.qde", '<Project name="Kari Holm"/>')
        z.writestr("sources/x.txt", "linje\nNordvik\n")
    (tmp_path / "clean.txt").write_text("UN og Rådgiver B, personalet.\n", encoding="utf-8")
    found = {}
    for name in ("a.docx", "b.docx", "c.html", "d.csv", "e.json", "f.md", "g.xlsx",
                 "h.qdpx", "clean.txt"):
        found[name] = [(leak.where, leak.original) for leak in
                       check_file(tmp_path / name, KEY)]
    assert found["a.docx"] == [("table 1, row 1, cell 2", "Kari Holm")]
    assert found["b.docx"] == [("section 1 header", "Nordvik ungdomsskole")]
    assert found["c.html"] == [("line 1", "Ola")]
    assert found["d.csv"] == [("line 2", "Ola")]
    assert found["e.json"] == [("$[0].text", "Fiskå Mølle AS")]
    assert found["f.md"] == [("line 2", "Bjørkås")]
    assert found["g.xlsx"] == [("Sheet!B7", "Per")]
    assert found["h.qdpx"] == [("project.qde:1", "Kari Holm"), ("sources/x.txt:2",
                                                                "Nordvik ungdomsskole")]
    assert found["clean.txt"] == []
