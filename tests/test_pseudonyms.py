"""The pseudonym key, the scan and the leak check (pure), and de-identification of a
project: exports, the irreversible apply, and the command line."""

from __future__ import annotations

import json
import zipfile

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
    assert any("'Per' is also part of ordinary words (person, personalet)" in w
               for w in warnings)
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


# --- the project: key, exports, the irreversible apply, the command line ----------------

from pathlib import Path  # noqa: E402

from tests.conftest import EXAMPLE  # noqa: E402

EXAMPLE_KEY = EXAMPLE / "pseudonyms.yaml"


def _rows(store, sql, params=()):
    with store.snapshot() as db:
        return db.rows(sql, params)


def test_the_project_proposes_names_it_knows_with_the_studys_conventions(example):
    from qualcode.services.pseudonyms import known_names, scan_project

    known = {c.text: (c.kind, c.replacement) for c in known_names(example)}
    assert known["Nordvik ungdomsskole"] == ("site", "UN")  # the school's case code
    assert known["Nordvik"] == ("site", "UN")
    assert known["Vestbø videregående skole"] == ("site", "VV")
    assert "ungdomsskole" not in known and "Rektor" not in known
    found = {c.text: c for c in scan_project(example)}
    for name in ("Eva", "Tor", "Ola", "Nordfisk"):  # what the interviews add
        assert name in found and found[name].count >= 1, name
    assert found["Eva"].count == 3 and "Eva" in found["Eva"].context


def test_import_replaces_the_key_and_the_audit_log_keeps_no_original(example):
    from qualcode.services.pseudonyms import import_key, project_key

    result = import_key(example, EXAMPLE_KEY)
    assert (result.entries, result.added, result.removed) == (6, 6, 0)
    key = project_key(example)
    assert key.apply("Eva på Nordvik") == "Rådgiver A på UN"
    log = _rows(example, "SELECT after FROM audit_event WHERE entity = 'pseudonym-key'")
    assert log and all("Eva" not in row[0] and "Nordvik" not in row[0] for row in log)


def _export_everything(cli, db: Path, out: Path, *extra: str) -> list[Path]:
    out.mkdir(exist_ok=True)
    files = []
    for args, name in (
            (["export", "report", "--provenance"], "rapport.docx"),
            (["export", "agreement"], "agreement.docx"),
            (["export", "agreement"], "agreement.html"),
            (["export", "matrix", "--cols", "site", "--cell", "quotes", "--cell",
              "summaries", "--rows", "LED"], "matrise.xlsx"),
            (["export", "matrix", "--cols", "site", "--cell", "quotes", "--rows", "LED"],
             "matrise.docx"),
            (["export", "matrix", "--cols", "person", "--cell", "quotes", "--rows", "KRV"],
             "matrise.csv"),
            (["export", "matrix", "--cols", "site", "--cell", "summaries", "--rows", "LED"],
             "matrise.md"),
            (["export", "matrix", "--cols", "transcript", "--cell", "quotes"], "matrise.json"),
            (["export", "presence"], "tilstede.csv"),
            (["export", "presence"], "tilstede.xlsx"),
            (["export", "qdpx"], "studie.qdpx")):
        code, _, err = cli(*args, str(out / name), *extra, project=db)
        assert code == 0, err
        files.append(out / name)
    code, _, err = cli("export", "transcripts", str(out / "transkripsjoner"), "--as", "txt",
                       "--as", "docx", *extra, project=db)
    assert code == 0, err
    files += sorted((out / "transkripsjoner").iterdir())
    for fmt in ("json", "csv", "md"):
        code, text, _ = cli("quotes", "LED", "--context", "60", "--format", fmt, *extra[:1],
                            project=db)
        assert code == 0
        (out / f"quotes.{fmt}").write_text(text, encoding="utf-8")
        files.append(out / f"quotes.{fmt}")
    return files


def test_every_export_of_the_example_study_passes_the_leak_check(example, cli, tmp_path):
    from qualcode.pseudonyms import load_key
    from qualcode.services import matrix as mx

    mx.set_summary(example, "LED.forankring_eier", site="nordvik_u",
                   text="Eva på Nordvik bærer alt alene.")
    code, _, err = cli("pseudonyms", "import", str(EXAMPLE_KEY), project=example.path)
    assert code == 0, err
    files = _export_everything(cli, example.path, tmp_path / "ut")
    key = load_key(EXAMPLE_KEY)
    for path in files:
        assert check_file(path, key) == [], path
    code, out, _ = cli("pseudonyms", "check", *map(str, files), project=example.path)
    assert code == 0 and f"in {len(files)} file(s)" in out
    # The same exports with the names left in hold them, and the check says where.
    files = _export_everything(cli, example.path, tmp_path / "navn", "--identifiable")
    leaking = {p.name for p in files if check_file(p, key)}
    assert {"rapport.docx", "agreement.docx", "studie.qdpx", "quotes.json",
            "matrise.xlsx"} <= leaking
    code, out, _ = cli("pseudonyms", "check", str(tmp_path / "navn" / "rapport.docx"),
                       "--format", "csv", project=example.path)
    assert code == 1 and "rapport.docx,paragraph" in out


