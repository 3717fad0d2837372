"""Code queries on the hand-built study of test_matrix, where every span is known.

Spans per code (turns as `qualcode show` numbers them; suggestions never count):
  A = A.x + A.y: fg 2-3, nv_rektor 1-2, nv_rektor 3, nv_radgiver 2-3
  B: fg 4-5 (anna's 5 and bjorn's 4-5 united), nv_rektor 4
  Z: "Det er viktig", inside nv_rektor 4
"""

from __future__ import annotations

import json

import pytest

from qualcode.domain.errors import NotFoundError
from qualcode.query_language import QuerySyntaxError
from qualcode.services import code_query
from qualcode.services.coding_ops import list_codings, undo_last
from qualcode.services.queries import transcript_turns
from tests.test_matrix import build_study
from tests.test_postgres import pg_url, postgres_server  # noqa: F401  (fixtures)


@pytest.fixture
def study(tmp_path):
    store = build_study(tmp_path / "study")
    yield store
    store.close()


def found(store, text: str, **kw) -> list[tuple[str, list[int]]]:
    return [(p["transcript"], p["turns"]) for p in code_query.run_query(store, text, **kw)
            .passages]


def test_a_code_includes_its_sub_codes(study):
    assert found(study, "A") == [("fg", [2, 3]), ("nv_radgiver", [2, 3]),
                                 ("nv_rektor", [1, 2]), ("nv_rektor", [3])]
    assert found(study, "A.y") == [("fg", [2, 3]), ("nv_rektor", [3])]


def test_and_keeps_the_text_both_cover(study):
    result = code_query.run_query(study, "B AND Z")
    assert [p["text"] for p in result.passages] == ["Det er viktig"]
    assert result.passages[0]["codes"] == ["B", "Z"]


def test_an_empty_result_says_what_each_part_found(study):
    result = code_query.run_query(study, "A AND B")
    assert result.passages == []
    assert result.explain() == "A: 4; B: 2; A AND B: 0"


def test_or_unites(study):
    assert found(study, "B OR Z") == [("fg", [4, 5]), ("nv_rektor", [4])]


def test_not_drops_spans_that_overlap(study):
    assert found(study, "B NOT Z") == [("fg", [4, 5])]
    assert found(study, "B AND NOT Z") == found(study, "B NOT Z")


def test_in_keeps_spans_inside(study):
    assert found(study, "Z IN B") == [("nv_rektor", [4])]
    assert found(study, "B IN Z") == []


def test_near_counts_turns(study):
    assert found(study, "A NEAR 1 B") == [("fg", [2, 3]), ("fg", [4, 5]),
                                          ("nv_rektor", [3]), ("nv_rektor", [4])]
    assert found(study, "A NEAR 0 B") == []
    assert len(found(study, "A NEAR 2 B")) == 5  # nv_rektor 1-2 is two turns from 4


def test_conditions_hold_for_the_speakers_turns(study):
    result = code_query.run_query(study, "A AND rolle = rektor")
    assert [(p["transcript"], p["text"]) for p in result.passages] == [
        ("fg", "Vi leder godt her."), ("nv_rektor", "Rådgiveren leder tjenesten.")]
    assert [p["attribution"] for p in result.passages] == [
        "Rektor, ungdomsskole", "Rektor, videregående skole"]


def test_conditions_fold_spellings_and_compare_numbers(study):
    assert found(study, "A AND skoleslag = videregående") == [
        ("nv_radgiver", [2, 3]), ("nv_rektor", [1, 2]), ("nv_rektor", [3])]
    assert found(study, "A AND skoleslag != videregaaende") == [("fg", [2, 3])]
    assert found(study, "A AND stilling > 40") == [("nv_radgiver", [2])]
    assert found(study, "A AND stilling < 40") == []
    # a rektor's and then a lærer's turn: one stretch
    assert found(study, "A AND rolle in (rektor, lærer)") == [("fg", [2, 3]), ("nv_rektor", [2])]


