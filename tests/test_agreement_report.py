"""Agreement over a project (`qualcode agreement`, `qualcode export agreement`).

Hand-built projects whose coefficients can be worked out on paper (the arithmetic is in the
comments), cross-checks of the count forms against the verified functions of
:mod:`qualcode.agreement` on expanded ratings matrices, and the report files."""

from __future__ import annotations

import json
import random
import zipfile
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from qualcode import agreement as stats
from qualcode.domain.errors import NotFoundError, QualcodeError
from qualcode.services import agreement_report as ar
from qualcode.services.codebooks import load_into_project
from qualcode.services.codings import import_codings
from qualcode.services.ingest import import_transcripts
from qualcode.services.project import init_project

CODEBOOK = """\
codebook: test
version: 1
title: Testkodebok
codes:
  - id: A
    label: Kode A
    description: a
  - id: B
    label: Kode B
    description: b
  - id: G
    label: Gruppe
    description: g
    exclusive: true
    children:
      - id: G.x
        label: x
        description: x
      - id: G.y
        label: y
        description: y
"""

# 100 characters: "Intervjuer: Hei.\n" (17) + "Rektor: " (8) + 75 characters of answer.
TEXT_100 = "Intervjuer: Hei.\nRektor: " + ("bla " * 19)[:75]

TURNS_TEXT = ("Intervjuer: Første spørsmål?\n"
              "Rektor: Ja, det stemmer. Vi har mange elever. Det er travelt.\n"
              "Intervjuer: Andre spørsmål?\n"
              "Rektor: Svar fire. Svar fem.\n")


def make_project(tmp_path: Path, texts: dict[str, str], codings: list[tuple]):
    """A project with the test codebook, ``texts`` as transcripts and ``codings`` as
    (transcript, code, coder, start, end) rows of one imported coding file (so one coder's
    overlapping spans stay separate codings)."""
    store = init_project(tmp_path / "p.db")
    book = tmp_path / "codebook.yaml"
    book.write_text(CODEBOOK, encoding="utf-8")
    load_into_project(store, book)
    folder = tmp_path / "transcripts"
    folder.mkdir()
    for name, text in texts.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    import_transcripts(store, [folder])
    if codings:
        sheet = tmp_path / "codings.csv"
        lines = ["transcript,turns,start,end,code,coder,memo"]
        lines += [f"{t},,{s},{e},{code},{coder}," for t, code, coder, s, e in codings]
        sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
        import_codings(store, [sheet])
    return store


def text_length(store, name: str) -> int:
    from sqlmodel import select

    from qualcode.store.models import Transcript

    with store.read() as session:
        return len(session.exec(select(Transcript.text).where(Transcript.name == name)).one())


def row_of(result: dict, code: str) -> dict:
    return next(r for r in result["codes"] if r["code"] == code)


def hist_cov(rows: list[list[int]]):
    m = len(rows[0])
    hist = [0] * (m + 1)
    for row in rows:
        hist[sum(row)] += 1
    return hist, [sum(r[i] for r in rows) for i in range(m)]


@pytest.fixture
def hand(tmp_path):
    """One transcript of 100 characters; code A: anna [0, 40), bjorn [20, 60)."""
    store = make_project(tmp_path, {"t1": TEXT_100},
                         [("t1", "A", "anna", 0, 40), ("t1", "A", "bjorn", 20, 60)])
    assert text_length(store, "t1") == 100
    yield store
    store.close()


def test_character_kappa_alpha_and_ac1_by_hand(hand):
    result = ar.agreement(hand, bootstrap=0)
    row = row_of(result, "A")
    # 2 x 2 table of characters: both [20, 40) = 20, anna only [0, 20) = 20,
    # bjorn only [40, 60) = 20, neither [60, 100) = 40.
    assert (row["coded_by_all"], row["coded_by_some"], row["coded_by_none"]) == (20, 40, 40)
    assert row["coded"] == {"anna": 40, "bjorn": 40}
    assert row["prevalence"] == {"anna": 0.4, "bjorn": 0.4}
    # p_o = (20 + 40) / 100 = 0.6; p_e = (40*40 + 60*60) / 100^2 = 0.52;
    # Cohen's kappa = (0.6 - 0.52) / (1 - 0.52) = 1/6.
    assert row["percent_agreement"] == pytest.approx(60.0)
    assert row["kappa"] == pytest.approx(1 / 6)
    assert row["kappa_kind"] == "cohen"
    # Krippendorff: n = 200 values, n_coded = 80, n_uncoded = 120; the 40 disagreeing
    # characters give 2 * 40 = 80 off-diagonal coincidences;
    # alpha = 1 - (n - 1) * 80 / (2 * 120 * 80) = 1 - 199/240 = 41/240.
    assert row["alpha"] == pytest.approx(41 / 240)
    # AC1: pi = 80/200 = 0.4, p_e = 2 * 0.4 * 0.6 = 0.48; (0.6 - 0.48) / 0.52 = 3/13.
    assert row["ac1"] == pytest.approx(3 / 13)
    # |u-alpha is qualcode.agreement.u_alpha_binary on the same spans.
    assert row["u_alpha"] == pytest.approx(
        stats.u_alpha_binary(100, {"anna": [(0, 40)], "bjorn": [(20, 60)]}))
    # Bands: kappa 0.167 is "slight" (Landis & Koch), alpha 0.171 "unreliable".
    assert (row["kappa_band"], row["alpha_band"]) == ("slight", "unreliable")
    assert row["band"] == "unreliable" and row["band_source"] == ar.KRIPPENDORFF
    # NVivo's 2 x 2 table from the verified function gives the same kappa.
    assert row["kappa"] == pytest.approx(stats.char_agreement(100, [(0, 40)], [(20, 60)]).kappa)


def test_overlapping_spans_of_one_coder_are_merged_not_double_counted(tmp_path):
    # anna codes A three times: [0, 40), [10, 30) inside it and [35, 50) overlapping it.
    # Merged: [0, 50) = 50 characters, not 40 + 20 + 15 = 75.
    store = make_project(tmp_path, {"t1": TEXT_100},
                         [("t1", "A", "anna", 0, 40), ("t1", "A", "anna", 10, 30),
                          ("t1", "A", "anna", 35, 50), ("t1", "A", "bjorn", 0, 50)])
    row = row_of(ar.agreement(store, bootstrap=0), "A")
    assert row["coded"] == {"anna": 50, "bjorn": 50}
    assert row["segments"] == {"anna": 1, "bjorn": 1}
    assert (row["coded_by_all"], row["coded_by_some"], row["coded_by_none"]) == (50, 0, 50)
    assert row["kappa"] == pytest.approx(1.0) and row["alpha"] == pytest.approx(1.0)
    assert ar.merge_intervals([(0, 40), (10, 30), (35, 50), (50, 60), (70, 80)]) == [
        (0, 60), (70, 80)]


