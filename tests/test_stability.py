"""Stability (intra-coder agreement): a coder recodes a sample weeks later as her second
round (``anna@2``), ``qualcode agreement --coders anna,anna@2`` compares her with her
earlier self, and the round never counts as a coder of its own anywhere else.

The coefficients are the inter-coder ones on the same count tables, so they are checked
against the same published worked examples as in test_agreement.py; what is new is the
label, the time between the rounds, and that the default coder set leaves the round out."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from fractions import Fraction

import pytest

from qualcode import agreement as stats
from qualcode.domain.errors import QualcodeError
from qualcode.domain.user_text import coder_name, coder_round
from qualcode.services import agreement_report as ar
from qualcode.services import matrix as mx
from qualcode.services.code_query import run_query
from qualcode.services.codebooks import code_tree
from qualcode.services.coding_ops import add_coding, list_codings
from qualcode.services.merge import merge_project
from qualcode.services.overview import project_status
from qualcode.services.project import open_project
from qualcode.services.retrieval import quotes
from tests.test_agreement_report import make_project, run_cli, text_length

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


def test_a_round_name_is_refused_in_one_line_on_the_command_line(recoded):
    result = run_cli(recoded, "agreement", "--coders", "anna,anna@1")
    assert result.exit_code != 0
    assert "first round is anna itself" in result.stderr + result.stdout


# --- agreement ------------------------------------------------------------------------

def test_stability_is_the_worked_example_labelled_as_stability(recoded):
    result = ar.agreement(recoded, coders="anna,anna@2", bootstrap=0)
    assert result["comparison"] == "stability"
    assert result["coders"] == ["anna", "anna@2"]
    [row] = result["codes"]
    # p_o = (20 + 15) / 50 = 0.7; p_e = 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa = 0.4, as
    # published. t2 is not in the recoded sample and is left out with the reason.
    assert (row["coded_by_all"], row["coded_by_some"], row["coded_by_none"]) == (20, 15, 15)
    assert row["percent_agreement"] == pytest.approx(70.0)
    assert Fraction(row["kappa"]).limit_denominator(1000) == Fraction(2, 5)
    ratings = [(1, 1)] * 20 + [(1, 0)] * 5 + [(0, 1)] * 10 + [(0, 0)] * 15
    assert row["kappa"] == pytest.approx(stats.cohen_kappa(ratings))
    assert row["alpha"] == pytest.approx(stats.krippendorff_alpha(ratings))
    assert row["ac1"] == pytest.approx(stats.gwet_ac1(ratings))
    assert result["transcripts"] == ["t1"]
    assert result["transcripts_left_out"] == [
        {"transcript": "t2", "reason": "not coded by anna@2", "missing": ["anna@2"]}]
    # 1 September to 13 October: 42 days between the rounds.
    [between] = result["stability"]["between"]
    assert (between["from"], between["to"], between["transcripts"]) == ("anna", "anna@2", 1)
    assert between["median_days"] == pytest.approx(42.0)
    assert result["stability"]["coder"] == "anna"


def test_the_rounds_are_compared_in_round_order_whichever_is_named_first(recoded):
    first = ar.agreement(recoded, coders="anna@2,anna", bootstrap=0)
    assert first["coders"] == ["anna", "anna@2"]
    assert first["codes"] == ar.agreement(recoded, coders="anna,anna@2", bootstrap=0)["codes"]


def test_inter_coder_agreement_leaves_the_round_out_and_says_so(recoded):
    result = ar.agreement(recoded, bootstrap=0)
    assert result["comparison"] == "inter-coder" and result["stability"] is None
    assert result["coders"] == ["anna", "bjorn"]
    assert any("anna@2 (round 2 of anna)" in note and "--coders anna,anna@2" in note
               for note in result["notes"])
    # anna and bjorn coded alike: the round, which differs, changes nothing.
    assert result["pooled"]["alpha"] == pytest.approx(1.0)


def test_rounds_and_other_coders_are_never_mixed(recoded):
    with pytest.raises(QualcodeError, match="mixes rounds of anna with other coders"):
        ar.agreement(recoded, coders="anna,anna@2,bjorn", bootstrap=0)
    result = run_cli(recoded, "agreement", "--coders", "anna,anna@2,bjorn")
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    # A second round of one coder beside another coder is inter-coder agreement.
    add_coding(recoded, "t1", "A", "bjorn@2", 0, 20)
    assert ar.agreement(recoded, coders="anna@2,bjorn@2",
                        bootstrap=0)["comparison"] == "inter-coder"


def test_the_table_json_and_csv_say_stability(recoded):
    table = run_cli(recoded, "agreement", "--coders", "anna,anna@2", "--bootstrap", "0")
    assert table.exit_code == 0, table.stderr
    assert "Stability (intra-coder agreement) of anna: rounds anna, anna@2" in table.stdout
    assert "anna → anna@2: median 42 days" in table.stdout
    assert "no inter-coder agreement" in table.stdout
    data = json.loads(run_cli(recoded, "agreement", "--coders", "anna,anna@2", "-f", "json",
                              "--bootstrap", "0").stdout)
    assert data["comparison"] == "stability"
    assert data["stability"]["between"][0]["median_days"] == pytest.approx(42.0)
    csv_out = run_cli(recoded, "agreement", "--coders", "anna,anna@2", "-f", "csv",
                      "--bootstrap", "0").stdout
    header, *rows = csv_out.splitlines()
    assert header.startswith("comparison,")
    assert all(r.startswith("stability,") for r in rows)
    inter = run_cli(recoded, "agreement", "-f", "csv", "--bootstrap", "0").stdout
    assert inter.splitlines()[1].startswith("inter-coder,")
    assert "Agreement of anna, bjorn" in run_cli(recoded, "agreement", "--bootstrap",
                                                 "0").stdout


@pytest.mark.parametrize("suffix", ["docx", "html"])
def test_the_supervisors_report_says_stability_and_the_time_between(recoded, tmp_path,
                                                                     suffix):
    path = tmp_path / f"stabilitet.{suffix}"
    result = run_cli(recoded, "export", "agreement", str(path), "--coders", "anna,anna@2",
                     "--bootstrap", "0", "--identifiable")
    assert result.exit_code == 0, result.stderr
    if suffix == "docx":
        import docx

        text = "\n".join(p.text for p in docx.Document(path).paragraphs)
    else:
        text = path.read_text(encoding="utf-8")
    assert "Stabilitet: anna mot seg selv" in text
    assert "runde 1 (anna) og runde 2 (anna@2)" in text
    assert "median 42 dager" in text
    assert "ikke samsvar mellom kodere" in text
    plain = tmp_path / f"samsvar.{suffix}"
    assert run_cli(recoded, "export", "agreement", str(plain), "--bootstrap", "0",
                   "--identifiable").exit_code == 0
    if suffix == "html":
        other = plain.read_text(encoding="utf-8")
        assert "Samsvar mellom kodere" in other and "Stabilitet" not in other


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


def test_merge_carries_the_round_and_when_it_was_coded(example, tmp_path):
    example.close()
    laptop = tmp_path / "anna_runde2.db"
    shutil.copy(example.path, laptop)
    copy = open_project(laptop)
    add_coding(copy, "nordvik_rektor", "LED", "anna@2", 0, 40)
    _set_coded_at(laptop, "anna@2", "2026-10-13 10:00:00.000000")
    supervisor = open_project(example.path)
    report = merge_project(supervisor, copy)
    assert report.added == {"anna@2": 1}
    [row] = list_codings(supervisor, coder="anna@2")
    assert (row["transcript"], row["code"], row["start"], row["end"]) == (
        "nordvik_rektor", "LED", 0, 40)
    result = ar.agreement(supervisor, coders="anna,anna@2", bootstrap=0)
    assert result["comparison"] == "stability"
    assert result["stability"]["rounds"][1]["first_coded"].startswith("2026-10-13T10:00")
    assert mx.coder_names(supervisor) == ["anna", "bjorn"]
    copy.close()
    supervisor.close()



def test_the_word_reports_method_chapter_adds_stability_and_keeps_its_counts(example,
                                                                            tmp_path):
    import docx

    from qualcode.reports import study as report
    from qualcode.services.codings import import_codings

    def method_and_tables(path):
        document = docx.Document(str(path))
        # the report's text without the lines of its table of contents
        paragraphs = [p.text for p in document.paragraphs
                      if not p.style.name.startswith("toc ")]
        said = paragraphs[paragraphs.index("Samsvar mellom koderne") + 1]
        tables = [[c.text for row in t.rows for c in row.cells] for t in document.tables]
        return paragraphs, said, tables

    report.write_report(example, tmp_path / "for.docx")
    before, said_before, tables_before = method_and_tables(tmp_path / "for.docx")
    sheet = tmp_path / "anna_runde2.csv"
    sheet.write_text(ROUND_2, encoding="utf-8")
    import_codings(example, [sheet], coder="anna@2")
    _set_coded_at(example.path, "anna", "2026-09-01 10:00:00.000000")
    _set_coded_at(example.path, "anna@2", "2026-10-13 10:00:00.000000")
    report.write_report(example, tmp_path / "etter.docx")
    after, said, tables = method_and_tables(tmp_path / "etter.docx")
    assert tables == tables_before  # every count as before: the round is not a coder
    assert said.startswith(said_before)  # anna and bjorn's agreement, unchanged
    alpha = ar.agreement(example, coders="anna,anna@2", bootstrap=0)["pooled"]["alpha"]
    assert (f"For å måle stabiliteten kodet anna 1 av intervjuene på nytt som anna@2 "
            f"(runde 2), median 42 dager etter første runde. Krippendorffs alfa mellom "
            f"rundene er {f'{alpha:.2f}'.replace('.', ',')}") in said
    assert "kodet tematisk med kodeboken" in "\n".join(after)
    assert [p for p in after if "av anna og bjorn" in p]  # the coders named: not anna@2


# --- the sample to recode -------------------------------------------------------------

def test_recode_sample_is_drawn_from_the_coders_transcripts_by_seed(example, cli):
    code, out, err = cli("coding", "recode-sample", "--coder", "anna", "--transcripts", "3",
                         "--seed", "7", "-f", "json", project=example.path)
    assert code == 0, err
    sample = json.loads(out)
    coded = {r["transcript"] for r in list_codings(example, coder="anna")}
    assert len(sample) == 3 and {r["transcript"] for r in sample} <= coded
    assert {r["coder"] for r in sample} == {"anna@2"}
    again = json.loads(cli("coding", "recode-sample", "-c", "anna", "-n", "3", "--seed", "7",
                           "-f", "json", project=example.path)[1])
    assert again == sample
    code, out, err = cli("coding", "recode-sample", "-c", "anna", "-n", "3", "--seed", "7",
                         project=example.path)
    assert "to code again as anna@2" in out and "qualcode code " in out
    assert "qualcode agreement --coders anna,anna@2" in out
    code, out, err = cli("coding", "recode-sample", "-c", "anna", "-n", "99",
                         project=example.path)
    assert code == 1 and "fewer than the 99 asked for" in err
    code, out, err = cli("coding", "recode-sample", "-c", "anna@2", "-n", "1",
                         project=example.path)
    assert code == 1 and "drawn from the first round" in err


def test_a_round_in_a_database_counts_and_compares_as_in_a_file(example, tmp_path):
    """The rule is plain SQL on both backends: a PostgreSQL project with the same round
    gives the same default views and the same stability."""
    pytest.importorskip("psycopg")
    from qualcode.services.codings import import_codings
    from tests.conftest import build_example
    from tests.test_postgres import _database, server_url

    server = server_url()  # a skip without a server, as in test_postgres.py
    sheet = tmp_path / "anna_runde2.csv"
    sheet.write_text(ROUND_2, encoding="utf-8")
    with _database(server) as url:
        database = build_example(url)
        try:
            found = []
            for store in (example, database):
                import_codings(store, [sheet], coder="anna@2")
                result = ar.agreement(store, coders="anna,anna@2", bootstrap=100)
                views = _views(store)
                # Coding ids are each backend's own (as in assert_same_study).
                views["quotes"] = [{k: v for k, v in q.items() if k != "coding"}
                                   for q in views["quotes"]]
                found.append((views, result["comparison"], result["codes"],
                              result["pooled"], result["stability"]["between"][0]["transcripts"],
                              ar.agreement(store, bootstrap=100)["notes"]))
            assert found[0] == found[1]
            assert found[1][1] == "stability"
        finally:
            database.close()
