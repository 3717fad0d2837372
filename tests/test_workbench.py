"""The coder's workbench (`qualcode code`): keys pressed in the app, codings read back from
the store. Each test drives the Textual app headless with its pilot."""

from __future__ import annotations

import asyncio

from qualcode.cli import workbench
from qualcode.services.coding_ops import (
    add_coding,
    list_codings,
    remove_coding,
    sentence_span,
    set_memo,
    undo_last,
)
from qualcode.services.overview import list_transcripts
from qualcode.services.queries import transcript_turns

T = "nordvik_rektor"
SIZE = (120, 40)


def run(app, steps) -> None:
    """Run ``steps(pilot)`` inside the app, in a plain synchronous test."""
    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            await steps(pilot)
            await pilot.pause()

    asyncio.run(main())


def codings(store, coder="anna", transcript=T) -> list[dict]:
    return list_codings(store, transcript=transcript, coder=coder)


def turns(store, transcript=T) -> list[dict]:
    return transcript_turns(store, transcript)["turns"]


def free_turn(store, coder="anna", transcript=T, *, after=0) -> dict:
    """An informant's turn (after turn ``after``) with none of the coder's codings, and a
    free turn after it."""
    taken = {(c["start"], c["end"]) for c in codings(store, coder, transcript)}
    all_turns = turns(store, transcript)
    for turn, following in zip(all_turns, all_turns[1:], strict=False):
        if turn["index"] <= after or turn["role"] == "intervjuer":
            continue
        if not any(s < turn["end"] and e > turn["start"] for s, e in taken) and \
                not any(s < following["end"] and e > following["start"] for s, e in taken):
            return turn
    raise AssertionError("the example has no free turn")


def free_run(store, n: int, coder="anna", transcript=T) -> list[dict]:
    """``n`` turns in a row, the first an informant's, with none of the coder's codings."""
    taken = [(c["start"], c["end"]) for c in codings(store, coder, transcript)]
    all_turns = turns(store, transcript)
    for i in range(len(all_turns) - n + 1):
        run_ = all_turns[i:i + n]
        if run_[0]["role"] != "intervjuer" and not any(
                s < t["end"] and e > t["start"] for t in run_ for s, e in taken):
            return run_
    raise AssertionError(f"the example has no {n} free turns in a row")


async def go_to(pilot, index: int) -> None:
    await pilot.press("g", *["j"] * (index - 1))
    await pilot.pause()


async def find_and_apply(pilot, text: str) -> None:
    await pilot.press("slash")
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


def view(app, index: int):
    return app.query_one(f"#turn-{index}")


def new_rows(before: list[dict], after: list[dict]) -> list[dict]:
    seen = {r["id"] for r in before}
    return [r for r in after if r["id"] not in seen]


def test_apply_a_code_to_one_turn(example):
    turn = free_turn(example)
    before = codings(example)
    app = workbench.create_app(example, T, "anna")

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        assert view(app, turn["index"]).has_class("-cursor")
        await find_and_apply(pilot, "forank")
        assert "LED.forankring_eier" in view(app, turn["index"]).plain
        assert view(app, turn["index"]).has_class("-coded")
        assert app.focused is app.query_one("#transcript")  # back to the text after enter

    run(app, steps)
    [row] = new_rows(before, codings(example))
    assert (row["code"], row["start"], row["end"]) == ("LED.forankring_eier", turn["start"],
                                                       turn["end"])
    assert row["origin"] == "manual"


def test_parallel_codes_on_one_selection_and_recent_code_keys(example):
    turn = free_turn(example)
    other = free_turn(example, after=turn["index"] + 1)
    before = codings(example)
    app = workbench.create_app(example, T, "anna")

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        await find_and_apply(pilot, "forank")
        await find_and_apply(pilot, "res knapp")  # every word must match
        assert app.model.recent[:2] == ["RAM.ressurser_knappe", "LED.forankring_eier"]
        shown = view(app, turn["index"]).plain
        assert "LED.forankring_eier" in shown and "RAM.ressurser_knappe" in shown
        await go_to(pilot, other["index"])
        await pilot.press("2")  # the second most recent code
        await pilot.pause()

    run(app, steps)
    rows = new_rows(before, codings(example))
    spans = {(r["code"], r["start"], r["end"]) for r in rows}
    assert spans == {("LED.forankring_eier", turn["start"], turn["end"]),
                     ("RAM.ressurser_knappe", turn["start"], turn["end"]),
                     ("LED.forankring_eier", other["start"], other["end"])}


