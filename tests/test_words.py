"""Word frequencies, log-likelihood and keywords in context, on studies small enough that
every count is known by hand."""

from __future__ import annotations

import json

import pytest

from qualcode.services import codings, ingest
from qualcode.services.codebooks import load_into_project
from qualcode.services.project import init_project
from qualcode.services.words import change_stop_words, keyword_in_context, word_frequencies
from qualcode.word_stats import keyword_pattern, log_likelihood, norwegian_stop_words, words_of
from tests.conftest import write
from tests.test_matrix import CODEBOOK, build_study

SHEET = """sites:
  nv: {navn: Nordvik skole, skoleslag: videregaende}
persons:
  kari: {site: nv, rolle: rektor}
  ola: {site: nv, rolle: radgiver}
"""


def budget_study(folder):
    """Kari (rektor) says 100 words, 10 of them "budsjett"; Ola (rådgiver) says 200, 2 of
    them "budsjett"; the interviewer says "budsjett" three times (not counted by default).
    Everything else they say is "skole"."""
    folder.mkdir(parents=True, exist_ok=True)
    store = init_project(folder / "budsjett.db")
    load_into_project(store, write(folder / "codebook.yaml", CODEBOOK))
    ingest.import_attributes(store, [write(folder / "attributes.yaml", SHEET)])
    texts = folder / "t"
    texts.mkdir()
    kari = " ".join(["budsjett"] * 10 + ["skole"] * 90)
    ola = " ".join(["budsjett"] * 2 + ["skole"] * 198)
    write(texts / "nordvik.txt", "---\nsite: nv\nspeakers: {Kari: kari, Ola: ola}\n---\n"
          f"Intervjuer: Budsjett, budsjett, budsjett?\nKari: {kari}\nOla: {ola}\n")
    ingest.import_transcripts(store, [texts])
    codings.import_codings(store, [write(folder / "c.csv", "transcript,turns,start,end,code,"
                                         "coder,memo\nnordvik,2,,,A.x,anna,\n")])
    return store


def test_log_likelihood_by_the_formula():
    # Rayson & Garside (2000): a = 10 of c = 100, b = 2 of d = 200; E1 = 4, E2 = 8;
    # G² = 2 (10 ln(10/4) + 2 ln(2/8)) = 2 (9.162907 − 2.772589) = 12.780637
    assert log_likelihood(10, 2, 100, 200) == pytest.approx(12.780637, abs=1e-6)
    # a word as frequent in both corpora is no surprise
    assert log_likelihood(5, 10, 100, 200) == pytest.approx(0.0)
    assert log_likelihood(0, 0, 100, 200) == 0.0
    # G² = 2 (198 ln(198/192) + 90 ln(90/96)) = 0.568643
    assert log_likelihood(198, 90, 200, 100) == pytest.approx(0.568643, abs=1e-6)


def test_words_are_letters_in_lower_case():
    assert words_of("Rådgiveren sa: «Karriere-veiledning» i 2021, 10. trinn!") == [
        "rådgiveren", "sa", "karriere-veiledning", "i", "trinn"]
    assert {"og", "det", "er", "ikke"} <= norwegian_stop_words()
    assert "rådgiver" not in norwegian_stop_words()


def test_distinctive_words_by_role(tmp_path):
    store = budget_study(tmp_path)
    result = word_frequencies(store, by="rolle", min_count=1)
    assert result["groups"] == {"radgiver": 200, "rektor": 100}
    rows = {(r["group"], r["word"]): r for r in result["distinctive"]}
    assert set(rows) == {("rektor", "budsjett"), ("radgiver", "skole")}
    budsjett = rows["rektor", "budsjett"]
    assert (budsjett["count"], budsjett["other"], budsjett["per_1000"],
            budsjett["other_per_1000"]) == (10, 2, 100.0, 10.0)
    assert budsjett["log_likelihood"] == 12.78
    assert rows["radgiver", "skole"]["log_likelihood"] == 0.57
    assert result["by_group"][0] == {"word": "skole", "radgiver": 198, "rektor": 90}


