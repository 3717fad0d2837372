"""`coding add --chars`: a span that starts or ends inside a word, or runs into an
interviewer's turn, is coded as given with a one-line warning; --snap codes whole words of
the informant's turns instead."""

from __future__ import annotations

import json

import pytest

from qualcode.services import codebooks, ingest
from qualcode.services.project import init_project
from tests.conftest import CODEBOOK, write

RECTOR = """---
site: nordvik
speakers: {Rektor: kari}
---
Intervjuer: Hvem har ansvaret for karriereveiledningen?
Rektor: Ansvaret ligger hos meg som rektor.
Intervjuer: Og rådgiveren?
Rektor: Hun leder arbeidet med elevene.
"""


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "nordvik.db"
    store = init_project(path)
    codebooks.load_into_project(store, CODEBOOK)
    ingest.import_attributes(store, [write(tmp_path / "attributes.yaml", (
        "sites:\n  nordvik: {navn: Nordvik skole, skoleslag: ungdomsskole}\n"
        "persons:\n  kari: {site: nordvik, rolle: rektor}\n"))])
    ingest.import_transcripts(store, [write(tmp_path / "nordvik_rektor.txt", RECTOR)])
    store.close()
    return path


def _turns(cli, project) -> list[dict]:
    return json.loads(cli("show", "nordvik_rektor", "-f", "json", project=project)[1])


def _add(cli, project, chars: str, *more: str):
    return cli("coding", "add", "nordvik_rektor", "--chars", chars, "-k", "LED",
               "-c", "cecilie", *more, project=project)


def _coded(cli, project) -> list[tuple[int, int]]:
    rows = json.loads(cli("coding", "list", "-f", "json", "-c", "cecilie",
                          project=project)[1])
    return [(r["start"], r["end"]) for r in rows]


def _at(turn: dict, word: str, offset: int = 0) -> int:
    return turn["start"] + turn["text"].index(word) + offset


def test_a_span_inside_words_warns_in_one_line_and_is_coded_as_given(cli, project):
    answer = _turns(cli, project)[1]  # "Ansvaret ligger hos meg som rektor."
    start, end = _at(answer, "Ansvaret", 2), _at(answer, "rektor", 3)
    code, out, err = _add(cli, project, f"{start}-{end}")
    assert code == 0 and "added coding" in out
    assert err.count("\n") == 1 and err.startswith("warning: ")
    assert "starts inside the word 'Ansvaret'" in err and "ends inside the word 'rektor'" in err
    assert _coded(cli, project) == [(start, end)]


def test_a_span_running_into_the_interviewers_turn_warns(cli, project):
    question, answer = _turns(cli, project)[:2]
    start, end = _at(question, "ansvaret"), answer["end"]
    code, _, err = _add(cli, project, f"{start}-{end}")
    assert code == 0
    assert "runs into the interviewer's turn 1" in err and "inside the word" not in err
    assert _coded(cli, project) == [(start, end)]


def test_a_span_on_word_and_turn_boundaries_says_nothing(cli, project):
    answer = _turns(cli, project)[1]
    code, _, err = _add(cli, project, f"{answer['start']}-{_at(answer, ' som')}")
    assert code == 0 and err == ""


def test_snap_codes_whole_words_of_the_informants_turns(cli, project):
    question, answer, _, last = _turns(cli, project)
    code, _, err = _add(cli, project, f"{_at(answer, 'Ansvaret', 2)}-{_at(answer, 'rektor', 3)}",
                        "--snap")
    assert code == 0 and err == ""
    assert _coded(cli, project) == [(_at(answer, "Ansvaret"), _at(answer, "rektor", 6))]
    # the end of the first question is left out (the second, inside the span, stays), and
    # the last word is made whole; the coding above is extended to it
    code, _, err = _add(cli, project, f"{_at(question, 'veiledningen')}-{_at(last, 'elevene', 2)}",
                        "--snap")
    assert code == 0 and err == ""
    assert _coded(cli, project) == [(answer["start"], _at(last, "elevene", 7))]


def test_snap_cannot_move_a_span_that_lies_in_the_interviewers_turn(cli, project):
    question = _turns(cli, project)[0]
    code, _, err = _add(cli, project, f"{_at(question, 'Hvem')}-{_at(question, 'har', 2)}",
                        "--snap")
    assert code == 0
    assert "lies in the interviewer's turn 1" in err and err.count("\n") == 1
    assert _coded(cli, project) == [(_at(question, "Hvem"), _at(question, "har", 3))]