def test_a_range_of_turns_runs_from_the_first_turn_to_the_end_of_the_last(example):
    all_turns = turns(example)
    first = free_turn(example)
    last = all_turns[first["index"] + 1]  # two turns further down
    before = codings(example)
    app = workbench.create_app(example, T, "anna")

    async def steps(pilot):
        await go_to(pilot, first["index"])
        await pilot.press("shift+down", "J")
        await pilot.pause()
        assert app.model.selection_label() == f"turns {first['index']}–{last['index']}"
        for index in range(first["index"], last["index"] + 1):
            assert view(app, index).has_class("-selected")
        await find_and_apply(pilot, "frafall")
        assert app.model.selection_label() == f"turns {first['index']}–{last['index']}"
        await pilot.press("K")  # shrink it again by one turn from below
        await pilot.pause()
        assert not view(app, last["index"]).has_class("-selected")

    run(app, steps)
    [row] = new_rows(before, codings(example))
    assert (row["code"], row["start"], row["end"]) == ("UTB.frafall", first["start"],
                                                       last["end"])
    assert row["turns"] == f"{first['index']}-{last['index']}"


def test_sentence_mode_codes_sentences_two_to_three(example):
    with_sentences = transcript_turns(example, T, sentences=True)["turns"]
    turn = next(t for t in with_sentences if len(t["sentences"]) >= 4
                and t["role"] != "intervjuer")
    before = codings(example)
    app = workbench.create_app(example, T, "anna")

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.model.sentence_mode
        await pilot.press("j", "J")  # sentence 2, extended to sentence 3
        await pilot.pause()
        assert app.model.selection_label().endswith("sentences 2–3 of "
                                                    f"{len(turn['sentences'])}")
        assert "⟨3⟩" in view(app, turn["index"]).plain
        await find_and_apply(pilot, "elevunders")
        assert app.model.sentence_mode  # the selection stays for parallel coding
        await pilot.press("escape")
        await pilot.pause()
        assert not app.model.sentence_mode
        assert "KUN.elevundersokelsen (part)" in view(app, turn["index"]).plain

    run(app, steps)
    [row] = new_rows(before, codings(example))
    assert (row["start"], row["end"]) == sentence_span(example, T, turn["index"], 2, 3)
    assert (row["start"], row["end"]) == (turn["sentences"][1]["start"],
                                          turn["sentences"][2]["end"])


def test_undo_takes_back_the_last_applied_coding(example):
    turn = free_turn(example)
    before = codings(example)
    app = workbench.create_app(example, T, "anna")

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        await find_and_apply(pilot, "forank")
        await find_and_apply(pilot, "frafall")
        assert len(codings(example)) == len(before) + 2  # written at once, not on quit
        await pilot.press("u")
        await pilot.pause()
        shown = view(app, turn["index"]).plain
        assert "UTB.frafall" not in shown and "LED.forankring_eier" in shown

    run(app, steps)
    [row] = new_rows(before, codings(example))
    assert row["code"] == "LED.forankring_eier"


def test_memo_lands_on_the_coding(example):
    turn = free_turn(example)
    app = workbench.create_app(example, T, "anna")

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        await find_and_apply(pilot, "forank")
        await pilot.press("m")  # one coding on the turn: straight to the memo
        await pilot.pause()
        await pilot.press(*"viktig")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await find_and_apply(pilot, "frafall")
        await pilot.press("m")  # two codings: choose; the last one touched comes first
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"mer om frafall")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "✎" in view(app, turn["index"]).plain

    run(app, steps)
    memos = {r["code"]: r["memo"] for r in codings(example)
             if (r["start"], r["end"]) == (turn["start"], turn["end"])}
    assert memos == {"LED.forankring_eier": "viktig", "UTB.frafall": "mer om frafall"}