def test_interviewers_are_left_out_unless_asked(tmp_path):
    store = budget_study(tmp_path)
    plain = word_frequencies(store)
    assert plain["frequent"] == [{"word": "skole", "count": 288, "per_1000": 960.0},
                                 {"word": "budsjett", "count": 12, "per_1000": 40.0}]
    asked = word_frequencies(store, by="rolle", interviewers=True)
    assert asked["groups"]["intervjuer"] == 3


def test_min_count_and_the_projects_stop_words(tmp_path):
    store = budget_study(tmp_path)
    assert [r["word"] for r in word_frequencies(store, min_count=13)["frequent"]] == ["skole"]
    assert change_stop_words(store, add=["Skole"]) == ["skole"]
    assert [r["word"] for r in word_frequencies(store)["frequent"]] == ["budsjett"]
    assert change_stop_words(store, remove=["skole"]) == []


def test_one_code_against_the_rest(tmp_path):
    store = budget_study(tmp_path)  # Kari's turn is coded A.x
    result = word_frequencies(store, codes=["A"], min_count=1)
    assert result["groups"] == {"A": 100, "resten": 200}
    assert [(r["group"], r["word"], r["log_likelihood"]) for r in result["distinctive"]] == [
        ("A", "budsjett", 12.78), ("resten", "skole", 0.57)]
    by_role = word_frequencies(store, codes=["A"], by="rolle", min_count=1)
    assert by_role["groups"] == {"rektor": 100}


def test_keyword_forms():
    assert keyword_pattern("rådgiver").findall("Rådgiver og rådgiveren") == ["Rådgiver"]
    assert keyword_pattern("rådgiver*").findall("Rådgiver og rådgiveren") == [
        "Rådgiver", "rådgiveren"]
    assert keyword_pattern(r"led(er|et)", regex=True).findall("leder ledet") == ["er", "et"]


def test_kwic_attributes_and_aligns(tmp_path):
    store = build_study(tmp_path / "s")
    hits = keyword_in_context(store, "leder", width=12)
    assert [(h["transcript"], h["turn"], h["speaker"], h["attribution"], h["before"],
             h["match"], h["after"]) for h in hits] == [
        ("fg", 2, "Rektor", "Rektor, ungdomsskole", "Vi", "leder", "godt her."),
        ("nv_rektor", 2, "Rektor", "Rektor, videregående skole", "Rådgiveren", "leder",
         "tjenesten.")]
    assert [h["match"] for h in keyword_in_context(store, "rådgiver*")] == ["Rådgiveren"]
    assert keyword_in_context(store, "rådgiver") == []  # speaker labels are no text
    assert len(keyword_in_context(store, "hva", interviewers=False)) == 0
    assert len(keyword_in_context(store, "hva")) == 2


def test_cli_words_kwic_and_stopwords(tmp_path, cli):
    store = budget_study(tmp_path / "b")
    code, out, _ = cli("words", "--by", "rolle", "--min-count", "1", "-f", "csv",
                       project=store.path)
    assert code == 0
    assert out.splitlines()[:2] == [
        "group,word,count,other,per_1000,other_per_1000,log_likelihood",
        "radgiver,skole,198,90,990.0,900.0,0.57"]
    code, out, _ = cli("kwic", "budsjett*", "-f", "json", project=store.path)
    assert [h["speaker"] for h in json.loads(out)] == ["Intervjuer"] * 3 + ["Kari"] * 10 + [
        "Ola"] * 2
    code, out, _ = cli("stopwords", "skole", project=store.path)
    assert out.strip() == "skole"
    code, out, _ = cli("words", project=store.path)
    assert "budsjett" in out and "skole" not in out
    code, _, err = cli("words", "--by", "rolel", project=store.path)
    assert code == 1 and "did you mean 'rolle'" in err
