"""Reconciling two coders into a consensus layer (`qualcode reconcile`): the service, the
automatic modes, resuming, and the Textual app driven by its pilot."""

from __future__ import annotations

import asyncio

import pytest

from qualcode.cli.reconcile_app import ReconcileApp
from qualcode.domain.errors import QualcodeError
from qualcode.services import agreement_report as ar
from qualcode.services import reconcile as rc
from qualcode.services.coding_ops import list_codings, undo_last
from tests.test_agreement_report import TEXT_100, TURNS_TEXT, make_project, row_of, run_cli

# Code A in t1 (100 characters): anna [0, 40) and [60, 80); bjorn [20, 50) and [90, 95).
# Passages: [0, 50) (boundaries differ), [60, 80) (only anna), [90, 95) (only bjorn).
# Code B: both coders [0, 10) — identical, copied to the consensus layer as agreed.
ROWS = [("t1", "A", "anna", 0, 40), ("t1", "A", "anna", 60, 80),
        ("t1", "A", "bjorn", 20, 50), ("t1", "A", "bjorn", 90, 95),
        ("t1", "B", "anna", 0, 10), ("t1", "B", "bjorn", 0, 10)]


@pytest.fixture
def store(tmp_path):
    s = make_project(tmp_path, {"t1": TEXT_100}, ROWS)
    yield s
    s.close()


def spans(store, coder, code=None):
    return sorted((c["code"], c["start"], c["end"]) for c in list_codings(store, coder=coder)
                  if code is None or c["code"] == code)


def layers(store):
    """Everything the two coders have, with every stored field that could change."""
    return [(c["id"], c["code"], c["coder"], c["start"], c["end"], c["origin"], c["memo"],
             c["text"]) for c in list_codings(store) if c["coder"] in ("anna", "bjorn")]


def test_auto_union_keeps_the_union_of_the_merged_spans(store):
    before = layers(store)
    summary = rc.auto(store, "anna,bjorn", "union")
    assert spans(store, "consensus") == [("A", 0, 50), ("A", 60, 80), ("A", 90, 95),
                                         ("B", 0, 10)]
    assert {c["origin"] for c in list_codings(store, coder="consensus")} == {"consensus"}
    assert summary["decided_now"] == 4 and summary["agreed"] == 1
    assert layers(store) == before
    # Running it again decides nothing new and writes nothing.
    again = rc.auto(store, "anna,bjorn", "union")
    assert again["decided_now"] == 0
    assert len(spans(store, "consensus")) == 4


def test_auto_intersection_keeps_only_what_both_coded(store):
    before = layers(store)
    rc.auto(store, "anna,bjorn", "intersection")
    assert spans(store, "consensus") == [("A", 20, 40), ("B", 0, 10)]
    assert layers(store) == before


def test_auto_through_the_command_line_with_a_named_consensus_coder(store):
    result = run_cli(store, "reconcile", "--coders", "anna,bjorn", "--auto", "intersection",
                     "--consensus", "felles")
    assert result.exit_code == 0, result.stderr
    assert "passage(s) decided by intersection" in result.stdout
    assert spans(store, "felles") == [("A", 20, 40), ("B", 0, 10)]
    assert spans(store, "consensus") == []
    refused = run_cli(store, "reconcile", "--coders", "anna,bjorn")  # no terminal here
    assert refused.exit_code != 0 and "--auto" in refused.stderr