def test_a_memo_keeps_its_line_breaks(example):
    turn = free_turn(example)
    app = workbench.create_app(example, T, "anna")

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        await find_and_apply(pilot, "forank")
        await pilot.press("m")
        await pilot.pause()
        assert type(app.screen).__name__ == "MemoScreen"
        await pilot.press(*"rektor eier planen", "enter", *"men ikke tiden")
        await pilot.pause()
        assert type(app.screen).__name__ == "MemoScreen"  # enter is a new line, not save
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ != "MemoScreen"
        assert "memo saved" in app.message.plain

    run(app, steps)
    [row] = [r for r in codings(example) if (r["start"], r["end"], r["code"]) ==
             (turn["start"], turn["end"], "LED.forankring_eier")]
    assert row["memo"] == "rektor eier planen\nmen ikke tiden"


def test_a_multi_line_memo_saved_without_edits_stays_as_it_was(example):
    turn = free_turn(example)
    memo = "første linje\n\n  innrykket, med mellomrom bak  \nsiste linje"
    pk = add_coding(example, T, "UTB.frafall", "anna", turn["start"], turn["end"]).pk
    set_memo(example, pk, memo, coder="anna")
    before = codings(example)
    app = workbench.create_app(example, T, "anna")

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        await pilot.press("m")
        await pilot.pause()
        assert app.screen.query_one("#memo").text == memo  # the lines as they were
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "unchanged" in app.message.plain
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"slettes ikke", "escape")  # esc cancels the edit
        await pilot.pause()
        assert type(app.screen).__name__ != "MemoScreen"

    run(app, steps)
    assert codings(example) == before
    assert undo_last(example, "anna") == f"undid update of coding #{pk}"  # the memo set above


def test_cut_one_turn_out_of_a_three_turn_coding(example):
    first, middle, last = free_run(example, 3)
    before = codings(example)
    app = workbench.create_app(example, T, "anna")

    async def steps(pilot):
        await go_to(pilot, first["index"])
        await pilot.press("J", "J")
        await find_and_apply(pilot, "frafall")
        await pilot.press("escape", "k")  # the middle turn alone (J moved the cursor)
        await pilot.pause()
        await find_and_apply(pilot, "forank")  # a second coding there: X asks which
        # the middle turn is the interviewer's question: coding it is asked about first
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("y")
        await pilot.pause()
        await pilot.press("X")
        await pilot.pause()
        assert type(app.screen).__name__ == "Picker"
        await pilot.press("down", "enter")  # the last one touched (forankring) is first
        await pilot.pause()
        assert app.message.plain == (
            f"cut turn {middle['index']} out of UTB.frafall: now 2 codings, "
            f"turn {first['index']} and turn {last['index']}")
        assert "UTB.frafall" not in view(app, middle["index"]).plain
        assert "LED.forankring_eier" in view(app, middle["index"]).plain
        for turn in (first, last):
            shown = view(app, turn["index"]).plain
            assert "UTB.frafall" in shown and "(part)" not in shown and "–" not in shown

    run(app, steps)
    rows = new_rows(before, codings(example))
    assert sorted((r["code"], r["start"], r["end"]) for r in rows) == sorted([
        ("UTB.frafall", first["start"], first["end"]),
        ("LED.forankring_eier", middle["start"], middle["end"]),
        ("UTB.frafall", last["start"], last["end"])])


