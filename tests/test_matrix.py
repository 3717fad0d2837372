"""Theme matrices on a hand-built study where every cell is known.

The study: two schools (su: ungdomsskole, nv: videregående), four informants, three
transcripts. Turn numbers below are as `qualcode show` numbers them.

fg (fokusgruppe, su)          nv_rektor (individuelt, nv)     nv_radgiver (individuelt, nv)
 1 Intervjuer                  1 Intervjuer                    1 Intervjuer
 2 Rektor   (4 words)          2 Rektor (3 words)              2 Rådgiver (6 words)
 3 Lærer    (5 words)          3 Intervjuer                    3 Elev, no person (2 words)
 4 Intervjuer                  4 Rektor (5 words)
 5 Rektor   (6 words)

Codings (coder: span → code):
 anna  fg 2-3 → A.x and A.y (a focus-group span over a rektor and a lærer turn, parallel
       codes, two children of A on the same span)
 anna  fg 5 → B;  bjorn fg 4-5 → B (two coders' overlapping spans)
 anna  nv_rektor 1-2 → A.x (a span over an interviewer turn and a rektor turn)
 anna  nv_rektor 3 → A.y (an interviewer-only span)
 anna  nv_rektor 4 → B;  anna nv_rektor "Det er viktig" (part of turn 4) → Z
 bjorn nv_radgiver 2-3 → A.x (a rådgiver turn and an unmapped pupil's turn)
 anna  nv_radgiver 2 → B as a *suggestion* (never counts)
 konsensus fg 2-3 → A.x (origin consensus)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from qualcode.domain import norwegian as no
from qualcode.domain.errors import NotFoundError, QualcodeError
from qualcode.services import coding_ops, codings, ingest
from qualcode.services import matrix as mx
from qualcode.services.codebooks import load_into_project
from qualcode.services.project import init_project
from qualcode.services.queries import transcript_turns
from tests.conftest import write

CODEBOOK = """codebook: test
version: 2
title: Testkodebok
codes:
  - id: A
    label: Område A
    family: fam
    criterion: Kriteriet for område A.
    description: Alt om A.
    children:
      - id: A.x
        label: Kode Ax
        description: Første underkode.
      - id: A.y
        label: Kode Ay
        description: Andre underkode.
  - id: B
    label: Område B
    family: fam
    description: Alt om B.
  - id: Z
    label: Annet
    family: annet
    description: Noe annet.
"""
SHEET = """sites:
  su: {navn: Sør ungdomsskole, skoleslag: ungdomsskole, landsdel: sør}
  nv: {navn: Nord videregående skole, skoleslag: videregaende, landsdel: nord}
persons:
  su_rektor: {site: su, rolle: rektor}
  su_laerer: {site: su, rolle: laerer}
  nv_rektor: {site: nv, rolle: rektor}
  nv_radgiver: {site: nv, rolle: radgiver, stilling: 50}