def test_decisions_are_saved_one_by_one_and_resuming_skips_them(store):
    before = layers(store)
    rec = rc.start(store, "anna,bjorn")
    assert spans(store, "consensus") == [("B", 0, 10)]  # the agreed passage
    pending = rec.pending()
    assert [(i.code, i.start, i.end, i.kind) for i in pending] == [
        ("A", 0, 50, "boundaries differ"), ("A", 60, 80, "only anna"),
        ("A", 90, 95, "only bjorn")]
    assert rec.decide(pending[0], "a") == [(0, 40)]
    assert rec.decide(pending[1], "neither") == []
    # Starting again (as after quitting) sees both decisions and offers only the last.
    resumed = rc.start(store, "anna,bjorn")
    assert [(i.start, i.end) for i in resumed.pending()] == [(90, 95)]
    assert resumed.summary() == {"coders": ["anna", "bjorn"], "consensus": "consensus",
                                 "passages": 4, "agreed": 1, "disagreements": 3,
                                 "decided": 2, "pending": 1}
    codings = list_codings(store, coder="consensus")
    assert sorted((c["code"], c["start"], c["end"]) for c in codings) == [
        ("A", 0, 40), ("B", 0, 10)]
    assert any("keep anna" in (c["memo"] or "") for c in codings)
    # The agreed passage is copied once, not again on resuming.
    assert len([c for c in codings if c["code"] == "B"]) == 1
    resumed.decide(resumed.pending()[0], "b")
    assert spans(store, "consensus", "A") == [("A", 0, 40), ("A", 90, 95)]
    assert layers(store) == before


def test_undoing_a_decision_brings_the_passage_back(store):
    rec = rc.start(store, "anna,bjorn")
    first = rec.pending()[0]
    rec.decide(first, "both")
    assert spans(store, "consensus", "A") == [("A", 0, 50)]
    assert undo_last(store, "consensus").startswith("undid add")
    assert spans(store, "consensus", "A") == []
    assert rc.start(store, "anna,bjorn").pending()[0].key == first.key


def test_edit_span_by_turns(tmp_path):
    from qualcode.services.queries import transcript_turns

    probe = make_project(tmp_path / "probe", {"t1": TURNS_TEXT}, [])
    turns = transcript_turns(probe, "t1")["turns"]
    probe.close()
    store = make_project(tmp_path, {"t1": TURNS_TEXT},
                         [("t1", "A", "anna", turns[1]["start"], turns[1]["end"]),
                          ("t1", "A", "bjorn", turns[1]["start"] + 5, turns[1]["end"])])
    rec = rc.start(store, "anna,bjorn")
    item = rec.pending()[0]
    bounds = rec.turns("t1")
    span = (item.start, item.end)
    assert rc.shift_span(bounds, span, "end", 1) == (turns[1]["start"], turns[2]["end"])
    assert rc.shift_span(bounds, span, "start", -1) == (turns[0]["start"], turns[1]["end"])
    assert rc.shift_span(bounds, span, "start", 1) == span  # would leave nothing
    assert rc.shift_span(bounds, span, "end", -1) == span
    wide = rc.shift_span(bounds, (turns[0]["start"], turns[3]["end"]), "end", -1)
    assert wide == (turns[0]["start"], turns[2]["end"])
    assert rec.decide(item, "edit", [wide]) == [wide]
    assert spans(store, "consensus") == [("A", *wide)]
    with pytest.raises(QualcodeError):
        rc.start(store, "anna,bjorn").decide(item, "edit", [])


def test_reconcile_refuses_bad_coders(store):
    with pytest.raises(QualcodeError, match="exactly two coders"):
        rc.start(store, "anna")
    with pytest.raises(QualcodeError, match="cannot be anna's own layer"):
        rc.start(store, "anna,bjorn", consensus="anna")
    with pytest.raises(QualcodeError, match="union or --auto intersection"):
        rc.auto(store, "anna,bjorn", "majority")


def test_agreement_compares_a_coder_with_the_consensus_layer(store):
    rc.auto(store, "anna,bjorn", "union")
    # By default the consensus layer is not a coder of its own.
    default = ar.agreement(store, bootstrap=0)
    assert default["coders"] == ["anna", "bjorn"]
    assert any("consensus layer consensus left out" in n for n in default["notes"])
    result = ar.agreement(store, coders="anna,consensus", bootstrap=0)
    row = row_of(result, "A")
    # anna [0, 40) + [60, 80) = 60; consensus [0, 50) + [60, 80) + [90, 95) = 75;
    # both 60, consensus only 15 ([40, 50) and [90, 95)), neither 25.
    # p_o = 85/100; p_e = (60*75 + 40*25) / 100^2 = 0.55; kappa = 0.30 / 0.45 = 2/3.
    assert row["coded"] == {"anna": 60, "consensus": 75}
    assert (row["coded_by_all"], row["coded_by_some"], row["coded_by_none"]) == (60, 15, 25)
    assert row["kappa"] == pytest.approx(2 / 3)
    cli = run_cli(store, "agreement", "--coders", "anna,consensus", "-f", "json")
    assert cli.exit_code == 0, cli.stderr