@pytest.mark.parametrize("m", [2, 3, 4])
def test_count_forms_equal_the_verified_functions(m):
    rng = random.Random(m)
    for _ in range(40):
        rows = [[rng.random() < 0.3 for _ in range(m)] for _ in range(rng.randint(2, 60))]
        rows = [[int(v) for v in row] for row in rows]
        hist, cov = hist_cov(rows)
        values, reasons = ar.count_coefficients(hist, cov)
        assert values["percent_agreement"] == pytest.approx(100 * stats.percent_agreement(rows))
        assert values["ac1"] == pytest.approx(stats.gwet_ac1(rows, n_categories=2))
        kappa = stats.cohen_kappa if m == 2 else stats.fleiss_kappa
        for key, fn in (("kappa", kappa), ("alpha", stats.krippendorff_alpha)):
            try:
                expected = fn(rows)
            except stats.UndefinedCoefficient:
                assert values[key] is None and key in reasons
            else:
                assert values[key] == pytest.approx(expected, abs=1e-12)
        # The vectorised form used for bootstrap resamples agrees as well.
        table = [*hist, *cov]
        import numpy as np

        for measure, key in (("alpha", "alpha"), ("kappa", "kappa"), ("ac1", "ac1"),
                             ("percent", "percent_agreement")):
            got = float(ar.vector_values(measure, np.array([table], dtype=float), m)[0])
            if values[key] is None:
                assert np.isnan(got)
            else:
                assert got == pytest.approx(values[key], abs=1e-9)


@pytest.mark.parametrize("m", [2, 3])
def test_brennan_prediger_and_scott_pi_count_forms_equal_the_verified_functions(m):
    import numpy as np

    rng = random.Random(10 + m)
    for _ in range(40):
        rows = [[int(rng.random() < 0.2) for _ in range(m)] for _ in range(rng.randint(2, 50))]
        hist, cov = hist_cov(rows)
        values, reasons = ar.count_coefficients(hist, cov)
        table = np.array([[*hist, *cov]], dtype=float)
        assert values["bp"] == pytest.approx(stats.brennan_prediger(rows, n_categories=2))
        assert float(ar.vector_values("bp", table, m)[0]) == pytest.approx(values["bp"])
        if m == 2:
            try:
                expected = stats.scott_pi(rows)
            except stats.UndefinedCoefficient:
                assert values["pi"] is None and "pi" in reasons
                assert np.isnan(ar.vector_values("pi", table, m)[0])
            else:
                assert values["pi"] == pytest.approx(expected, abs=1e-12)
                assert float(ar.vector_values("pi", table, m)[0]) == pytest.approx(expected)
        else:
            # Scott's pi is for two coders; Fleiss' kappa is its generalisation.
            assert values["pi"] is None and reasons["pi"] == ar.PI_REASON


def test_brennan_prediger_and_scott_pi_by_hand_in_table_json_and_report(hand, tmp_path):
    # The hand case: p_o = 0.6; Brennan-Prediger with q = 2: (0.6 - 0.5) / 0.5 = 0.2.
    # Scott's pi: pooled share coded (40 + 40) / 200 = 0.4, p_e = 0.16 + 0.36 = 0.52,
    # pi = (0.6 - 0.52) / 0.48 = 1/6 (equal to Cohen's kappa: the marginals are equal).
    row = row_of(ar.agreement(hand, bootstrap=0), "A")
    assert row["bp"] == pytest.approx(0.2)
    assert row["pi"] == pytest.approx(1 / 6)
    data = json.loads(run_cli(hand, "agreement", "-f", "json", "-m", "bp").stdout)
    assert data["measure"] == "bp" and data["pooled"]["bp"] == pytest.approx(0.2)
    assert data["pooled"]["band_source"] == ar.LANDIS_KOCH
    assert data["pooled"]["band"] == "slight"  # 0.2 is "slight" (up to .20)
    # --fail-under checks the chosen measure: BP 0.2 passes 0.19, not 0.21.
    assert run_cli(hand, "agreement", "-m", "bp", "--fail-under", "0.19").exit_code == 0
    assert run_cli(hand, "agreement", "-m", "bp", "--fail-under", "0.21").exit_code == 1
    table = run_cli(hand, "agreement", "--bootstrap", "0").stdout
    assert "BP" in table and "π" in table and "Brennan-Prediger" in table
    path = tmp_path / "bp.docx"
    assert run_cli(hand, "export", "agreement", str(path), "-m", "pi").exit_code == 0
    import docx

    doc = docx.Document(path)
    headers = [c.text for c in doc.tables[0].rows[0].cells]
    assert "BP" in headers and "π" in headers
    first = [c.text for c in doc.tables[0].rows[1].cells]
    assert first[headers.index("BP")] == "0,200" and first[headers.index("π")] == "0,167"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Brennan–Prediger" in text and "Scotts pi" in text
    # Which unitizing alpha, and why, is said in the report.
    assert "2019-versjonen" in text and "2004" in text


def test_scott_pi_is_for_two_coders(tmp_path):
    store = make_project(tmp_path, {"t1": TEXT_100},
                         [("t1", "A", "anna", 0, 30), ("t1", "A", "bjorn", 0, 30),
                          ("t1", "A", "carl", 0, 60)])
    with pytest.raises(QualcodeError, match="two coders"):
        ar.agreement(store, bootstrap=0, measure="pi")
    row = row_of(ar.agreement(store, bootstrap=0), "A")
    assert row["pi"] is None and "undefined" not in row["flags"]
    # BP from the pairwise agreement 0.8 of the three coders (see the Fleiss test): 0.6.
    assert row["bp"] == pytest.approx(0.6)
    out = run_cli(store, "agreement", "--bootstrap", "0").stdout
    assert "π" not in out and "BP" in out


