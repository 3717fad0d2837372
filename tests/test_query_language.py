"""The query language parses what the README shows and says where a broken query breaks."""

from __future__ import annotations

import pytest

from qualcode.query_language import (
    Code,
    Combine,
    Condition,
    QuerySyntaxError,
    codes_in,
    describe,
    parse,
)


def test_and_binds_tighter_than_or():
    tree = parse("LED OR RAM AND ORG")
    assert tree.op == "OR"
    assert tree.left == Code("LED", 1)
    assert tree.right.op == "AND"
    assert describe(tree) == "LED OR (RAM AND ORG)"


def test_parentheses_change_the_grouping():
    assert describe(parse("(LED OR RAM) AND ORG")) == "(LED OR RAM) AND ORG"


def test_not_and_and_not_mean_the_same():
    assert describe(parse("LED NOT RAM")) == describe(parse("LED AND NOT RAM")) == "LED NOT RAM"


def test_near_takes_a_number_of_turns():
    tree = parse("LED.delegert_til_radgiver NEAR 2 RAM")
    assert isinstance(tree, Combine) and tree.op == "NEAR" and tree.distance == 2
    assert [c.code_id for c in codes_in(tree)] == ["LED.delegert_til_radgiver", "RAM"]


def test_in_binds_tightest():
    tree = parse("LED IN ORG AND RAM")
    assert tree.op == "AND" and tree.left.op == "IN"


def test_operators_in_lower_case():
    assert describe(parse("led and ram or not_a_keyword")) == "(led AND ram) OR not_a_keyword"


def test_attribute_conditions():
    tree = parse('LED AND rolle = rektor AND antall_radgivere > 1 AND navn != "Nordvik skole"')
    conditions = [tree.left.left.right, tree.left.right, tree.right]
    assert conditions == [Condition("rolle", "=", ("rektor",), 9),
                          Condition("antall_radgivere", ">", ("1",), 28),
                          Condition("navn", "!=", ("Nordvik skole",), 53)]


def test_value_list_with_lower_case_in():
    tree = parse("LED AND skoleslag in (videregående, ungdomsskole) AND nettverksdeltaker = ja")
    assert tree.left.right == Condition("skoleslag", "in", ("videregående", "ungdomsskole"), 9)
    assert tree.right.values == ("ja",)


def test_capital_in_is_always_inside():
    tree = parse("LED IN (ORG)")
    assert tree == Combine("IN", Code("LED", 1), Code("ORG", 9), 5)


def test_describe_round_trips():
    for text in ["(LED OR RAM) NEAR 3 ORG", 'LED AND navn = "Vestbø vgs"',
                 "LED AND rolle in (rektor, radgiver)", "LED IN (ORG NOT RAM)"]:
        assert describe(parse(describe(parse(text)))) == describe(parse(text))


@pytest.mark.parametrize("text, column, reason", [
    ("LED AND (RAM OR", 16, "expected a code or '(', not the end"),
    ("LED AND", 8, "expected a code or '(', not the end"),
    ("LED RAM", 5, "expected AND, OR, NOT, NEAR or IN, not 'RAM'"),
    ("(LED OR RAM", 12, "expected ')' to close the '(' at 1"),
    ("LED NEAR RAM", 10, "expected a number of turns after NEAR"),
    ("rolle = ", 9, "expected a value, not the end"),
    ("rolle in (rektor radgiver)", 1, ""),
    ("", 1, "the query is empty"),
    ("LED AND OR RAM", 9, "expected a code or '(', not 'OR'"),
])
def test_syntax_errors_say_where(text, column, reason):
    with pytest.raises(QuerySyntaxError) as info:
        parse(text)
    assert info.value.column == column or reason == ""
    assert reason in str(info.value)
    message = str(info.value)
    assert message.startswith("query: at ") and "\n" not in message
    assert message.endswith("see qualcode query --help")


def test_the_caret_points_at_the_column():
    with pytest.raises(QuerySyntaxError) as info:
        parse("LED AND (RAM OR")
    assert str(info.value) == ("query: at 16: expected a code or '(', not the end — "
                               "see qualcode query --help")
    assert info.value.caret() == "LED AND (RAM OR\n               ^"