def test_an_identifiable_export_says_so_and_is_logged(example, cli, tmp_path):
    cli("pseudonyms", "import", str(EXAMPLE_KEY), project=example.path)
    report = tmp_path / "rapport.docx"
    code, _, err = cli("export", "report", str(report), project=example.path)
    assert code == 0 and "warning" not in err
    code, _, err = cli("export", "report", str(report), "--identifiable",
                       project=example.path)
    assert code == 1 and err.count("\n") == 1 and "--force" in err
    code, _, err = cli("export", "report", str(report), "--identifiable", "--force",
                       project=example.path)
    assert code == 0 and "keeps the names" in err
    import docx

    first = docx.Document(str(report)).paragraphs[0].text
    assert first.startswith("IDENTIFISERBAR")
    # Once marked identifiable, the file may be written again with the names left in.
    assert cli("export", "report", str(report), "--identifiable", project=example.path)[0] == 0
    log = [json.loads(after) for (after,) in _rows(
        example, "SELECT after FROM audit_event WHERE action = 'export' ORDER BY pk")]
    assert [entry["identifiable"] for entry in log] == [False, True, True]
    assert all(entry["pseudonymised"] is not entry["identifiable"] for entry in log)


def test_without_a_key_exports_say_once_that_nothing_was_pseudonymised(example, cli, tmp_path):
    code, _, err = cli("export", "report", str(tmp_path / "r.docx"), project=example.path)
    assert code == 0
    assert err.count("nothing was pseudonymised") == 1 and "pseudonyms scan" in err
    code, _, err = cli("quotes", "LED", "--format", "json", project=example.path)
    assert code == 0 and err.count("nothing was pseudonymised") == 1


def test_irreversible_apply_keeps_every_coding_on_the_same_words(example, cli):
    from qualcode.pseudonyms import load_key
    from qualcode.services.queries import transcript_turns

    key = load_key(EXAMPLE_KEY)
    before = {pk: (t, key.passage(text, s, e), key.apply(q)) for pk, t, text, s, e, q in _rows(
        example, 'SELECT c.pk, t.name, t.text, c.start, c."end", c.quote FROM coding c '
                 "JOIN transcript t ON t.pk = c.transcript_pk")}
    turns_before = {name: [(t["index"], t["speaker"]) for t in
                           transcript_turns(example, name)["turns"]]
                    for (name,) in _rows(example, "SELECT name FROM transcript")}
    cli("pseudonyms", "import", str(EXAMPLE_KEY), project=example.path)
    code, _, err = cli("pseudonyms", "apply", project=example.path)
    assert code != 0 and "--irreversible" in err
    code, out, err = cli("pseudonyms", "apply", "--irreversible", "--yes",
                         project=example.path)
    assert code == 0, err
    after = _rows(example, 'SELECT c.pk, t.name, t.text, c.start, c."end", c.quote, '
                           "c.text_sha256 = t.text_sha256 FROM coding c "
                           "JOIN transcript t ON t.pk = c.transcript_pk")
    assert len(after) == len(before)
    for pk, _, text, start, end, quote, same_hash in after:
        _, expected, applied = before[pk]
        assert text[start:end] == quote == expected == applied, pk
        assert same_hash
    assert any("Rådgiver A" in quote for *_, quote, _ in after)
    texts = "\n".join(text for (text,) in _rows(example, "SELECT text FROM transcript"))
    assert not list(key.find(texts)) and "Rådgiver A" in texts and "[bedrift]" in texts
    for name, turns in turns_before.items():
        assert [(t["index"], t["speaker"]) for t in
                transcript_turns(example, name)["turns"]] == turns
    assert _rows(example, "SELECT count(*) FROM pseudonym") == [(0,)]
    (event,) = _rows(example, "SELECT after FROM audit_event WHERE action = "
                              "'apply-irreversibly'")
    assert json.loads(event[0])["key_deleted"] is True
    code, _, err = cli("pseudonyms", "apply", "--irreversible", "--yes", project=example.path)
    assert code == 1 and "no pseudonym key" in err


