"""Stability (intra-coder agreement): a coder recodes a sample weeks later as her second
round (``anna@2``), ``qualcode agreement --coders anna,anna@2`` compares her with her
earlier self, and the round never counts as a coder of its own anywhere else.

The coefficients are the inter-coder ones on the same count tables, so they are checked
against the same published worked examples as in test_agreement.py; what is new is the
label, the time between the rounds, and that the default coder set leaves the round out."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

from qualcode.domain.errors import QualcodeError
from qualcode.domain.user_text import coder_name, coder_round
from qualcode.services import matrix as mx
from qualcode.services.code_query import run_query
from qualcode.services.codebooks import code_tree
from qualcode.services.coding_ops import list_codings
from qualcode.services.overview import project_status
from qualcode.services.retrieval import quotes
from tests.test_agreement_report import make_project, text_length

# 50 characters: "Intervjuer: Hei.\nRektor: " (25) + 25 characters of answer.
TEXT_50 = "Intervjuer: Hei.\nRektor: " + ("bla " * 7)[:25]


def _set_coded_at(path, coder: str, moment: str) -> None:
    """The moment a coder's codings were made (weeks pass between rounds; a test cannot
    wait for them)."""
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE coding SET created_at = ?, updated_at = ? WHERE coder_pk = "
                   "(SELECT pk FROM coder WHERE name = ?)", (moment, moment, coder))


@pytest.fixture
def recoded(tmp_path):
    """Wikipedia's worked example of Cohen's kappa ("Cohen's kappa", 50 proposals: yes/yes
    20, yes/no 5, no/yes 10, no/no 15) as characters of one transcript, code A: anna
    codes [0, 25) on 1 September, her second round anna@2 [5, 35) on 13 October; bjorn
    codes what anna coded.

    both [5, 25) = 20, anna only [0, 5) = 5, anna@2 only [25, 35) = 10, neither = 15."""
    store = make_project(tmp_path, {"t1": TEXT_50, "t2": TEXT_50},
                         [("t1", "A", "anna", 0, 25), ("t1", "A", "anna@2", 5, 35),
                          ("t1", "A", "bjorn", 0, 25), ("t2", "A", "anna", 0, 10),
                          ("t2", "A", "bjorn", 0, 10)])
    assert text_length(store, "t1") == 50
    _set_coded_at(store.path, "anna", "2026-09-01 10:00:00.000000")
    _set_coded_at(store.path, "anna@2", "2026-10-13 10:00:00.000000")
    yield store
    store.close()


# --- the name --------------------------------------------------------------------------

def test_a_round_is_the_coder_name_with_a_round_number():
    assert coder_round("anna@2") == ("anna", 2)
    assert coder_round("anna") == ("anna", 1)
    assert coder_round("kari.nordmann@uib.no") == ("kari.nordmann@uib.no", 1)  # no round
    for name, message in [("anna@1", "first round is anna itself"),
                          ("anna@02", "leading zero"), ("@2", "names a round but no coder"),
                          ("anna@2@3", "round of a round"), ("anna @2", "space before")]:
        with pytest.raises(QualcodeError, match=message):
            coder_name(name)


def test_a_round_name_is_refused_in_one_line_on_the_command_line(example, cli):
    code, out, err = cli("coding", "add", "nordvik_rektor", "--turns", "6", "-k", "LED",
                         "--coder", "anna@1", project=example.path)
    assert code != 0 and "first round is anna itself" in err


# --- every other count: a round is not a coder ----------------------------------------

ROUND_2 = """\
transcript,turns,start,end,code,coder,memo
nordvik_rektor,6,,,RAM.saarbarhet_personavhengig,anna,
nordvik_rektor,8,,,LED.delegert_til_radgiver,anna,
nordvik_rektor,10,,,LED.rektor_sparring,anna,
nordvik_rektor,12-14,,,LED.forankring_eier,anna,
nordvik_rektor,18,,,KOM.kunnskapsbehov,anna,andre runde
"""


def _views(store) -> dict:
    """What a user sees of the default layer: matrix, frequencies, quotes, a query, the
    codebook's counts and the project's coders."""
    status = project_status(store)
    return {
        "matrix": mx.matrix_json(mx.build_matrix(store, rows=["all"],
                                                 columns=["rolle", "skoleslag"], quotes=2)),
        "frequencies": mx.frequencies(store),
        "quotes": quotes(store, "LED"),
        "query": run_query(store, "LED OR KOM").passages,
        "codebook": [(n.id, n.codings, n.codings_with_descendants, n.coders)
                     for n in code_tree(store)],
        "coders": status["coders"],
    }


def test_a_second_round_changes_no_default_count(example, cli, tmp_path):
    before = _views(example)
    sheet = tmp_path / "anna_runde2.csv"
    sheet.write_text(ROUND_2, encoding="utf-8")
    code, out, err = cli("coding", "import", str(sheet), "--coder", "anna@2",
                         project=example.path)
    assert code == 0, err
    assert "anna@2 5" in out
    assert {r["coder"] for r in list_codings(example, coder="anna@2")} == {"anna@2"}
    after = _views(example)
    assert after == before
    # Named, the round is counted like any layer.
    own = mx.build_matrix(example, rows=["all"], layer=mx.Layer.coder("anna@2"))
    assert own.total_row.total.references == 5
    assert len(quotes(example, "KOM.kunnskapsbehov", coders=["anna@2"])) == 1
    assert mx.Layer.union().describe(mx.coder_names(example)) == "union of anna, bjorn"
    code, out, err = cli("matrix", "--coders", "anna,anna@2", "-f", "json",
                         project=example.path)
    assert code == 0, err


def test_coding_import_as_a_round_refuses_a_file_of_two_coders(example, cli, tmp_path):
    sheet = tmp_path / "two.csv"
    sheet.write_text(ROUND_2 + "nordvik_rektor,6,,,LED,bjorn,\n", encoding="utf-8")
    code, out, err = cli("coding", "import", str(sheet), "--coder", "anna@2",
                         project=example.path)
    assert code == 1 and "holds codings by anna, bjorn" in err.replace("hold ", "holds ")
    assert list_codings(example, coder="anna@2") == []
    # A file without a coder column is one coder's when --coder names it.
    bare = tmp_path / "bare.csv"
    bare.write_text("transcript,turns,code\nnordvik_rektor,6,LED\n", encoding="utf-8")
    code, out, err = cli("coding", "import", str(bare), "--coder", "anna@2",
                         project=example.path)
    assert code == 0, err
    assert [r["coder"] for r in list_codings(example, coder="anna@2")] == ["anna@2"]


def test_coding_add_and_the_workbench_write_the_round(example, cli):
    code, out, err = cli("coding", "add", "nordvik_rektor", "--turns", "6", "-k", "LED",
                         "--coder", "anna@2", project=example.path)
    assert code == 0, err
    from qualcode.cli import workbench
    from tests.test_workbench import find_and_apply, free_turn, go_to, run

    turn = free_turn(example, coder="anna@2")
    app = workbench.create_app(example, "nordvik_rektor", "anna@2")

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        await find_and_apply(pilot, "forank")

    run(app, steps)
    rows = list_codings(example, coder="anna@2")
    assert {(r["code"], r["origin"]) for r in rows} == {("LED", "manual"),
                                                        ("LED.forankring_eier", "manual")}
    assert mx.coder_names(example) == ["anna", "bjorn"]