def test_booleans_read_ja_and_nei(tmp_path):
    from qualcode.services import ingest
    from tests.conftest import write

    store = build_study(tmp_path / "s")
    ingest.import_attributes(store, [write(tmp_path / "more.yaml", "persons:\n"
                                           "  nv_radgiver: {nettverk: true}\n"
                                           "  su_rektor: {nettverk: false}\n")])
    assert found(store, "A AND nettverk = ja") == [("nv_radgiver", [2])]
    assert found(store, "A AND nettverk = nei") == [("fg", [2])]
    assert found(store, "A AND nettverk = TRUE") == found(store, "A AND nettverk = ja")


def test_one_coders_codings(study):
    assert found(study, "A", coders=["bjorn"]) == [("nv_radgiver", [2, 3])]


def test_unknown_names_suggest_the_nearest(study):
    with pytest.raises(NotFoundError, match="at 7: no code 'Ax' — did you mean 'A.x'"):
        code_query.run_query(study, "B AND Ax")
    with pytest.raises(NotFoundError, match="no attribute named 'roll' — did you mean 'rolle'"):
        code_query.run_query(study, "A AND roll = rektor")
    with pytest.raises(QuerySyntaxError):
        code_query.run_query(study, "A AND")


def test_matrix_counts_passages_and_informants(study):
    result = code_query.run_query(study, "A AND rolle in (rektor, laerer)")
    m = code_query.query_matrix(result, ["rolle", "skoleslag"])
    cells = {(c["row"], c["rolle"], c["skoleslag"]): (c["passages"], c["informants"])
             for c in m["cells"]}
    assert cells == {
        ("A", "laerer", "ungdomsskole"): (1, 1), ("A", "rektor", "ungdomsskole"): (1, 1),
        ("A", "rektor", "videregaende"): (1, 1),
        ("alle treff", "laerer", "ungdomsskole"): (1, 1),
        ("alle treff", "rektor", "ungdomsskole"): (1, 1),
        ("alle treff", "rektor", "videregaende"): (1, 1)}
    rektor = code_query.query_matrix(result, ["rolle"])
    assert [(c["row"], c["rolle"], c["passages"], c["informants"]) for c in rektor["cells"]
            ] == [("A", "laerer", 1, 1), ("A", "rektor", 2, 2),
                  ("alle treff", "laerer", 1, 1), ("alle treff", "rektor", 2, 2)]


def test_coding_the_results_is_one_undoable_action(study):
    result = code_query.run_query(study, "A NEAR 1 B")
    assert code_query.code_results(study, result, "Z", "carl") == 4
    coded = list_codings(study, coder="carl")
    assert [(c["transcript"], c["turns"], c["code"]) for c in coded] == [
        ("fg", "2-3", "Z"), ("fg", "4-5", "Z"), ("nv_rektor", "3", "Z"), ("nv_rektor", "4", "Z")]
    assert all(c["memo"] == "query: A NEAR 1 B" for c in coded)
    assert "and of 3 more codings" in undo_last(study, "carl")
    assert list_codings(study, coder="carl") == []


def test_saved_queries_are_kept_by_name(study):
    assert code_query.save_query(study, "ledelse", "a  and   b or z") == "(a AND b) OR z"
    code_query.save_query(study, "naer", "A NEAR 1 B")
    assert [(q["name"], q["query"]) for q in code_query.saved_queries(study)] == [
        ("ledelse", "(a AND b) OR z"), ("naer", "A NEAR 1 B")]
    assert code_query.saved_query(study, "naer") == "A NEAR 1 B"
    with pytest.raises(NotFoundError, match="did you mean 'naer'"):
        code_query.saved_query(study, "naeer")
    code_query.delete_query(study, "naer")
    assert [q["name"] for q in code_query.saved_queries(study)] == ["ledelse"]
    with pytest.raises(QuerySyntaxError):
        code_query.save_query(study, "broken", "A AND")


