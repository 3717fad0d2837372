"""Keyword suggestions: Norwegian inflections, and suggestions that count nowhere until
accepted."""

from __future__ import annotations

import pytest

from qualcode.services import codings, ingest, suggestions
from qualcode.services.codebooks import code_tree, load_into_project
from qualcode.services.coding_ops import list_codings
from qualcode.services.retrieval import quotes
from qualcode.suggest import KeywordMatcher
from tests.conftest import write


def _found(matcher: KeywordMatcher, text: str) -> list[tuple[str, str]]:
    return [(h.code, text[h.start:h.end]) for h in matcher.find(text)]


def test_inflected_forms_match_the_keyword():
    m = KeywordMatcher({"NET.radgiver": ["rådgiver"]})
    text = "Rådgiveren snakket med rådgiverne, og rådgiverens kontor var fullt. En rådgiver."
    assert _found(m, text) == [("NET.radgiver", "Rådgiveren"), ("NET.radgiver", "rådgiverne"),
                               ("NET.radgiver", "rådgiverens"), ("NET.radgiver", "rådgiver")]


def test_short_keywords_match_whole_words_only():
    m = KeywordMatcher({"NET.hjelpeinstanser": ["ot", "nav", "PPT"]})
    text = "Vi ringer OT og NAV, og PPT. Men otte, navn og notater er ikke treff."
    assert [w for _, w in _found(m, text)] == ["OT", "NAV", "PPT"]


def test_multi_word_keywords_match_word_by_word():
    m = KeywordMatcher({"NET.hele": ["hele skolens ansvar"], "RAM.tid": ["ikke tidskritisk"]})
    text = "Det er hele skolens ansvaret, sier de. Men det er ikke tidskritisk, og hele skolen."
    assert _found(m, text) == [("NET.hele", "hele skolens ansvaret"),
                               ("RAM.tid", "ikke tidskritisk")]


def test_prefix_is_bounded_so_compounds_far_away_do_not_match():
    m = KeywordMatcher({"X": ["skole"]})
    assert [w for _, w in _found(m, "skolen skolene skoleeierrepresentanten")] == [
        "skolen", "skolene"]


BOOK = """codebook: t
version: 1
codes:
  - id: NET
    label: Nettverk
    description: Samarbeid.
    keywords: [samarbeid]
    children:
      - id: NET.radgivernettverk
        label: Rådgivernettverk
        description: Nettverk av rådgivere.
        keywords: [nettverket, rådgivernettverk, samling]
      - id: NET.foresatte
        label: Foresatte
        description: Foreldre.
        keywords: [foreldre, foresatte]
"""
TEXT = """Intervjuer: Hva med nettverket og samarbeid med foreldre?
Rådgiver: Nettverket er viktig. Vi har en samling i fylket hver høst.
Intervjuer: Og foreldrene?
Rådgiver: Foreldrene kommer på foreldremøtet. Foresatte er viktige.
"""


@pytest.fixture
def project(store, tmp_path):
    load_into_project(store, write(tmp_path / "b.yaml", BOOK))
    folder = tmp_path / "t"
    folder.mkdir()
    write(folder / "radgiver.txt", TEXT)
    ingest.import_transcripts(store, [folder])
    return store


def test_suggestions_are_whole_informant_turns_of_leaf_codes(project):
    report = suggestions.suggest(project, ["radgiver"], "anna")
    rows = list_codings(project, origin="suggested")
    assert report.suggested == 2
    assert {(r["turns"], r["code"]) for r in rows} == {("2", "NET.radgivernettverk"),
                                                       ("4", "NET.foresatte")}
    assert all(r["coder"] == "anna" for r in rows)
    memo = next(r["memo"] for r in rows if r["code"] == "NET.radgivernettverk")
    assert memo == "nøkkelord: nettverket, samling"


def test_one_keyword_is_enough_when_asked(project):
    suggestions.suggest(project, ["radgiver"], "anna", min_keywords=1)
    rows = list_codings(project, origin="suggested")
    assert ("1" not in {r["turns"] for r in rows})  # never the interviewer's turns
    assert {(r["turns"], r["code"]) for r in rows} == {("2", "NET.radgivernettverk"),
                                                       ("4", "NET.foresatte")}


def test_suggestions_count_nowhere_until_accepted(project):
    suggestions.suggest(project, ["radgiver"], "anna")
    assert quotes(project, "NET") == []
    assert {n.id: n.codings for n in code_tree(project)}["NET.foresatte"] == 0
    ids = [r["id"] for r in list_codings(project, origin="suggested", code="NET.foresatte")]
    assert suggestions.accept(project, "anna", ids) == 1
    assert [q["code"] for q in quotes(project, "NET")] == ["NET.foresatte"]
    assert suggestions.reject(project, "anna", transcript="radgiver") == 1
    assert list_codings(project, origin="suggested") == []
    assert len(list_codings(project)) == 1


def test_already_coded_turns_are_not_suggested_again(project, tmp_path):
    write(tmp_path / "c.csv", "transcript,turns,code,coder\nradgiver,4,NET.foresatte,anna\n")
    codings.import_codings(project, [tmp_path / "c.csv"])
    report = suggestions.suggest(project, ["radgiver"], "anna")
    assert report.suggested == 1 and report.skipped_already_coded == 1


def test_accepting_someone_elses_ids_is_refused(project):
    from qualcode.domain.errors import NotFoundError

    suggestions.suggest(project, ["radgiver"], "anna")
    ids = [r["id"] for r in list_codings(project, origin="suggested")]
    suggestions.suggest(project, ["radgiver"], "bjorn", codes=["NET.foresatte"])
    with pytest.raises(NotFoundError, match="not suggestions of bjorn"):
        suggestions.accept(project, "bjorn", ids)
    assert len(list_codings(project, origin="suggested", coder="anna")) == 2