"""
FG = """---
site: su
format: fokusgruppe
speakers: {Rektor: su_rektor, Lærer: su_laerer}
---
Intervjuer: Hva tenker dere om ledelse?
Rektor: Vi leder godt her.
Lærer: Det er jeg enig i.
Intervjuer: Og ressursene?
Rektor: De er knappe hos oss nå.
"""
NV_REKTOR = """---
site: nv
format: individuelt
speakers: {Rektor: nv_rektor}
---
Intervjuer: Fortell.
Rektor: Rådgiveren leder tjenesten.
Intervjuer: Og nettverket?
Rektor: Det er viktig for oss.
"""
NV_RADGIVER = """---
site: nv
format: individuelt
speakers: {Rådgiver: nv_radgiver}
---
Intervjuer: Hva gjør du?
Rådgiver: Jeg har samtaler med alle elevene.
Elev: Det stemmer.
"""
CODINGS = """transcript,turns,start,end,code,coder,memo
fg,2-3,,,A.x,anna,
fg,2-3,,,A.y,anna,
fg,5,,,B,anna,
fg,4-5,,,B,bjorn,
nv_rektor,1-2,,,A.x,anna,
nv_rektor,3,,,A.y,anna,
nv_rektor,4,,,B,anna,
nv_radgiver,2-3,,,A.x,bjorn,
"""


def _turn(store, transcript: str, index: int) -> dict:
    return transcript_turns(store, transcript)["turns"][index - 1]


def build_study(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    store = init_project(folder / "study.db")
    load_into_project(store, write(folder / "codebook.yaml", CODEBOOK))
    ingest.import_attributes(store, [write(folder / "attributes.yaml", SHEET)])
    texts = folder / "transcripts"
    texts.mkdir()
    write(texts / "fg.txt", FG)
    write(texts / "nv_rektor.txt", NV_REKTOR)
    write(texts / "nv_radgiver.txt", NV_RADGIVER)
    ingest.import_transcripts(store, [texts])
    codings.import_codings(store, [write(folder / "codings.csv", CODINGS)])
    turn4 = _turn(store, "nv_rektor", 4)
    assert turn4["text"] == "Det er viktig for oss."
    coding_ops.add_coding(store, "nv_rektor", "Z", "anna", turn4["start"],
                          turn4["start"] + len("Det er viktig"))
    radgiver = _turn(store, "nv_radgiver", 2)
    coding_ops.add_coding(store, "nv_radgiver", "B", "anna", radgiver["start"],
                          radgiver["end"], origin="suggested")
    fg2, fg3 = _turn(store, "fg", 2), _turn(store, "fg", 3)
    coding_ops.add_coding(store, "fg", "A.x", "konsensus", fg2["start"], fg3["end"],
                          origin="consensus")
    return store


@pytest.fixture
def study(tmp_path):
    store = build_study(tmp_path / "study")
    yield store
    store.close()


def _cells(m: mx.Matrix, code: str, measure: str = "references") -> dict:
    row = next(r for r in m.rows if r.code == code)
    out = {"/".join(str(v) for v in key): getattr(cell, measure)
           for key, cell in zip(m.columns, row.cells, strict=True)}
    out["total"] = getattr(row.total, measure)
    return out


def test_columns_are_the_roles_that_speak_interviewers_excluded(study):
    m = mx.build_matrix(study, rows=["fam"], columns=["rolle"])
    assert m.columns == [("rektor",), ("radgiver",), ("laerer",), ("elev",)]
    assert m.column_words == [4 + 6 + 3 + 5, 6, 5, 2]
    assert m.column_informants == [2, 1, 1, 0]
    assert [r.code for r in m.rows] == ["A", "A.x", "A.y", "B"]
    assert "konsensus" not in m.layer and m.layer == "union of anna, bjorn"


def test_focus_group_span_counts_once_per_role_and_once_in_the_total(study):
    m = mx.build_matrix(study, rows=["fam"], columns=["rolle"])
    # A.x: fg 2-3 (rektor + lærer), nv_rektor 1-2 (rektor), nv_radgiver 2-3 (rådgiver + elev)
    assert _cells(m, "A.x") == {"rektor": 2, "radgiver": 1, "laerer": 1, "elev": 1, "total": 3}
    assert sum(c.references for c in m.rows[1].cells) == 5  # columns exceed the total
    assert _cells(m, "A.x", "informants") == {"rektor": 2, "radgiver": 1, "laerer": 1,
                                              "elev": 0, "total": 4}
    assert _cells(m, "A.x", "transcripts") == {"rektor": 2, "radgiver": 1, "laerer": 1,
                                               "elev": 1, "total": 3}
    assert _cells(m, "A.x", "sites") == {"rektor": 2, "radgiver": 1, "laerer": 1,
                                         "elev": 1, "total": 2}


def test_words_and_coverage_use_only_the_column_speakers_turns(study):
    m = mx.build_matrix(study, rows=["fam"], columns=["rolle"])
    # rektor: "Vi leder godt her." (4) + "Rådgiveren leder tjenesten." (3); interviewer: none
    assert _cells(m, "A.x", "words") == {"rektor": 7, "radgiver": 6, "laerer": 5, "elev": 2,
                                         "total": 20}
    assert _cells(m, "A.x", "coverage")["rektor"] == round(100 * 7 / 18, 2)
    assert _cells(m, "A.x", "coverage")["total"] == round(100 * 20 / 31, 2)


def test_part_of_a_turn_counts_the_words_inside_the_span(study):
    m = mx.build_matrix(study, rows=["Z"], columns=["rolle"])
    assert _cells(m, "Z") == {"rektor": 1, "radgiver": 0, "laerer": 0, "elev": 0, "total": 1}
    assert _cells(m, "Z", "words")["rektor"] == 3  # "Det er viktig"


def test_parent_row_unites_children_coding_the_same_span(study):
    m = mx.build_matrix(study, rows=["fam"], columns=["rolle"])
    # fg 2-3 carries A.x and A.y: once in A. nv_rektor 1-2 and 3 do not overlap: two spans,
    # the interviewer-only one in no column.
    assert _cells(m, "A") == {"rektor": 2, "radgiver": 1, "laerer": 1, "elev": 1, "total": 3}
    row_a = m.rows[0]
    assert row_a.all_references == 4
    assert _cells(m, "A.y") == {"rektor": 1, "radgiver": 0, "laerer": 1, "elev": 0,
                                "total": 1}
    assert m.rows[2].all_references == 2


def test_union_of_two_coders_overlapping_spans_counts_once(study):
    union = mx.build_matrix(study, rows=["B"], columns=["rolle"])
    anna = mx.build_matrix(study, rows=["B"], columns=["rolle"], layer=mx.Layer.coder("anna"))
    bjorn = mx.build_matrix(study, rows=["B"], columns=["rolle"],
                            layer=mx.Layer.coder("bjorn"))
    assert _cells(union, "B")["rektor"] == 2  # fg (anna 5 ∪ bjorn 4-5) and nv_rektor 4
    assert union.rows[0].all_references == 2
    assert _cells(anna, "B")["rektor"] == 2
    assert _cells(bjorn, "B")["rektor"] == 1
    assert _cells(union, "B", "words")["rektor"] == 6 + 5
    assert bjorn.layer == "coder bjorn"


def test_suggestions_never_count(study):
    m = mx.build_matrix(study, rows=["B"], columns=["rolle"])
    assert _cells(m, "B")["radgiver"] == 0  # only a suggestion of B in nv_radgiver
    anna = mx.build_matrix(study, rows=["B"], columns=["person"],
                           layer=mx.Layer.coder("anna"))
    assert _cells(anna, "B").get("nv_radgiver") == 0


def test_consensus_layer_is_separate(study):
    m = mx.build_matrix(study, rows=["fam"], columns=["rolle"], layer=mx.Layer.consensus())
    assert _cells(m, "A.x") == {"rektor": 1, "radgiver": 0, "laerer": 1, "elev": 0, "total": 1}
    assert _cells(m, "B")["total"] == 0
    assert m.layer == "consensus layer"


def test_totals_row_unites_every_rows_codes(study):
    m = mx.build_matrix(study, rows=["fam"], columns=["rolle"])
    total = {"/".join(k): c.references for k, c in zip(m.columns, m.total_row.cells,
                                                        strict=True)}
    # fg: [2-3] and [4-5]; nv_rektor: [1-2], [3] (interviewer only), [4]; nv_radgiver: [2-3]
    assert total == {"rektor": 4, "radgiver": 1, "laerer": 1, "elev": 1}
    assert m.total_row.total.references == 5
    assert m.total_row.all_references == 6
    assert m.total_row.total.informants == 4


def test_nested_columns_role_by_school_type(study):
    m = mx.build_matrix(study, rows=["A.x"], columns=["rolle", "skoleslag"])
    assert m.columns == [("rektor", "ungdomsskole"), ("rektor", "videregaende"),
                         ("radgiver", "videregaende"), ("laerer", "ungdomsskole"),
                         ("elev", "videregaende")]
    assert [c.references for c in m.rows[0].cells] == [1, 1, 1, 1, 1]
    assert m.column_label(1) == "rektor / videregående skole"
    assert m.column_sites == [1, 1, 1, 1, 1]


def test_other_dimensions(study):
    by_format = mx.build_matrix(study, rows=["A.x"], columns=["format"])
    assert _cells(by_format, "A.x") == {"fokusgruppe": 1, "individuelt": 2, "total": 3}
    by_site = mx.build_matrix(study, rows=["A.x"], columns=["site"])
    assert _cells(by_site, "A.x") == {"nv": 2, "su": 1, "total": 3}
    by_person = mx.build_matrix(study, rows=["A.x"], columns=["person"])
    assert _cells(by_person, "A.x") == {"nv_radgiver": 1, "nv_rektor": 1, "su_laerer": 1,
                                        "su_rektor": 1, "None": 1, "total": 3}
    by_landsdel = mx.build_matrix(study, rows=["A.x"], columns=["landsdel"])
    assert _cells(by_landsdel, "A.x") == {"nord": 2, "sør": 1, "total": 3}
    by_number = mx.build_matrix(study, rows=["A.x"], columns=["stilling"])
    assert by_number.columns == [(50,), (None,)]
    assert _cells(by_number, "A.x") == {"50": 1, "None": 3, "total": 3}
    by_transcript = mx.build_matrix(study, rows=["A.x"], columns=["transcript"])
    assert _cells(by_transcript, "A.x") == {"fg": 1, "nv_radgiver": 1, "nv_rektor": 1,
                                            "total": 3}
    explicit = mx.build_matrix(study, rows=["A.x"], columns=["site:skoleslag"])
    assert _cells(explicit, "A.x") == {"ungdomsskole": 1, "videregaende": 2, "total": 3}
    alone = mx.build_matrix(study, rows=["A.x"], columns=[])
    assert alone.columns == [()]
    assert _cells(alone, "A.x") == {"": 3, "total": 3}


def test_unknown_attribute_lists_the_available_ones(study):
    with pytest.raises(NotFoundError) as error:
        mx.build_matrix(study, rows=["A"], columns=["farge"])
    message = str(error.value)
    assert "no attribute 'farge'" in message
    assert "skoleslag" in message and "stilling" in message and "format" in message
    assert "\n" not in message
    with pytest.raises(QualcodeError, match="at most two"):
        mx.build_matrix(study, columns=["rolle", "skoleslag", "format"])


def test_row_selection(study):
    with study.snapshot() as db:
        codes = mx.load_codes(db)
    assert [r.code for r in mx.select_rows(codes, ["depth:0"])] == ["A", "B", "Z"]
    assert [r.code for r in mx.select_rows(codes, ["fam"], depth=0)] == ["A", "B"]
    assert [r.code for r in mx.select_rows(codes, ["A"])] == ["A", "A.x", "A.y"]
    assert [r.code for r in mx.select_rows(codes, ["A.y,Z"])] == ["A.y", "Z"]
    assert len(mx.select_rows(codes, ["all"])) == 5
    with pytest.raises(NotFoundError, match="did you mean 'fam'"):
        mx.select_rows(codes, ["fan"])
    with pytest.raises(NotFoundError, match="no coder named 'carl'"):
        mx.build_matrix(study, layer=mx.Layer.coder("carl"))


def test_quotes_show_only_the_column_speakers_words_with_provenance(study):
    m = mx.build_matrix(study, rows=["A.x"], columns=["rolle"], quotes=2)
    rektor, radgiver, laerer, elev = m.rows[0].cells
    assert [q["text"] for q in rektor.quotes] == ["Rådgiveren leder tjenesten.",
                                                  "Vi leder godt her."]  # longest first
    first = rektor.quotes[0]
    assert first["transcript"] == "nv_rektor" and first["turns"] == [2]
    assert first["attribution"] == "En rektor i videregående skole"
    assert rektor.quotes[1]["attribution"] == "En rektor på en ungdomsskole"
    assert [q["text"] for q in laerer.quotes] == ["Det er jeg enig i."]
    assert laerer.quotes[0]["turns"] == [3] and laerer.quotes[0]["speakers"] == ["Lærer"]
    assert radgiver.quotes[0]["attribution"] == "En rådgiver i videregående skole"
    assert elev.quotes[0]["text"] == "Det stemmer." and elev.quotes[0]["persons"] == []
    ordered = mx.build_matrix(study, rows=["A.x"], columns=["rolle"], quotes=1,
                              quote_order="order")
    assert ordered.rows[0].cells[0].quotes[0]["transcript"] == "fg"
    total = {q["transcript"]: q for q in m.rows[0].total.quotes}  # every informant
    assert set(total) == {"fg", "nv_radgiver"}  # the two longest: both have two speakers
    assert total["fg"]["text"] == "Rektor: Vi leder godt her.\nLærer: Det er jeg enig i."
    assert total["fg"]["attribution"] == "En rektor og en lærer på en ungdomsskole"
    assert total["nv_radgiver"]["attribution"] == \
        "En rådgiver og en elev i videregående skole"


def test_display_forms_and_frequency_words():
    assert no.attribution("radgiver", "videregaende") == "En rådgiver i videregående skole"
    assert no.attribution("rektor", "ungdomsskole") == "En rektor på en ungdomsskole"
    assert no.attribution("laerer", "ungdomsskole", 2) == "To lærere på en ungdomsskole"
    assert no.attribution(None, None) == "En informant"
    assert no.attribution_of([("rektor", 1), ("laerer", 2)], "ungdomsskole") == \
        "En rektor og to lærere på en ungdomsskole"
    assert no.frequency_phrase(8, 8, "rektor") == "samtlige rektorer"
    assert no.frequency_phrase(2, 2, "ungdomsskole") == "begge ungdomsskolene"
    assert no.frequency_phrase(3, 4, "radgiver") == "de fleste av rådgiverne"
    assert no.frequency_phrase(2, 4, "laerer") == "halvparten av lærerne"
    assert no.frequency_phrase(2, 8, "laerer") == "enkelte av lærerne"
    assert no.frequency_phrase(1, 4, "videregaende") == "én av de videregående skolene"
    assert no.frequency_phrase(0, 3, "elev") == "ingen av elevene"
    assert no.frequency_phrase(1, 1, "ungdomsskole") == "ungdomsskolen"
    assert no.join_nb(["a", "b", "c"]) == "a, b og c"
    assert mx.shorten("en to tre fire fem", 9) == "en to […]"
    long = "a" * 60 + " slutt.\nDet er mer"
    assert mx.shorten(long, len(long) - 2) == "a" * 60 + " slutt […]"


def test_frequencies_per_coder_and_union(study):
    rows = mx.frequencies(study, rows=["all"])
    got = {(r["code"], r["layer"]): (r["references"], r["informants"], r["transcripts"])
           for r in rows}
    assert got[("A.x", "anna")] == (2, 3, 2)
    assert got[("A.x", "bjorn")] == (1, 1, 1)
    assert got[("A.x", "union")] == (3, 4, 3)
    assert got[("A.y", "anna")] == (2, 2, 1)  # the interviewer-only span is a reference
    assert got[("B", "union")] == (2, 2, 2)
    assert {r["layer"] for r in rows} == {"anna", "bjorn", "union"}


def test_frequencies_without_words_count_the_same(study):
    # The terminal's table shows no words, so it skips counting them (a span that cuts a
    # turn reads the transcript's text for that); every other count stays.
    with_words = mx.frequencies(study, rows=["all"])
    without = mx.frequencies(study, rows=["all"], words=False)
    assert [{k: v for k, v in r.items() if k != "words"} for r in with_words] == \
        [{k: v for k, v in r.items() if k != "words"} for r in without]
    assert all(r["words"] is None for r in without)
    assert any(r["words"] for r in with_words)


def test_counts_are_the_same_on_a_project_too_large_for_the_flag_table(study, monkeypatch):
    # Distinct informants, transcripts and sites are counted with a table of flags on
    # projects of ordinary size and by sorting beyond it: a national study must get the
    # numbers a small one gets.
    small = mx.matrix_json(mx.build_matrix(study, rows=["all"], columns=("rolle", "site")))
    freq = mx.frequencies(study, rows=["all"])
    monkeypatch.setattr(mx, "_FLAG_TABLE_MAX", 0)
    assert mx.matrix_json(mx.build_matrix(study, rows=["all"],
                                          columns=("rolle", "site"))) == small
    assert mx.frequencies(study, rows=["all"]) == freq
    assert any(r["informants"] > 1 for r in freq)


def test_presence_persons_by_codes(study):
    headers, records = mx.presence(study, rows=["all"])
    assert headers[:3] == ["person", "site", "rolle"]
    assert headers[-5:] == ["A", "A.x", "A.y", "B", "Z"]
    table = {r["person"]: [r[c] for c in ("A", "A.x", "A.y", "B", "Z")] for r in records}
    assert table == {
        "nv_radgiver": [1, 1, 0, 0, 0],  # B only as a suggestion
        "nv_rektor": [1, 1, 0, 1, 1],  # A.y only in an interviewer turn
        "su_laerer": [1, 1, 1, 0, 0],
        "su_rektor": [1, 1, 1, 1, 0],
    }
    nv = next(r for r in records if r["person"] == "nv_radgiver")
    assert nv["skoleslag"] == "videregaende" and nv["stilling"] == 50


def test_cooccurrence_by_span_and_by_turn(study):
    by_span = mx.cooccurrence(study, rows=["B,Z"])
    assert by_span.size == [2, 1]
    assert by_span.count == {(0, 1): 1}
    b_chars = (_turn(study, "fg", 5)["end"] - _turn(study, "fg", 4)["start"]
               + len("Det er viktig for oss."))
    assert by_span.jaccard[(0, 1)] == round(len("Det er viktig") / b_chars, 4)
    by_turn = mx.cooccurrence(study, rows=["B,Z"], unit="turn")
    assert by_turn.size == [2, 1]  # fg 5 and nv_rektor 4; the interviewer turn is not counted
    assert by_turn.jaccard[(0, 1)] == 0.5
    family = mx.cooccurrence(study, rows=["A"])
    assert (0, 1) in family.related  # A and A.x: not compared
    assert family.count.get((1, 2)) == 1  # A.x and A.y on fg 2-3
    def span(t, a, b):
        return _turn(study, t, b)["end"] - _turn(study, t, a)["start"]

    shared = span("fg", 2, 3)
    x = shared + span("nv_rektor", 1, 2) + span("nv_radgiver", 2, 3)
    y = shared + span("nv_rektor", 3, 3)
    assert family.pairs()[0] == {"code_a": "A.x", "code_b": "A.y", "count": 1,
                                 "jaccard": round(shared / (x + y - shared), 4),
                                 "n_a": 3, "n_b": 2}


def test_summaries_are_framework_cells(study):
    key = mx.set_summary(study, "A", site="su", text="Rektor og lærer er enige om ledelsen.")
    assert key == "A|site|su"
    m = mx.build_matrix(study, rows=["A"], columns=["site"], summaries=True)
    assert _cells(m, "A", "summary") == {"nv": None, "su": "Rektor og lærer er enige om "
                                         "ledelsen.", "total": None}
    mx.set_summary(study, "A", site="su", text="Endret.")
    assert [s["text"] for s in mx.list_summaries(study)] == ["Endret."]
    mx.set_summary(study, "A.x", person="nv_rektor", text="Rådgiveren leder.")
    by_person = mx.build_matrix(study, rows=["A.x"], columns=["person"], summaries=True)
    assert _cells(by_person, "A.x", "summary")["nv_rektor"] == "Rådgiveren leder."
    mx.set_summary(study, "A", site="su", text="  ")
    assert [s["code"] for s in mx.list_summaries(study)] == ["A.x"]
    with pytest.raises(NotFoundError, match="no site 'xx'"):
        mx.set_summary(study, "A", site="xx", text="t")
    with pytest.raises(NotFoundError, match="no code 'Q'"):
        mx.set_summary(study, "Q", site="su", text="t")
    with pytest.raises(QualcodeError, match="one site or one person"):
        mx.set_summary(study, "A", site="su", person="nv_rektor", text="t")


def test_matrix_output_shapes(study):
    m = mx.build_matrix(study, rows=["fam"], columns=["rolle", "skoleslag"])
    headers, records = mx.wide_records(m, "references")
    assert headers[:3] == ["code", "label", "depth"] and headers[-1] == "total"
    assert headers[3] == "rektor|ungdomsskole"
    assert records[-1]["code"] == "*" and records[-1]["total"] == 5
    assert all(isinstance(r[h], int) for r in records for h in headers[3:])
    data = json.loads(json.dumps(mx.matrix_json(m), default=str))
    assert data["columns"][0]["values"] == ["rektor", "ungdomsskole"]
    assert data["rows"][1]["cells"][0]["references"] == 1
    assert "Interviewers are not informants" in data["counting_rules"]
    md = mx.markdown_table(m, "coverage")
    assert md.splitlines()[0].startswith("| code | label | rektor / ungdomsskole")
    assert "**total**" in md


def test_counting_rules_are_in_the_docstring():
    assert mx.COUNTING_RULES.startswith("1. **Coder layer.**")
    assert "7. **Quotes.**" in mx.COUNTING_RULES


# --- the command line -------------------------------------------------------------------

def _app():
    from qualcode.cli import _Group, analysis

    app = typer.Typer(cls=_Group)

    @app.callback()
    def root(ctx: typer.Context,
             project: Path = typer.Option(..., "--project", help="Project file.")) -> None:
        ctx.obj = {"project": project}

    analysis.register(app)
    return app


def _run(store, *args):
    result = CliRunner().invoke(_app(), ["--project", str(store.path), *args],
                                env={"COLUMNS": "160"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_cli_matrix_formats(study, tmp_path):
    code, out, err = _run(study, "matrix", "--rows", "fam", "--cols", "rolle", "-f", "csv")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "code,label,depth,rektor,radgiver,laerer,elev,total"
    assert lines[2] == "A.x,Kode Ax,1,2,1,1,1,3"
    code, out, err = _run(study, "matrix", "--rows", "A.x", "--cols", "rolle", "--cell",
                          "references", "--cell", "words", "-f", "csv", "--coder", "anna")
    assert out.splitlines()[1:] == ["references,A.x,Kode Ax,1,2,0,1,0,2",
                                    "references,*,any of these codes,0,2,0,1,0,2",
                                    "words,A.x,Kode Ax,1,7,0,5,0,12",
                                    "words,*,any of these codes,0,7,0,5,0,12"]
    code, out, err = _run(study, "matrix", "--rows", "fam", "-f", "json", "--consensus")
    data = json.loads(out)
    assert data["layer"] == "consensus layer"
    code, out, err = _run(study, "matrix", "--rows", "A", "--cols", "rolle", "--cols",
                          "skoleslag")
    assert code == 0 and "rektor" in out and "videregående skole" in out
    code, out, err = _run(study, "matrix", "--rows", "A.x", "--cell", "quotes", "--top", "1")
    assert code == 0 and "Rådgiveren leder" in out and "(nv_rektor, turn 2)" in out
    target = tmp_path / "m.xlsx"
    code, out, err = _run(study, "matrix", "--rows", "fam", "-f", "xlsx", "-o", str(target))
    assert code == 0 and target.exists()


def test_cli_errors_are_one_line(study):
    code, out, err = _run(study, "matrix", "--cols", "farge")
    assert code == 1
    assert err.startswith("error: no attribute 'farge'") and err.count("\n") == 1
    # Usage errors are one line with exit status 1 too, pointing at the command's --help.
    code, out, err = _run(study, "matrix", "--coder", "anna", "--consensus")
    assert code == 1 and err.startswith("error: ") and err.count("\n") == 1
    assert "qualcode matrix --help" in err
    code, out, err = _run(study, "matrix", "--cell", "colour")
    assert code == 1 and err.startswith("error: ") and err.count("\n") == 1


def test_cli_cooccur_frequencies_summary_presence(study, tmp_path):
    code, out, err = _run(study, "cooccur", "--rows", "B,Z", "--pairs", "-f", "csv")
    assert code == 0, err
    assert out.splitlines()[1].startswith("B,Z,1,")
    code, out, err = _run(study, "cooccur", "--rows", "A")
    assert code == 0 and "A.x" in out
    code, out, err = _run(study, "frequencies", "-f", "json")
    rows = json.loads(out)
    assert {"code": "A.x", "layer": "union", "references": 3} .items() <= \
        next(r for r in rows if r["code"] == "A.x" and r["layer"] == "union").items()
    code, out, err = _run(study, "frequencies")
    assert code == 0 and "anna" in out
    code, out, err = _run(study, "summary", "set", "A", "Felles syn.", "--site", "su")
    assert code == 0, err
    code, out, err = _run(study, "summary", "list", "-f", "csv")
    assert "A,site,su,Felles syn." in out
    target = tmp_path / "presence.csv"
    code, out, err = _run(study, "export", "presence", str(target))
    assert code == 0, err
    assert target.read_text(encoding="utf-8").splitlines()[0].startswith("person,site,rolle")


def test_every_analysis_command_is_documented():
    from typer.main import get_command

    stack = [((), get_command(_app()))]
    seen = set()
    while stack:
        path, cmd = stack.pop()
        subs = getattr(cmd, "commands", None)
        if subs:
            stack.extend(((*path, name), sub) for name, sub in subs.items())
            continue
        seen.add(" ".join(path))
        assert (cmd.help or "").strip(), f"{' '.join(path)} has no help text"
        for param in cmd.params:
            if param.name != "ctx" and hasattr(param, "help"):
                assert param.help, f"{' '.join(path)} {param.name} has no help"
    # other modules may attach commands to the export group (export agreement)
    assert {"matrix", "cooccur", "frequencies", "summary set", "summary list",
            "export matrix", "export report", "export presence"} <= seen