def test_three_coders_use_fleiss_kappa(tmp_path):
    # anna and bjorn code [0, 30), carl codes [0, 60) of 100 characters.
    store = make_project(tmp_path, {"t1": TEXT_100},
                         [("t1", "A", "anna", 0, 30), ("t1", "A", "bjorn", 0, 30),
                          ("t1", "A", "carl", 0, 60)])
    result = ar.agreement(store, bootstrap=0)
    assert result["coders"] == ["anna", "bjorn", "carl"]
    row = row_of(result, "A")
    assert row["kappa_kind"] == "fleiss"
    # 30 characters coded by all three, 30 by one (carl), 40 by none.
    assert (row["coded_by_all"], row["coded_by_some"], row["coded_by_none"]) == (30, 30, 40)
    # Pairwise agreement per character: 1 for all/none, 1/3 when one of three coded;
    # P = (30 + 30/3 + 40) / 100 = 0.8. Share coded p = (90 + 30) / 300 = 0.4;
    # P_e = 0.4^2 + 0.6^2 = 0.52; Fleiss' kappa = (0.8 - 0.52) / 0.48 = 7/12.
    assert row["kappa"] == pytest.approx(7 / 12)
    rows = [[1, 1, 1]] * 30 + [[0, 0, 1]] * 30 + [[0, 0, 0]] * 40
    assert row["kappa"] == pytest.approx(stats.fleiss_kappa(rows))
    assert row["alpha"] == pytest.approx(stats.krippendorff_alpha(rows))
    assert row["percent_agreement"] == pytest.approx(80.0)


def test_bootstrap_is_reproducible_with_a_seed(example):
    first = ar.agreement(example, bootstrap=200, seed=7)
    again = ar.agreement(example, bootstrap=200, seed=7)
    other = ar.agreement(example, bootstrap=200, seed=8)
    assert first["pooled"]["interval"] == again["pooled"]["interval"]
    assert [r["interval"] for r in first["codes"]] == [r["interval"] for r in again["codes"]]
    iv = first["pooled"]["interval"]
    assert iv["measure"] == "alpha" and iv["resamples"] == 200 and iv["resamples_used"] == 200
    assert iv["low"] <= first["pooled"]["alpha"] <= iv["high"]
    assert other["pooled"]["interval"] != iv
    assert first["bootstrap"] == {"resamples": 200, "seed": 7, "confidence": 0.95,
                                  "resampled": "transcripts"}


def test_bootstrap_interval_is_the_transcript_bootstrap_of_the_module(example):
    # The fast path (precomputed per-transcript tables) equals bootstrap_interval run with
    # a statistic that rebuilds the pooled 2 x 2 table from each resample of transcripts.
    scope = ar.load_scope(example)
    code = scope.codes[0]
    result = ar.agreement(example, scope=scope, bootstrap=100, seed=3, measure="kappa")
    sources = []
    for t in scope.transcripts:
        cell = scope.spans.get((code.pk, t.pk), [[], []])
        sources.append((t.length, cell[0], cell[1]))

    def kappa(resample):
        return stats.char_agreement_pooled(resample).kappa

    low, high, used = stats.bootstrap_interval(kappa, sources, n=100, seed=3)
    iv = row_of(result, code.code_id)["interval"]
    assert (iv["low"], iv["high"], iv["resamples_used"]) == pytest.approx((low, high, used))


def test_kappa_per_code_is_the_pooled_nvivo_table(example):
    scope = ar.load_scope(example)
    result = ar.agreement(example, scope=scope, bootstrap=0)
    for code, row in zip(scope.codes, result["codes"], strict=True):
        sources = [(t.length, *scope.spans.get((code.pk, t.pk), [[], []]))
                   for t in scope.transcripts]
        table = stats.char_agreement_pooled(sources)
        assert row["coded_by_all"] == table.both
        try:
            assert row["kappa"] == pytest.approx(table.kappa)
        except stats.UndefinedCoefficient:
            assert row["kappa"] is None


def test_undefined_coefficients_are_reported_as_undefined(tmp_path):
    # Both coders code the whole transcript with A: nothing varies, kappa and alpha are
    # undefined (0/0); AC1 (two categories) is 1.
    store = make_project(tmp_path, {"t1": TEXT_100},
                         [("t1", "A", "anna", 0, 100), ("t1", "A", "bjorn", 0, 100)])
    result = ar.agreement(store, bootstrap=50)
    row = row_of(result, "A")
    assert row["kappa"] is None and row["alpha"] is None
    assert "every coder coded every unit" in row["undefined"]["kappa"]
    assert row["ac1"] == pytest.approx(1.0)
    assert "undefined" in row["flags"]
    assert row["interval"] is None
    assert "fewer than two transcripts" in row["undefined"]["interval"]
    assert row["band"] is None
    runner_result = run_cli(store, "agreement", "-f", "json")
    data = json.loads(runner_result.stdout)
    assert row_of(data, "A")["alpha"] is None
    table = run_cli(store, "agreement")
    assert "undefined" in table.stdout
    failed = run_cli(store, "agreement", "--fail-under", "0.5")
    assert failed.exit_code == 1 and "pooled alpha is undefined" in failed.stderr
    csv_out = run_cli(store, "agreement", "-f", "csv").stdout
    header, first = csv_out.splitlines()[:2]
    cells = dict(zip(header.split(","), first.split(","), strict=False))
    assert cells["kappa"] == "undefined" and cells["alpha"] == "undefined"


def test_transcripts_not_coded_by_every_coder_are_left_out_and_reported(tmp_path):
    store = make_project(tmp_path, {"t1": TEXT_100, "t2": TEXT_100, "t3": TEXT_100},
                         [("t1", "A", "anna", 0, 40), ("t1", "A", "bjorn", 20, 60),
                          ("t2", "A", "anna", 0, 10)])
    result = ar.agreement(store, bootstrap=0)
    assert result["transcripts"] == ["t1"]
    assert result["transcripts_left_out"] == [
        {"transcript": "t2", "reason": "not coded by bjorn", "missing": ["bjorn"]},
        {"transcript": "t3", "reason": "coded by none of the coders",
         "missing": ["anna", "bjorn"]}]
    # t2's codings are not counted: the hand-computed table of t1 alone.
    assert row_of(result, "A")["kappa"] == pytest.approx(1 / 6)
    out = run_cli(store, "agreement")
    assert "Left out 2 transcript(s)" in out.stdout and "not coded by bjorn" in out.stdout
    # Named explicitly, a transcript is used, and the missing coder is noted.
    named = ar.agreement(store, transcripts=["t1", "t2"], bootstrap=0)
    assert named["transcripts"] == ["t1", "t2"]
    assert any("no codings by bjorn" in n for n in named["notes"])