def test_cut_a_sentence_out_of_a_coded_turn(example):
    with_sentences = transcript_turns(example, T, sentences=True)["turns"]
    taken = [(c["start"], c["end"]) for c in codings(example)]
    turn = next(t for t in with_sentences if len(t["sentences"]) >= 3
                and t["role"] != "intervjuer"
                and not any(s < t["end"] and e > t["start"] for s, e in taken))
    before = codings(example)
    app = workbench.create_app(example, T, "anna")

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        await find_and_apply(pilot, "frafall")
        await pilot.press("s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("j", "X")  # sentence 2
        await pilot.pause()
        assert app.message.plain.startswith(f"cut turn {turn['index']}, sentence 2 of ")
        assert app.message.plain.endswith(f"now 2 codings, part of turn {turn['index']} "
                                          f"and part of turn {turn['index']}")

    run(app, steps)
    one, two, three = turn["sentences"][:3]
    rows = new_rows(before, codings(example))
    # The space between the sentences goes with the cut one.
    assert [(r["code"], r["start"], r["end"]) for r in rows] == [
        ("UTB.frafall", turn["start"], one["end"]), ("UTB.frafall", three["start"], turn["end"])]


def test_cut_without_a_coding_on_the_selection_says_so(example):
    turn = free_turn(example)
    before = codings(example)
    app = workbench.create_app(example, T, "anna")

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        await pilot.press("X")
        await pilot.pause()
        assert app.message.plain == f"no coding of yours on turn {turn['index']} to cut it " \
                                    "out of"

    run(app, steps)
    assert codings(example) == before


def test_blind_by_default_and_others_shown_with_show_others(example):
    bjorn = codings(example, "bjorn")
    assert bjorn
    index = int(bjorn[0]["turns"].split("-")[0])
    label = f"bjorn: {bjorn[0]['code']}"
    anna_total = len(list_codings(example, coder="anna"))

    blind = workbench.create_app(example, T, "anna")

    async def blind_steps(pilot):
        views = list(blind.query(".turn"))
        assert not any("bjorn" in v.plain for v in views)
        assert not any(v.has_class("-others") for v in views)
        assert {m.coder for m in blind.model.marks} == {"anna"}
        tops = [c for c, e in blind.model.codes.items() if e.parent is None]
        assert sum(blind.model.counts[c] for c in tops) == anna_total  # own counts only

    run(blind, blind_steps)

    open_ = workbench.create_app(example, T, "anna", show_others=True)

    async def open_steps(pilot):
        assert label in view(open_, index).plain
        assert view(open_, index).has_class("-others")

    run(open_, open_steps)


def test_remove_one_coding_or_choose_among_several(example):
    turn = free_turn(example)
    before = codings(example)
    app = workbench.create_app(example, T, "anna")

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        await find_and_apply(pilot, "forank")
        await pilot.press("x")  # the only coding of anna here: removed at once
        await pilot.pause()
        assert "LED.forankring_eier" not in view(app, turn["index"]).plain
        await find_and_apply(pilot, "forank")
        await find_and_apply(pilot, "frafall")
        await pilot.press("x")  # two: a list, the last applied first
        await pilot.pause()
        assert type(app.screen).__name__ == "Picker"
        await pilot.press("escape")  # cancelling keeps both
        await pilot.pause()
        assert len(app.model.candidates()) == 2
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()

    run(app, steps)
    rows = new_rows(before, codings(example))
    assert [r["code"] for r in rows] == ["UTB.frafall"]


def test_errors_from_the_store_are_shown_not_raised(example):
    turn = free_turn(example)
    app = workbench.create_app(example, T, "anna")

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        await find_and_apply(pilot, "forank")
        [mark] = app.model.candidates()
        remove_coding(example, mark.id)  # another window removes it meanwhile
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"for sent")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert f"no coding #{mark.id}" in app.message.plain
        assert "LED.forankring_eier" not in view(app, turn["index"]).plain  # caught up

    run(app, steps)


def test_suggestions_are_marked_and_can_be_accepted(example):
    turn = free_turn(example)
    add_coding(example, T, "UTB.frafall", "anna", turn["start"], turn["end"],
               origin="suggested")
    app = workbench.create_app(example, T, "anna")

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        assert "?UTB.frafall" in view(app, turn["index"]).plain
        assert not view(app, turn["index"]).has_class("-coded")
        await pilot.press("a")
        await pilot.pause()
        assert "?UTB.frafall" not in view(app, turn["index"]).plain
        assert view(app, turn["index"]).has_class("-coded")

    run(app, steps)
    [row] = [r for r in codings(example) if r["start"] == turn["start"]]
    assert (row["code"], row["origin"]) == ("UTB.frafall", "manual")