def run_app(app, steps) -> None:
    async def main():
        async with app.run_test(size=(110, 36)) as pilot:
            await pilot.pause()
            await steps(pilot)
            await pilot.pause()

    asyncio.run(main())


def test_the_app_records_keys_as_decisions(store):
    before = layers(store)
    rec = rc.start(store, "anna,bjorn")
    app = ReconcileApp(rec)

    async def steps(pilot):
        await pilot.press("b")  # [0, 50): keep bjorn's [20, 50)
        await pilot.press("n")  # [60, 80): neither
        await pilot.press("k")  # back to [60, 80): already decided, nothing happens
        await pilot.press("a")
        assert "already decided" in app.message
        await pilot.press("j", "j")
        await pilot.press("2")  # [90, 95): both
        await pilot.press("q")

    run_app(app, steps)
    assert spans(store, "consensus", "A") == [("A", 20, 50), ("A", 90, 95)]
    assert rc.start(store, "anna,bjorn").pending() == []
    assert layers(store) == before


def test_the_app_edits_a_span_by_turns_and_resumes(tmp_path):
    from qualcode.services.queries import transcript_turns

    probe = make_project(tmp_path / "probe", {"t1": TURNS_TEXT}, [])
    turns = transcript_turns(probe, "t1")["turns"]
    probe.close()
    t2 = turns[1]
    store = make_project(tmp_path, {"t1": TURNS_TEXT},
                         [("t1", "A", "anna", t2["start"], t2["end"]),
                          ("t1", "A", "bjorn", t2["start"] + 5, t2["end"]),
                          ("t1", "B", "anna", turns[3]["start"], turns[3]["end"])])
    rec = rc.start(store, "anna,bjorn")
    app = ReconcileApp(rec)

    async def steps(pilot):
        await pilot.press("e", "plus", "plus", "escape")  # cancelled: nothing written
        await pilot.press("e", "plus", "left_square_bracket", "enter")

    run_app(app, steps)
    # The edit started from the union (turn 2), the end moved to turn 3's end and the start
    # to turn 1's start.
    assert spans(store, "consensus", "A") == [("A", turns[0]["start"], turns[2]["end"])]
    # Resuming: only B's passage is left, and the app shows it first.
    resumed = rc.start(store, "anna,bjorn")
    assert [(i.code, i.kind) for i in resumed.pending()] == [("B", "only anna")]
    again = ReconcileApp(resumed)

    async def quit_at_once(pilot):
        assert again.item.code == "B"
        await pilot.press("q")

    run_app(again, quit_at_once)
    assert spans(store, "consensus", "B") == []


def test_after_reconcile_quotes_and_the_matrix_count_the_same_layer(example):
    """The consensus layer is a layer of its own: `quotes` and `matrix` both read the
    coders' own codings by default, and both read the consensus layer when asked."""
    from qualcode.services import matrix as mx
    from qualcode.services.retrieval import quotes

    rc.auto(example, "anna,bjorn", "union")

    def matrix_refs(layer) -> int:
        m = mx.build_matrix(example, rows=["LED"], depth=0, columns=["rolle"], layer=layer,
                            words=False)
        return m.rows[0].total.references

    own = quotes(example, "LED")
    assert {q["coder"] for q in own} == {"anna", "bjorn"}
    agreed = quotes(example, "LED", consensus=True)
    assert agreed and {q["coder"] for q in agreed} == {"consensus"}
    # The matrix counts a passage once where codings of LED's codes overlap: unite them.
    passages = 0
    for name in {q["transcript"] for q in agreed}:
        end = -1
        for start, stop in sorted((q["start"], q["end"]) for q in agreed
                                  if q["transcript"] == name):
            passages += start > end
            end = max(end, stop) if start <= end else stop
    assert matrix_refs(mx.Layer.consensus()) == passages