def test_three_coders_who_coded_different_transcripts_use_the_missing_data_forms(tmp_path):
    # anna, bjorn and carl all code t1; t2 only anna and bjorn; t3 only carl (left out).
    rows = [("t1", "A", "anna", 0, 30), ("t1", "A", "bjorn", 0, 30),
            ("t1", "A", "carl", 0, 60), ("t2", "A", "anna", 10, 50),
            ("t2", "A", "bjorn", 30, 70), ("t3", "A", "carl", 0, 10)]
    store = make_project(tmp_path, {"t1": TEXT_100, "t2": TEXT_100, "t3": TEXT_100}, rows)
    result = ar.agreement(store, bootstrap=200)
    assert result["transcripts"] == ["t1", "t2"]
    assert result["transcripts_left_out"][0]["transcript"] == "t3"
    assert result["missing_ratings"] == {"transcripts": ["t2"], "complete_transcripts": ["t1"]}
    assert any(n.startswith("missing ratings: 1 transcript(s)") for n in result["notes"])
    # The same data as a ratings matrix, one row per character, None where a coder did
    # not code the transcript; the verified functions give the expected values.
    matrix = [[int(0 <= c < 30), int(0 <= c < 30), int(0 <= c < 60)] for c in range(100)]
    matrix += [[int(10 <= c < 50), int(30 <= c < 70), None] for c in range(100)]
    row = row_of(result, "A")
    assert row["kappa"] == pytest.approx(stats.fleiss_kappa_missing(matrix), abs=1e-12)
    assert row["alpha"] == pytest.approx(stats.krippendorff_alpha(matrix), abs=1e-12)
    assert row["ac1"] == pytest.approx(stats.gwet_ac1(matrix, n_categories=2), abs=1e-12)
    assert row["bp"] == pytest.approx(stats.brennan_prediger(matrix, n_categories=2))
    assert row["percent_agreement"] == pytest.approx(100 * stats.percent_agreement(matrix))
    assert row["missing_ratings"] == 100
    # By hand: t1 as in the Fleiss test above: agreeing pairs per character sum to 80.
    # t2, two coders: they agree on [30, 50) (coded) and on 40 uncoded characters: 60.
    # p_a = (80 + 60) / 200 = 0.7.  pi_1, the mean share of "coded" ratings per
    # character: t1 30 x 1 + 30 x 1/3, t2 20 x 1 + 40 x 1/2 -> 80 / 200 = 0.4.
    assert row["percent_agreement"] == pytest.approx(70.0)
    p_e = 0.4 ** 2 + 0.6 ** 2
    assert row["kappa"] == pytest.approx((0.7 - p_e) / (1 - p_e))
    # Prevalence is per coder of the units that coder rated: carl 60 of t1's 100.
    assert row["prevalence"]["carl"] == pytest.approx(0.6)
    assert row["prevalence"]["anna"] == pytest.approx(70 / 200)
    # The bootstrap's vectorised form agrees with the exact one on the full sample.
    import numpy as np

    m = 3
    layout = ar.count_layout(m)
    vector = np.zeros(ar.count_size(m, True))
    vector[layout[3]] = [40, 30, 0, 30]  # t1: none 40, one 30 (carl), all 30
    vector[layout[2]] = [40, 40, 20]  # t2: none 40, one 40, both 20
    vector[m + 1:2 * m + 1] = [70, 70, 60]
    for measure, key in (("kappa", "kappa"), ("alpha", "alpha"), ("ac1", "ac1"),
                         ("bp", "bp"), ("percent", "percent_agreement")):
        assert float(ar.vector_values(measure, vector[None, :], m)[0]) == pytest.approx(
            row[key])
    assert row["interval"]["low"] is not None
    # |u-alpha has no form for missing coders: it uses t1, which every coder coded.
    assert row["u_alpha"] == pytest.approx(stats.u_alpha_binary(
        100, {"anna": [(0, 30)], "bjorn": [(0, 30)], "carl": [(0, 60)]}))
    # The command says so.
    out = run_cli(store, "agreement", "--bootstrap", "0").stdout
    assert "missing ratings" in out and "Gwet" in out
    per = ar.agreement(store, bootstrap=0, by_transcript=True)["by_transcript"]
    t2 = next(r for r in per if r["transcript"] == "t2")
    assert t2["u_alpha"] is None and "no form for missing" in t2["undefined"]["u_alpha"]
    assert t2["kappa"] == pytest.approx(stats.fleiss_kappa_missing(matrix[100:]))
    path = tmp_path / "missing.docx"
    assert run_cli(store, "export", "agreement", str(path), "--bootstrap", "0").exit_code == 0
    import docx

    text = "\n".join(p.text for p in docx.Document(path).paragraphs)
    assert "manglende vurderinger (Gwet 2014)" in text


