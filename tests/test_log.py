"""`qualcode log`: the audit log as a researcher reads it — who did what, when, filtered by
coder, kind and time, with codings named by code and transcript."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from qualcode.domain.errors import InputFileError
from qualcode.services.coding_ops import add_coding, remove_coding, turn_span, undo_last
from qualcode.services.common import get_transcript
from qualcode.services.log import parse_since, read_log


def _turn(store, n: int) -> tuple[int, int]:
    with store.read() as session:
        return turn_span(session, get_transcript(session, "nordvik_rektor"), n, n)


def test_the_log_names_each_coders_actions_newest_first(example):
    pk = add_coding(example, "nordvik_rektor", "UTB.frafall", "anna", *_turn(example, 4)).pk
    remove_coding(example, pk, coder="anna")
    undo_last(example, "anna")
    events = read_log(example, actor="anna")
    assert [(e["action"], e["entity"], e["key"]) for e in events] == [
        ("undo", "undo", str(pk)), ("remove", "coding", str(pk)), ("add", "coding", str(pk))]
    assert events[1]["code"] == "UTB.frafall" and events[1]["transcript"] == "nordvik_rektor"
    assert [e["action"] for e in read_log(example, actor="anna", action="add")] == ["add"]
    assert read_log(example, actor="nobody") == []


def test_the_log_is_cut_by_time_and_by_count(example):
    add_coding(example, "nordvik_rektor", "LED", "anna", *_turn(example, 2))
    now = datetime.now(timezone.utc)
    assert len(read_log(example, since=now - timedelta(minutes=5), actor="anna")) == 1
    assert read_log(example, since=now + timedelta(minutes=5)) == []
    assert read_log(example, until=now - timedelta(days=365)) == []
    assert len(read_log(example, limit=3)) == 3
    everything = read_log(example, limit=None)
    assert len(everything) > 3 and [e["id"] for e in everything] == sorted(
        (e["id"] for e in everything), reverse=True)


@pytest.mark.parametrize("text, expected", [
    ("90m", timedelta(minutes=90)), ("12h", timedelta(hours=12)), ("3d", timedelta(days=3)),
    ("2w", timedelta(weeks=2)),
])
def test_an_age_counts_back_from_now(text, expected):
    now = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)
    assert parse_since(text, now=now) == now - expected


def test_a_date_is_read_and_anything_else_refused():
    assert parse_since("2026-11-30T14:00+00:00") == datetime(2026, 11, 30, 14, 0,
                                                             tzinfo=timezone.utc)
    with pytest.raises(InputFileError, match="is not a date, a time or an age"):
        parse_since("i går")


def test_the_command_prints_a_table_and_json_for_other_programs(example, cli):
    add_coding(example, "nordvik_rektor", "LED", "anna", *_turn(example, 2))
    code, out, _ = cli("log", "-c", "anna", project=example.path)
    assert code == 0 and "1 event(s), newest first" in out and "LED · nordvik_rektor" in out
    code, out, _ = cli("log", "-c", "anna", "-f", "json", project=example.path)
    (event,) = json.loads(out)
    assert event["action"] == "add" and event["after"]["quote"]
    code, _, err = cli("log", "--since", "1x", project=example.path)
    assert code == 1 and "is not a date" in err