def test_a_broken_key_file_is_one_line_with_file_and_line(example, cli, tmp_path):
    bad = tmp_path / "pseudonyms.yaml"
    bad.write_text("pseudonyms:\n  - original: Eva\n    replacement: 'Rådgiver A\n",
                   encoding="utf-8")
    code, _, err = cli("pseudonyms", "import", str(bad), project=example.path)
    assert code == 1 and err.count("\n") == 1 and f"{bad}:" in err
    assert _rows(example, "SELECT count(*) FROM pseudonym") == [(0,)]


def test_import_warns_about_two_kinds_behind_one_replacement_and_per(example, cli, tmp_path):
    path = tmp_path / "pseudonyms.yaml"
    path.write_text("pseudonyms:\n"
                    "  - {original: Eva, replacement: X, kind: person}\n"
                    "  - {original: Nordvik, replacement: X, kind: site}\n"
                    "  - {original: Per, replacement: Lærer B, kind: person}\n",
                    encoding="utf-8")
    code, out, err = cli("pseudonyms", "import", str(path), project=example.path)
    assert code == 0 and "3 entries" in out
    assert "'X' replaces Eva, Nordvik of different kinds" in err
    assert "'Per' is also an ordinary word ('per') and part of ordinary words" in err
    assert "(person" in err
    code, out, _ = cli("quotes", "RAM.saarbarhet_personavhengig", "--format", "json",
                       project=example.path)
    assert "person" in out and "Lærer B" not in out


def test_scan_into_a_key_file_then_export_keeps_the_researchers_comments(example, cli,
                                                                        tmp_path):
    path = tmp_path / "pseudonyms.yaml"
    code, out, _ = cli("pseudonyms", "scan", "--into", str(path), project=example.path)
    assert code == 0 and "Added" in out
    text = path.read_text(encoding="utf-8")
    assert "original: Eva" in text and "# name, 3× in 2 transcript(s)" in text
    path.write_text(text.replace("pseudonyms:\n", "pseudonyms:\n  # sjekket av Kari\n", 1),
                    encoding="utf-8")
    assert cli("pseudonyms", "import", str(path), project=example.path)[0] == 0
    assert cli("pseudonyms", "export", str(path), project=example.path)[0] == 0
    assert "# sjekket av Kari" in path.read_text(encoding="utf-8")
    code, out, _ = cli("pseudonyms", "list", "--format", "json", project=example.path)
    assert {"original": "Eva", "replacement": "[navn]", "kind": "person",
            "variants": ""} in json.loads(out)


def test_undo_does_not_reach_back_past_the_irreversible_apply(example, cli):
    from qualcode.services.queries import transcript_turns

    turn = transcript_turns(example, "nordvik_rektor")["turns"][5]
    code, _, err = cli("coding", "add", "nordvik_rektor", "--turns", str(turn["index"]),
                       "-k", "LED", "--coder", "kari", project=example.path)
    assert code == 0, err
    cli("pseudonyms", "import", str(EXAMPLE_KEY), project=example.path)
    assert cli("pseudonyms", "apply", "--irreversible", "--yes", project=example.path)[0] == 0
    code, _, err = cli("coding", "undo", "--coder", "kari", project=example.path)
    assert code == 1 and "cannot be undone" in err and err.count("\n") == 1


def test_the_lists_apply_the_key_too_unless_identifiable(example, cli, tmp_path):
    """status, transcripts and cases carry titles, school names and attributes: written to
    a file and shared, they must not name anyone either."""
    from qualcode.services.pseudonyms import import_key

    import_key(example, EXAMPLE / "pseudonyms.yaml")
    files = []
    for name, args in (("status.json", ("status", "-f", "json")),
                       ("transcripts.csv", ("transcripts", "-f", "csv")),
                       ("cases.json", ("cases", "-f", "json"))):
        code, out, err = cli(*args, project=example.path)
        assert code == 0, err
        (tmp_path / name).write_text(out, encoding="utf-8")
        files.append(str(tmp_path / name))
        if name != "status.json":  # status names no school; the others do, when asked
            code, named, _ = cli(*args, "--identifiable", project=example.path)
            assert "Nordvik ungdomsskole" in named or "Vestbø" in named, name
    code, out, err = cli("pseudonyms", "check", *files, project=example.path)
    assert code == 0, out + err