def test_sentence_turn_and_document_units_on_a_known_case(tmp_path):
    from qualcode.services.queries import transcript_turns

    store = make_project(tmp_path, {"t1": TURNS_TEXT, "t2": TEXT_100}, [])
    turns = transcript_turns(store, "t1", sentences=True)["turns"]
    assert [len(t["sentences"]) for t in turns] == [1, 3, 1, 2]
    t2, t4 = turns[1], turns[3]
    second = t2["sentences"][1]
    # anna: turn 2. bjorn: from turn 2's second sentence to the end of turn 4.
    # B: both coders code t2 (so t2 is in), anna also codes A in t2.
    rows = [("t1", "A", "anna", t2["start"], t2["end"]),
            ("t1", "A", "bjorn", second["start"], t4["end"]),
            ("t2", "B", "anna", 0, 10), ("t2", "B", "bjorn", 0, 10),
            ("t2", "A", "anna", 50, 60)]
    store.close()
    store = make_project(tmp_path / "again", {"t1": TURNS_TEXT, "t2": TEXT_100}, rows)

    def a_row(**kw):
        return row_of(ar.agreement(store, bootstrap=0, transcripts=["t1"], **kw), "A")

    # Turns (covered by at least half): turn 1 none; turn 2 anna and bjorn (bjorn covers
    # "Vi har mange elever. Det er travelt." = 36 of 53 characters); turns 3, 4 bjorn only.
    row = a_row(unit="turn")
    assert (row["coded_by_all"], row["coded_by_some"], row["coded_by_none"]) == (1, 2, 1)
    assert row["coded"] == {"anna": 1, "bjorn": 3}
    # p_o = 2/4; p_e = (1*3 + 3*1) / 16 = 0.375; kappa = 0.125 / 0.625 = 0.2.
    assert row["kappa"] == pytest.approx(0.2)
    # With --min-share 0.9 bjorn's 36/53 of turn 2 no longer counts.
    row = a_row(unit="turn", min_share=0.9)
    assert (row["coded_by_all"], row["coded_by_some"], row["coded_by_none"]) == (0, 3, 1)
    # Sentences: 7; both: "Vi har mange elever.", "Det er travelt."; anna only: "Ja, det
    # stemmer."; bjorn only: the sentences of turns 3 and 4 (3); none: turn 1's question.
    row = a_row(unit="sentence")
    assert (row["coded_by_all"], row["coded_by_some"], row["coded_by_none"]) == (2, 4, 1)
    assert row["coded"] == {"anna": 3, "bjorn": 5}
    # Documents over t1 and t2: A is coded by both in t1, by anna only in t2.
    doc = row_of(ar.agreement(store, bootstrap=0, unit="document"), "A")
    assert (doc["coded_by_all"], doc["coded_by_some"], doc["coded_by_none"]) == (1, 1, 0)
    # p_o = 1/2; p_e = (2*1 + 0*1) / 4 = 1/2; kappa = 0.
    assert doc["kappa"] == pytest.approx(0.0)
    assert doc["units"] == 2
    b = row_of(ar.agreement(store, bootstrap=0, unit="document"), "B")
    # B: both coders in t2, nobody in t1: full agreement, kappa 1.
    assert (b["coded_by_all"], b["coded_by_none"], b["kappa"]) == (1, 1, pytest.approx(1.0))


def test_segment_unit_with_an_overlap_threshold(tmp_path):
    store = make_project(tmp_path, {"t1": TEXT_100},
                         [("t1", "A", "anna", 0, 40), ("t1", "A", "anna", 60, 80),
                          ("t1", "A", "bjorn", 0, 38), ("t1", "A", "bjorn", 70, 100)])
    # --overlap 0.9: anna [0, 40) is covered 38/40 by bjorn [0, 38): matched; bjorn [0, 38)
    # is covered fully by anna: matched; anna [60, 80) 10/20 and bjorn [70, 100) 10/30 are
    # not. 4 segments, 2 agreed: 50 %.
    row = row_of(ar.agreement(store, unit="segment", overlap=0.9, measure="percent",
                              bootstrap=0), "A")
    assert (row["coded_by_all"], row["coded_by_some"], row["coded_by_none"]) == (2, 2, 0)
    assert row["percent_agreement"] == pytest.approx(50.0)
    assert row["coded"] == {"anna": 2, "bjorn": 2}
    assert row["kappa"] is None and row["undefined"]["kappa"] == ar.SEGMENT_REASON
    assert "undefined" not in row["flags"]
    # --overlap 0.3: 10/20 and 10/30 reach 0.3 too: 100 %.
    row = row_of(ar.agreement(store, unit="segment", overlap=0.3, measure="percent",
                              bootstrap=0), "A")
    assert row["percent_agreement"] == pytest.approx(100.0)
    assert ar.agreement(store, unit="segment", bootstrap=0)["measure"] == "percent"
    with pytest.raises(QualcodeError, match="not defined for --unit segment"):
        ar.agreement(store, unit="segment", measure="alpha")


def test_exclusive_groups_get_u_alpha_and_cu_alpha(tmp_path):
    text = {"t1": TEXT_100, "t2": TEXT_100}
    rows = [("t1", "G.x", "anna", 0, 30), ("t1", "G.y", "anna", 40, 70),
            ("t1", "G.x", "bjorn", 0, 25), ("t1", "G.y", "bjorn", 30, 70),
            ("t2", "G.y", "anna", 10, 20), ("t2", "G.x", "bjorn", 10, 20)]
    store = make_project(tmp_path, text, rows)
    result = ar.agreement(store, bootstrap=0)
    (group,) = result["groups"]
    assert group["group"] == "G" and group["codes"] == ["G.x", "G.y"]
    # The transcripts laid end to end: t2's spans move by t1's 100 characters.
    spans = {"anna": [(0, 30, "G.x"), (40, 70, "G.y"), (110, 120, "G.y")],
             "bjorn": [(0, 25, "G.x"), (30, 70, "G.y"), (110, 120, "G.x")]}
    assert group["u_alpha"] == pytest.approx(stats.u_alpha(200, spans))
    assert group["cu_alpha"] == pytest.approx(stats.cu_alpha(200, spans))
    # Per code, |u-alpha over the same continuum.
    x = row_of(result, "G.x")
    assert x["u_alpha"] == pytest.approx(stats.u_alpha_binary(
        200, {"anna": [(0, 30)], "bjorn": [(0, 25), (110, 120)]}))
    # A coder who puts two exclusive codes on the same text makes the group undefined.
    clash = make_project(tmp_path / "clash", text, rows + [("t2", "G.x", "anna", 15, 30)])
    (group,) = ar.agreement(clash, bootstrap=0)["groups"]
    assert group["cu_alpha"] is None
    assert "anna applied G.x and G.y" in group["undefined"]["cu_alpha"] or \
        "anna applied G.y and G.x" in group["undefined"]["cu_alpha"]