def test_cli_quotes_matrix_and_errors(study, cli):
    project = study.path
    code, out, err = cli("query", "A AND rolle = rektor", "-f", "json", project=project)
    assert code == 0
    rows = json.loads(out)
    assert [r["text"] for r in rows] == ["Vi leder godt her.", "Rådgiveren leder tjenesten."]
    code, out, _ = cli("query", "A AND rolle = rektor", "--cols", "skoleslag", "-f", "csv",
                       project=project)
    assert out.splitlines() == ["row,skoleslag,passages,informants", "A,ungdomsskole,1,1",
                                "A,videregaende,1,1", "alle treff,ungdomsskole,1,1",
                                "alle treff,videregaende,1,1"]
    code, out, err = cli("query", "A AND (B OR", project=project)
    assert code == 1 and out == ""
    assert err.strip() == ("error: query: at 12: expected a code or '(', not the end — "
                           "see qualcode query --help")
    code, out, err = cli("query", "A AND B", project=project)
    assert code == 0 and "found: A: 4; B: 2; A AND B: 0" in " ".join(out.split())
    code, out, err = cli("query", "B NOT Z", "--save", "utenz", "-f", "csv", project=project)
    assert code == 0 and "saved as utenz" in err and out.startswith("attribution,")
    code, out, _ = cli("query", "--saved", "utenz", "-f", "json", project=project)
    assert [r["turns"] for r in json.loads(out)] == [[4, 5]]
    code, out, _ = cli("queries", "-f", "csv", project=project)
    assert out.splitlines()[1].startswith("utenz,B NOT Z,")
    code, out, err = cli("query", "Z IN B", "--code-into", "A.y", "--coder", "dina",
                         project=project)
    assert code == 0 and "coded 1 passage(s) with A.y for dina" in out
    assert [c["text"] for c in list_codings(study, coder="dina")] == ["Det er viktig"]
    turns = transcript_turns(study, "nv_rektor")["turns"]
    assert turns[3]["text"].startswith("Det er viktig")


def test_a_team_project_in_postgresql_answers_the_same(study, pg_url):  # noqa: F811
    from qualcode.services.words import keyword_in_context, word_frequencies
    from qualcode.store.copy import copy_project

    shared, _ = copy_project(study, pg_url)
    try:
        for text in ["A AND rolle = rektor", "A NEAR 1 B", "B NOT Z", "Z IN B",
                     "A AND stilling > 40", "A AND B"]:
            assert ([(p["transcript"], p["turns"], p["text"]) for p in
                     code_query.run_query(shared, text).passages] ==
                    [(p["transcript"], p["turns"], p["text"]) for p in
                     code_query.run_query(study, text).passages]), text
        assert code_query.save_query(shared, "naer", "A NEAR 1 B") == "A NEAR 1 B"
        assert code_query.saved_query(shared, "naer") == "A NEAR 1 B"
        assert word_frequencies(shared, by="rolle") == word_frequencies(study, by="rolle")
        assert keyword_in_context(shared, "leder") == keyword_in_context(study, "leder")
        result = code_query.run_query(shared, "Z IN B")
        assert code_query.code_results(shared, result, "A.y", "dina") == 1
        assert undo_last(shared, "dina").startswith("undid add of coding")
    finally:
        shared.close()


def test_the_default_layer_is_the_matrix_s_the_consensus_only_when_named(study):
    """A query counts what `matrix` and `quotes` count when no coder is named: every
    coder's own codings, not the consensus layer beside them (which would count a
    reconciled passage twice)."""
    from qualcode.services import coding_ops, retrieval
    from tests.test_matrix import _turn

    turn = _turn(study, "nv_radgiver", 2)
    coding_ops.add_coding(study, "nv_radgiver", "B", "konsensus", turn["start"], turn["end"],
                          origin="consensus")
    assert ("nv_radgiver", [2]) not in found(study, "B")
    assert found(study, "B", coders=["konsensus"]) == [("nv_radgiver", [2])]
    quoted = {(q["transcript"]) for q in retrieval.quotes(study, "B")}
    assert "nv_radgiver" not in quoted  # quotes and the query read the same layer
    m = code_query.query_matrix(code_query.run_query(study, "B"), ["rolle"])
    assert "radgiver" not in {c["rolle"] for c in m["cells"]}