def test_a_speaker_label_that_is_a_name_leaves_the_qdpx_replaced(store, tmp_path):
    """Teams and Zoom exports label turns with the speakers' names: the mapping of labels
    to persons that the .qdpx carries must not bring the name back."""
    from qualcode.leakcheck import check_file
    from qualcode.services import ingest
    from qualcode.services.pseudonyms import import_key, project_key
    from qualcode.services.refi import write_qdpx

    (tmp_path / "attributes.yaml").write_text(
        "sites:\n  nordvik_u: {navn: Nordvik ungdomsskole}\n"
        "persons:\n  nordvik_rektor: {site: nordvik_u, rolle: rektor}\n", encoding="utf-8")
    ingest.import_attributes(store, [tmp_path / "attributes.yaml"])
    (tmp_path / "intervju.txt").write_text(
        "Intervjuer: Hvordan jobber dere?\nKari Nordmann: Vi har en plan.\n"
        "Intervjuer: Takk.\nKari Nordmann: Bare hyggelig.\n", encoding="utf-8")
    (tmp_path / "intervju.yaml").write_text(
        "site: nordvik_u\nspeakers:\n  Kari Nordmann: nordvik_rektor\n", encoding="utf-8")
    ingest.import_transcripts(store, [tmp_path / "intervju.txt"])
    (tmp_path / "key.yaml").write_text(
        "pseudonyms:\n  - original: Kari Nordmann\n    replacement: Rektor A\n"
        "    kind: person\n", encoding="utf-8")
    import_key(store, tmp_path / "key.yaml")
    out = tmp_path / "studie.qdpx"
    write_qdpx(store, out, key=project_key(store))
    assert check_file(out, project_key(store)) == []
    with zipfile.ZipFile(out) as archive:
        assert "qualcode speaker: Rektor A = nordvik_rektor" in archive.read(
            "project.qde").decode("utf-8")


def test_kwic_words_and_query_apply_the_key_unless_identifiable(example, cli):
    from qualcode.services.pseudonyms import import_key

    import_key(example, EXAMPLE / "pseudonyms.yaml")
    code, out, err = cli("kwic", "Eva", "-f", "json", project=example.path)
    assert code == 0, err
    hits = json.loads(out)
    assert hits and all("Eva" not in json.dumps(h, ensure_ascii=False) for h in hits)
    code, out, _ = cli("kwic", "Eva", "-f", "json", "--identifiable", project=example.path)
    assert "Eva" in out
    code, out, _ = cli("words", "-f", "json", "--min-count", "1", "--top", "5000",
                       project=example.path)
    assert code == 0 and '"Nordfisk"' not in out and '"nordfisk"' not in out.lower()
    code, out, _ = cli("query", "LED", "-f", "json", project=example.path)
    assert code == 0 and "Eva" not in out and "Vestbø" not in out


def test_irreversible_apply_keeps_every_timestamp_before_its_words(store, cli, tmp_path):
    """A timestamp inside an answer, after names that the key makes longer or shorter,
    still times the same words once the names are replaced in the project itself."""
    from qualcode.services import ingest, media

    (tmp_path / "radgiver.txt").write_text(
        "Intervjuer: [00:00:05] Hvordan jobber dere på Nordvik?\n"
        "Rådgiver: [00:00:09] Eva lager årshjulet, Eva og Tor. [00:00:20] Hun snakker med "
        "rektor på Nordvik først, og [00:00:41] så med lærerne.\n", encoding="utf-8")
    ingest.import_transcripts(store, [tmp_path / "radgiver.txt"])
    before = _rows(store, 'SELECT "offset", seconds FROM sync_point ORDER BY "offset"')
    assert [seconds for _, seconds in before] == [20.0, 41.0]
    cli("pseudonyms", "import", str(EXAMPLE_KEY), project=store.path)
    code, _, err = cli("pseudonyms", "apply", "--irreversible", "--yes", project=store.path)
    assert code == 0, err
    (text,) = _rows(store, "SELECT text FROM transcript")[0]
    after = _rows(store, 'SELECT "offset", seconds FROM sync_point ORDER BY "offset"')
    assert [seconds for _, seconds in after] == [20.0, 41.0]
    assert text[after[0][0]:].startswith("[00:00:20] Hun snakker med rektor på UN")
    assert text[after[1][0]:].startswith("[00:00:41] så med")
    turn_start = text.index("Rådgiver A lager")
    times = media.times_of(store, [(1, turn_start), (1, after[1][0])])
    assert times == {(1, turn_start): 9.0, (1, after[1][0]): 41.0}