def test_exclusive_group_confusion_table_and_2004_alpha(tmp_path):
    """The group of the test above.  Characters on the continuum of 200 (t2 after t1):
    anna G.x [0, 30), G.y [40, 70), [110, 120); bjorn G.x [0, 25), [110, 120), G.y [30, 70).
    anna G.x x bjorn G.x: [0, 25) = 25; anna G.x x bjorn G.y: [30, 30) none, so 0;
    anna G.x x none: [25, 30) = 5; anna none x bjorn G.y: [30, 40) = 10;
    anna G.y x bjorn G.y: [40, 70) = 30; anna G.y x bjorn G.x: [110, 120) = 10;
    none x none: 200 - 25 - 5 - 10 - 30 - 10 = 120."""
    text = {"t1": TEXT_100, "t2": TEXT_100}
    rows = [("t1", "G.x", "anna", 0, 30), ("t1", "G.y", "anna", 40, 70),
            ("t1", "G.x", "bjorn", 0, 25), ("t1", "G.y", "bjorn", 30, 70),
            ("t2", "G.y", "anna", 10, 20), ("t2", "G.x", "bjorn", 10, 20)]
    store = make_project(tmp_path, text, rows)
    (group,) = ar.agreement(store, bootstrap=0)["groups"]
    (confusion,) = group["confusion"]
    assert confusion["coders"] == ["anna", "bjorn"]
    assert confusion["categories"] == ["G.x", "G.y", None]
    assert confusion["counts"] == [[25, 0, 5], [10, 30, 0], [0, 10, 120]]
    spans = {"anna": [(0, 30, "G.x"), (40, 70, "G.y"), (110, 120, "G.y")],
             "bjorn": [(0, 25, "G.x"), (30, 70, "G.y"), (110, 120, "G.x")]}
    assert group["u_alpha_2004"] == pytest.approx(stats.u_alpha_2004(200, spans))
    # By turns (any overlap): each transcript has the turns "Hei." [12, 16) and the
    # answer [25, 100).  t1: "Hei." G.x / G.x; the answer: anna G.x 5 and G.y 30
    # characters, so G.y; bjorn G.y.  t2: "Hei." anna G.y, bjorn G.x; the answer nobody.
    by_turn = ar.agreement(store, bootstrap=0, unit="turn", min_share=0.0)["groups"][0]
    turn_table = by_turn["confusion"][0]["counts"]
    assert turn_table == [[1, 0, 0], [1, 1, 0], [0, 0, 1]]
    # At half a turn, anna's 30 of the answer's 75 characters are too few: "not coded".
    half = ar.agreement(store, bootstrap=0, unit="turn", min_share=0.5)["groups"][0]
    assert half["confusion"][0]["counts"] == [[1, 0, 0], [1, 0, 0], [0, 1, 1]]
    # The table is in the CLI output and the report.
    out = run_cli(store, "agreement", "--bootstrap", "0").stdout
    assert "anna (rows) × bjorn (columns)" in out and "αU 2004" in out
    path = tmp_path / "g.docx"
    assert run_cli(store, "export", "agreement", str(path), "--bootstrap", "0").exit_code == 0
    import docx

    doc = docx.Document(path)
    titles = [p.text for p in doc.paragraphs if p.text.startswith("Forvekslingstabell")]
    assert titles == ["Forvekslingstabell for G: anna mot bjorn (antall tegn)"]
    table = next(t for t in doc.tables if t.rows[0].cells[0].text.startswith("anna"))
    assert [c.text for c in table.rows[3].cells] == ["ingen", "0", "10", "120"]
    # Document units may hold several codes of a group: no table, and the reason.
    doc_group = ar.agreement(store, bootstrap=0, unit="document")["groups"][0]
    assert doc_group["confusion"] == [] and "confusion" in doc_group["undefined"]


def test_agreement_per_code_family_united_and_pooled(tmp_path):
    """Family G (G.x, G.y) in one transcript of 100 characters.
    anna: G.x [0, 30), G.y [40, 70); bjorn: G.x [0, 25), G.y [30, 70).

    United (the family as one code): anna [0, 30) + [40, 70) = 60, bjorn [0, 25) + [30, 70)
    = 65; both [0, 25) + [40, 70) = 55, neither [70, 100) = 30.  p_o = 0.85,
    p_e = 0.6 * 0.65 + 0.4 * 0.35 = 0.53, Cohen's kappa = 0.32 / 0.47 = 32/47.

    Pooled (G.x and G.y tables added, 200 code x character units): both 25 + 30 = 55,
    neither 70 + 60 = 130, anna 60, bjorn 65; p_o = 0.925,
    p_e = (60 * 65 + 140 * 135) / 200^2 = 0.57, kappa = 0.355 / 0.43 = 71/86."""
    rows = [("t1", "G.x", "anna", 0, 30), ("t1", "G.y", "anna", 40, 70),
            ("t1", "G.x", "bjorn", 0, 25), ("t1", "G.y", "bjorn", 30, 70),
            ("t1", "A", "anna", 80, 90), ("t1", "A", "bjorn", 80, 95)]
    store = make_project(tmp_path, {"t1": TEXT_100}, rows)
    result = ar.agreement(store, bootstrap=0, areas=True)
    areas = {a["area"]: a for a in result["areas"]}
    assert list(areas) == ["A", "G"]
    g = areas["G"]
    assert g["codes"] == ["G.x", "G.y"]
    assert g["united"]["coded"] == {"anna": 60, "bjorn": 65}
    assert g["united"]["kappa"] == pytest.approx(32 / 47)
    assert g["pooled"]["units"] == 200
    assert g["pooled"]["kappa"] == pytest.approx(71 / 86)
    # Pooled per area is the pooled row of the family's codes alone.
    assert g["pooled"]["alpha"] == pytest.approx(
        ar.agreement(store, bootstrap=0, codes=["G"])["pooled"]["alpha"])
    # A family of one code: united and pooled are that code's own row.
    assert areas["A"]["united"]["kappa"] == pytest.approx(row_of(result, "A")["kappa"])
    assert areas["A"]["pooled"]["kappa"] == pytest.approx(row_of(result, "A")["kappa"])
    # Without --areas nothing extra is computed.
    assert "areas" not in ar.agreement(store, bootstrap=0)
    out = run_cli(store, "agreement", "--areas", "--bootstrap", "0").stdout
    assert "Code families" in out and "united" in out
    # The interval: a family of one code resamples exactly as that code does.
    two = make_project(tmp_path / "two", {"t1": TEXT_100, "t2": TEXT_100},
                       rows + [("t2", "A", "anna", 5, 20), ("t2", "A", "bjorn", 5, 30)])
    result = ar.agreement(two, bootstrap=200, areas=True)
    a = next(x for x in result["areas"] if x["area"] == "A")
    assert a["pooled"]["interval"] == row_of(result, "A")["interval"]
    assert a["united"]["interval"] == row_of(result, "A")["interval"]
    assert a["pooled"]["interval"]["low"] is not None
    # The supervisor's report has the families, in Word and in HTML.
    path = tmp_path / "areas.docx"
    assert run_cli(two, "export", "agreement", str(path), "--bootstrap", "50").exit_code == 0
    import docx

    doc = docx.Document(path)
    assert "Samsvar per kodefamilie" in [p.text for p in doc.paragraphs]
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Familie")
    assert [r.cells[0].text for r in table.rows[1:]] == ["A – Kode A", "G – Gruppe"]
    assert table.rows[0].cells[2].text == "Samlet α"
    page = tmp_path / "areas.html"
    assert run_cli(two, "export", "agreement", str(page), "--bootstrap", "50").exit_code == 0
    assert "Samsvar per kodefamilie" in page.read_text(encoding="utf-8")