def test_help_documents_the_keys_and_blocks_coding_keys(example):
    before = codings(example)
    app = workbench.create_app(example, T, "anna")
    text = workbench.help_text()
    for keys in ("↓ j", "shift+↓ J", "s", "/", "enter", "1 … 9", "x", "X", "m", "a", "u", "d",
                 "?", "q", "esc", "tab"):
        assert f"\n  {keys}" in text, keys

    async def steps(pilot):
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("1", "u")  # no coding behind the help
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ != "HelpScreen"

    run(app, steps)
    assert codings(example) == before


def test_opening_the_largest_example_transcript_mounts_every_turn(example):
    largest = max(list_transcripts(example), key=lambda t: t["words"])
    app = workbench.create_app(example, largest["name"], "anna")

    async def steps(pilot):
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(app.query(".turn")) == largest["turns"]
        await pilot.press("G")
        await pilot.pause()
        assert view(app, largest["turns"]).has_class("-cursor")
        assert f"/{largest['turns']} turns coded" in app.query_one("#status").text.plain

    run(app, steps)


def test_unknown_transcript_is_a_one_line_error(cli, example):
    code, _, err = cli("code", "nordvik_rektr", "--coder", "anna", project=example.path)
    assert code == 1
    assert "no transcript named 'nordvik_rektr'" in err and "nordvik_rektor" in err


def test_the_first_enter_applies_nothing_until_a_code_is_chosen(example):
    """The codebook opens on its first code, which nobody chose: enter in the transcript
    says so instead of coding the turn with it."""
    turn = free_turn(example)
    before = codings(example)
    app = workbench.create_app(example, T, "anna")
    first_code = app.model.children[None][0]
    chosen = {}

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        await pilot.press("enter")
        await pilot.pause()
        assert codings(example) == before
        assert app.message.plain.startswith("choose a code first")
        assert app.highlighted_code() == first_code
        await pilot.press("slash", "down", "escape")  # the codebook's cursor moves down
        await pilot.pause()
        chosen["code"] = app.highlighted_code()
        await pilot.press("enter")
        await pilot.pause()

    run(app, steps)
    assert chosen["code"] != first_code
    [row] = new_rows(before, codings(example))
    assert (row["code"], row["start"], row["end"]) == (chosen["code"], turn["start"],
                                                       turn["end"])


def test_keys_typed_while_the_sentences_load_act_on_the_turn_they_were_meant_for(example):
    import threading

    with_sentences = transcript_turns(example, T, sentences=True)["turns"]
    turn = next(t for t in with_sentences if len(t["sentences"]) >= 4
                and t["role"] != "intervjuer")
    before = codings(example)
    app = workbench.create_app(example, T, "anna")
    loaded = threading.Event()  # the sentences arrive when the test says so
    segment = app.model.load_sentences

    def slow_load() -> None:
        loaded.wait(10)
        segment()

    app.model.load_sentences = slow_load

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        await pilot.press("s", "j", "J")  # meant: sentence 2, extended to sentence 3
        await pilot.pause()
        assert not app.model.sentence_mode
        assert app.model.selection_label() == f"turn {turn['index']}"  # j did not move on
        await find_and_apply(pilot, "elevunders")  # meant for those sentences too
        assert codings(example) == before
        loaded.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.model.selection_label() == (
            f"turn {turn['index']}, sentences 2–3 of {len(turn['sentences'])}")

    run(app, steps)
    [row] = new_rows(before, codings(example))
    assert (row["start"], row["end"]) == sentence_span(example, T, turn["index"], 2, 3)


def test_interviewer_turns_are_marked_and_coding_one_is_asked_once(example):
    interviewer = [t for t in turns(example) if t["role"] == "intervjuer"]
    taken = {(c["start"], c["end"]) for c in codings(example)}
    first, second = [t for t in interviewer if (t["start"], t["end"]) not in taken][:2]
    informant = free_turn(example)
    before = codings(example)
    app = workbench.create_app(example, T, "anna")

    async def steps(pilot):
        assert view(app, first["index"]).has_class("-interviewer")
        assert "interviewer · not counted" in view(app, first["index"]).plain
        assert not view(app, informant["index"]).has_class("-interviewer")
        await go_to(pilot, first["index"])
        await find_and_apply(pilot, "forank")
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")  # no: nothing is coded, and the question stays
        await pilot.pause()
        assert codings(example) == before
        assert app.message.plain == f"turn {first['index']} not coded"
        await find_and_apply(pilot, "forank")
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("y")
        await pilot.pause()
        await go_to(pilot, second["index"])
        await find_and_apply(pilot, "frafall")  # asked once: now coded without a question
        assert type(app.screen).__name__ != "ConfirmScreen"

    run(app, steps)
    rows = new_rows(before, codings(example))
    assert sorted((r["code"], r["start"]) for r in rows) == sorted([
        ("LED.forankring_eier", first["start"]), ("UTB.frafall", second["start"])])