def test_code_selection_and_by_transcript(tmp_path):
    store = make_project(tmp_path, {"t1": TEXT_100, "t2": TEXT_100},
                         [("t1", "A", "anna", 0, 40), ("t1", "A", "bjorn", 20, 60),
                          ("t2", "G.x", "anna", 0, 10), ("t2", "G.x", "bjorn", 0, 10),
                          ("t2", "A", "bjorn", 0, 10)])
    result = ar.agreement(store, codes=["G"], bootstrap=0, by_transcript=True)
    assert [r["code"] for r in result["codes"]] == ["G.x"]
    assert [(r["code"], r["transcript"]) for r in result["by_transcript"]] == [("G.x", "t2")]
    full = ar.agreement(store, bootstrap=0, by_transcript=True)
    per = {(r["code"], r["transcript"]): r for r in full["by_transcript"]}
    assert per["A", "t1"]["kappa"] == pytest.approx(1 / 6)
    assert per["A", "t2"]["coded"] == {"anna": 0, "bjorn": 10}
    assert "few-transcripts" in row_of(full, "A")["flags"]
    assert "uneven" not in row_of(full, "A")["flags"]  # 40 against 50 characters
    with pytest.raises(NotFoundError):
        ar.agreement(store, codes=["NOPE"])
    with pytest.raises(NotFoundError, match="no coder named 'carl'"):
        ar.agreement(store, coders="anna,carl")
    with pytest.raises(QualcodeError, match="two or more coders"):
        ar.agreement(store, coders="anna")


def test_flags_rare_and_uneven(tmp_path):
    store = make_project(tmp_path, {"t1": TEXT_100},
                         [("t1", "A", "anna", 0, 2), ("t1", "A", "bjorn", 0, 5)])
    row = row_of(ar.agreement(store, bootstrap=0), "A")
    # Prevalence 2 % and 5 %: mean 3.5 % < 5 %; bjorn codes 5 characters, anna 2.
    assert {"rare", "uneven", "few-transcripts"} <= set(row["flags"])


# --- the command line -------------------------------------------------------------------