def test_a_code_typed_in_one_burst_after_slash_lands_in_the_filter(example):
    """"/forank⏎" typed (or pasted) faster than the screen follows reaches the transcript
    before the focus moves to the filter; it still finds and applies that code."""
    from textual import events

    turn = free_turn(example)
    before = codings(example)
    app = workbench.create_app(example, T, "anna")

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        for key, character in [("slash", "/"), *((c, c) for c in "forank"),
                               ("enter", "\r")]:
            app.post_message(events.Key(key, character))
        await pilot.pause()
        await pilot.pause()

    run(app, steps)
    [row] = new_rows(before, codings(example))
    assert (row["code"], row["start"], row["end"]) == ("LED.forankring_eier", turn["start"],
                                                       turn["end"])


def test_memos_on_the_interview_and_its_informant_are_read_and_written_with_M(example):
    """M shows the interview's memos and the memo on the current turn's informant, blind
    to the other coders' as the codings are; the coder's own memo on the interview is
    written, changed and removed there, each time in the log under the coder's name."""
    from qualcode.services.log import read_log
    from qualcode.services.memos import add_memo, list_memos

    turn = next(t for t in turns(example) if t["person"] and t["role"] != "intervjuer")
    add_memo(example, f"transcript:{T}", "Opptaket stopper etter 40 min.", author="veileder")
    add_memo(example, f"transcript:{T}", "Bjørns tolkning av rektor.", author="bjorn")
    add_memo(example, f"person:{turn['person']}", "Ny som rektor i 2021.", author="veileder")
    app = workbench.create_app(example, T, "anna")
    assert "\n  M " in workbench.help_text()

    async def steps(pilot):
        await go_to(pilot, turn["index"])
        await pilot.press("M")
        await pilot.pause()
        assert type(app.screen).__name__ == "MemosScreen"
        shown = app.screen.query_one("#memos-read > Static").content.plain
        assert "Opptaket stopper etter 40 min." in shown and "Ny som rektor i 2021." in shown
        assert "Bjørns tolkning" not in shown and "1 memo(s) by other coders" in shown
        await pilot.press(*"Rektor snakker mest om tid.", "enter", *"Se turn 12.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ != "MemosScreen"
        assert "saved" in app.message.plain
        await pilot.press("M")
        await pilot.pause()
        assert app.screen.query_one("#transcript-memo").text == \
            "Rektor snakker mest om tid.\nSe turn 12."
        await pilot.press("ctrl+s")  # saved without an edit: nothing written
        await pilot.pause()
        assert "unchanged" in app.message.plain
        await pilot.press("M")
        await pilot.pause()
        await pilot.press(*" Og om NAV.", "ctrl+s")
        await pilot.pause()
        await pilot.press("M")
        await pilot.pause()
        await pilot.press(*"kastes", "escape")  # esc cancels
        await pilot.pause()

    run(app, steps)
    [own] = [m for m in list_memos(example, f"transcript:{T}") if m["author"] == "anna"]
    assert own["text"] == "Rektor snakker mest om tid.\nSe turn 12. Og om NAV."
    assert [e["action"] for e in read_log(example, entity="memo", actor="anna")] == [
        "update", "add"]

    app = workbench.create_app(example, T, "anna")

    async def remove(pilot):
        await pilot.press("M")
        await pilot.pause()
        app.screen.query_one("#transcript-memo").text = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "removed" in app.message.plain

    run(app, remove)
    assert [m["author"] for m in list_memos(example, f"transcript:{T}")] == ["bjorn",
                                                                           "veileder"]