def cli_app() -> typer.Typer:
    """The agreement commands in a Typer app of their own, set up as qualcode's root does."""
    from qualcode.cli import _Group
    from qualcode.cli import agreement as commands

    app = typer.Typer(cls=_Group, add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def root(ctx: typer.Context, project: Path = typer.Option(..., "--project")) -> None:
        ctx.obj = {"project": project}

    commands.register(app)
    export = typer.Typer()
    export.command("agreement")(commands.export_agreement)
    app.add_typer(export, name="export")
    return app


def run_cli(store, *args: str):
    result = CliRunner().invoke(cli_app(), ["--project", str(store.path), *args],
                                env={"COLUMNS": "200"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_fail_under_sets_the_exit_status(hand):
    # Pooled alpha is 41/240 = 0.171 (the single code).
    failed = run_cli(hand, "agreement", "--fail-under", "0.8", "--measure", "alpha")
    assert failed.exit_code == 1
    assert "below --fail-under 0.8" in failed.stderr
    assert run_cli(hand, "agreement", "--fail-under", "0.1", "-m", "alpha").exit_code == 0
    # kappa 1/6 passes 0.16 but not 0.17.
    assert run_cli(hand, "agreement", "--fail-under", "0.16", "-m", "kappa").exit_code == 0
    assert run_cli(hand, "agreement", "--fail-under", "0.17", "-m", "kappa").exit_code == 1
    data = json.loads(run_cli(hand, "agreement", "-f", "json").stdout)
    assert data["pooled"]["alpha"] == pytest.approx(41 / 240)


def test_cli_errors_are_one_line(hand):
    result = run_cli(hand, "agreement", "--coders", "anna,nobody")
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: no coder named 'nobody'")
    assert len(result.stderr.strip().splitlines()) == 1


def test_export_word_report(example, tmp_path):
    path = tmp_path / "agreement.docx"
    result = run_cli(example, "export", "agreement", str(path), "--bootstrap", "100")
    assert result.exit_code == 0, result.stderr
    import docx

    doc = docx.Document(path)
    styles = [p.style.name for p in doc.paragraphs]
    assert styles[0] == "Title"
    assert {"Heading 1", "Heading 2"} <= set(styles)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[:4] == ["Hva er sammenlignet", "Samsvar per kode", "Slik leser du tabellen",
                            "Uenigheter til diskusjon"]
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Rapporten er på norsk (bokmål)" in text
    assert "Landis & Koch (1977)" in text and "Krippendorff (2004)" in text
    codes_table = doc.tables[0]
    assert codes_table.rows[0].cells[0].text == "Kode"
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert '<w:tblHeader w:val="true"/>' in xml
    scope = ar.load_scope(example)
    n_codes = len(scope.codes)
    assert len(codes_table.rows) == n_codes + 2  # header, codes, pooled
    passages = ar.disagreement_passages(example, scope)
    assert sum(g["total"] for g in passages) == sum(1 for t in doc.tables[1:]
                                                    if "tegn ulikt" in t.rows[0].cells[0].text)


def test_export_html_report_is_self_contained(example, tmp_path):
    path = tmp_path / "agreement.html"
    assert run_cli(example, "export", "agreement", str(path), "--bootstrap", "50").exit_code == 0
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="nb">' in page
    assert "<style>" in page
    for external in ("<link", "<script", "src=", "http://", "https://", "@import", "url("):
        assert external not in page
    assert page.count('class="passage"') == sum(
        g["total"] for g in ar.disagreement_passages(example, ar.load_scope(example)))
    assert "bare anna" in page and "bare bjorn" in page
    bad = run_cli(example, "export", "agreement", str(tmp_path / "x.pdf"))
    assert bad.exit_code != 0


def test_disagreement_passages_show_both_coders_codes(tmp_path):
    store = make_project(tmp_path, {"t1": TEXT_100},
                         [("t1", "A", "anna", 0, 40), ("t1", "A", "bjorn", 20, 60),
                          ("t1", "B", "bjorn", 0, 20), ("t1", "B", "anna", 0, 20),
                          ("t1", "G.x", "anna", 80, 90)])
    scope = ar.load_scope(store)
    groups = {g["code"]: g for g in ar.disagreement_passages(store, scope)}
    assert set(groups) == {"A", "G.x"}  # B is coded identically: no passage
    (p,) = groups["A"]["passages"]
    assert (p["start"], p["end"], p["kind"], p["differing_chars"]) == (0, 60,
                                                                        "boundaries differ", 40)
    assert [(len(x["text"]), x["coders"]) for x in p["pieces"]] == [
        (20, ["anna"]), (20, ["anna", "bjorn"]), (20, ["bjorn"])]
    assert p["codes_by_coder"] == {"anna": ["A", "B"], "bjorn": ["A", "B"]}
    (q,) = groups["G.x"]["passages"]
    assert q["kind"] == "only anna"


def test_the_word_report_lists_its_chapters_after_the_title(hand, tmp_path):
    from docx.oxml.ns import qn

    from tests.test_report import _contents, _headings

    path = tmp_path / "samsvar.docx"
    assert run_cli(hand, "export", "agreement", str(path), "--bootstrap", "0").exit_code == 0
    import docx

    doc = docx.Document(path)
    lines = _contents(doc)  # sections too: the report's headings of levels 1 and 2
    assert lines == _headings(doc, "Hva er sammenlignet")
    assert {p.style.name for p in doc.paragraphs if p.text.split("\t")[0] == "Konvensjoner"} == \
        {"toc 2", "Heading 2"}
    assert lines[:3] == ["Hva er sammenlignet", "Konvensjoner", "Kort oppsummert"]
    assert "Uenigheter til diskusjon" in lines and lines[-1] == "Vedlegg: innstillinger"
    texts = [p.text for p in doc.paragraphs]
    assert texts.index("Samsvar mellom kodere") < texts.index("Innhold") \
        < texts.index("Hva er sammenlignet")
    flag = doc.settings.element.find(qn("w:updateFields"))
    assert flag is not None and flag.get(qn("w:val")) == "true"


def test_span_cells_merge_each_coders_spans_as_merge_intervals_does():
    # The scope holds every coder's segments as arrays; each cell must read back exactly
    # as the spans merged one cell at a time (overlapping and touching spans merged, a
    # span inside another, duplicates, a coder without spans in a cell).
    import numpy as np

    rng = random.Random(5)
    m = 3
    rows = []
    for _ in range(2_000):
        code, transcript, coder = rng.randint(1, 6), rng.randint(1, 40), rng.randrange(m)
        start = rng.randrange(0, 5_000)
        rows.append((code, transcript, coder, start, start + rng.randint(1, 300)))
    rows += [(1, 1, 0, 10, 20), (1, 1, 0, 20, 30), (1, 1, 0, 12, 14), (1, 1, 0, 10, 20)]
    expected: dict[tuple[int, int], list[list[tuple[int, int]]]] = {}
    for code, transcript, coder, start, end in rows:
        expected.setdefault((code, transcript), [[] for _ in range(m)])[coder].append(
            (start, end))
    expected = {key: [ar.merge_intervals(spans) for spans in cell]
                for key, cell in expected.items()}
    cells = ar.SpanCells.build(m, *(np.array(column) for column in zip(*rows, strict=True)))
    assert dict(cells.items()) == expected
    assert list(cells) == sorted(expected) and len(cells) == len(expected)
    assert cells[1, 1][0][0] == (10, 30)
    assert cells.get((99, 1)) is None and (99, 1) not in cells and (1, 1) in cells
    assert cells.codes() == sorted({code for code, _ in expected})
    assert cells.of_code(3) == {t: cell for (c, t), cell in expected.items() if c == 3}
    t_pk, starts, ends = cells.code_arrays(3)
    assert sorted(zip(t_pk.tolist(), starts.tolist(), ends.tolist(), strict=True)) == sorted(
        (t, s, e) for (c, t), cell in expected.items() if c == 3 for spans in cell
        for s, e in spans)
    code, transcript, coder, start, end = cells.arrays()
    again = ar.SpanCells.build(m, code, transcript, coder, start, end)
    assert dict(again.items()) == expected


def test_pooled_u_alpha_is_the_codes_continua_laid_end_to_end(example):
    # The pooled |u-alpha adds up each code's tally; by definition it is |u-alpha over
    # the codes' continua laid end to end.
    scope = ar.load_scope(example)
    result = ar.agreement(example, scope=scope, bootstrap=0)
    length, spans = ar._continuum(scope, [c.pk for c in scope.codes], per_code=True)
    assert result["pooled"]["u_alpha"] == stats.u_alpha_binary(
        length, dict(zip(scope.coders, spans, strict=True)))


def test_code_tallies_are_the_tallies_of_each_codes_continuum(example, tmp_path):
    # Every code's |u-alpha tally is computed from the segment arrays, all codes in one
    # sweep; it must be the tally of the code's continuum as _continuum lays it out, on
    # the example study, and on random codings of three coders with spans that overlap,
    # touch, run to a transcript's end, and a transcript that only two coders coded.
    def by_continuum(scope):
        tallies = []
        for code in scope.codes:
            length, spans = ar._continuum(scope, [code.pk])
            tallies.append(stats.binary_tally(length, dict(zip(scope.coders, spans,
                                                                strict=True))))
        return tallies

    scope = ar.load_scope(example)
    assert ar.code_tallies(scope, [c.pk for c in scope.codes]) == by_continuum(scope)

    rng = random.Random(3)
    texts = {f"t{i}": TEXT_100 for i in range(4)}
    codings = []
    for name in texts:
        for coder in ("anna", "bjorn", "carl"):
            if name == "t3" and coder == "carl":
                continue
            for _ in range(rng.randint(1, 6)):
                start = rng.choice([0, rng.randrange(100)])
                end = rng.choice([100, rng.randint(start + 1, 100)])
                codings.append((name, rng.choice(["A", "B", "G.x"]), coder, start, end))
    store = make_project(tmp_path, texts, codings)
    scope = ar.load_scope(store, coders="anna,bjorn,carl")
    assert scope.raters  # t3: carl's ratings are missing
    for part in (scope, scope.complete()):
        assert ar.code_tallies(part, [c.pk for c in part.codes]) == by_continuum(part)
    store.close()
