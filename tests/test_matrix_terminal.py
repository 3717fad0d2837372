"""The terminal matrix at common widths: two-level column headers are wrapped (at compound
boundaries when a word is too long), never cut off, and a column that is empty in every
row is left out and named below the table unless --keep-empty."""

from __future__ import annotations

import pytest

from qualcode.cli.analysis import _wrap_header


def _header(out: str) -> str:
    """The header rows of the table: the lines between the top rule and the header rule."""
    lines = out.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("┏"))
    rule = next(i for i, line in enumerate(lines) if line.startswith("┡"))
    return "\n".join(lines[top + 1:rule])


def _columns(header: str) -> list[str]:
    """Each column's header words, read down the column (hyphenated parts joined)."""
    rows = [[cell.strip() for cell in line.strip("┃").split("┃")] for line in
            header.splitlines()]
    found = []
    for cells in zip(*rows, strict=True):
        text = ""
        for cell in cells:
            if not cell:
                continue
            text = text[:-1] + cell if text.endswith("-") else f"{text} {cell}".strip()
        found.append(text)
    return found


@pytest.mark.parametrize("columns", [100, 120])
def test_two_level_headers_are_whole_at_common_widths(cli, example, columns):
    code, out, err = cli("matrix", "--cols", "rolle", "--cols", "skoleslag", "--rows",
                         "depth:0", project=example.path, columns=columns)
    assert code == 0, err
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= columns
    assert _columns(_header(out))[1:] == [
        "rektor ungdomsskole", "rektor videregående skole", "rådgiver ungdomsskole",
        "rådgiver videregående skole", "lærer ungdomsskole", "lærer videregående skole",
        "total"]


def test_a_column_empty_in_every_row_is_left_out_and_named(cli, example):
    code, out, _ = cli("matrix", "--cols", "rolle", "--cols", "skoleslag", "--rows",
                       "depth:0", project=example.path, columns=120)
    assert code == 0
    assert "elev" not in _header(out)
    said = " ".join(out.split())
    assert ("Left out, empty in every row: elev / videregående skole (--keep-empty shows it)."
            in said)
    code, out, _ = cli("matrix", "--cols", "rolle", "--cols", "skoleslag", "--rows",
                       "depth:0", "--keep-empty", project=example.path, columns=120)
    assert code == 0
    assert "elev videregående skole" in _columns(_header(out))
    assert "Left out" not in out


def test_a_narrow_column_breaks_a_long_word_at_its_compound_boundary():
    assert _wrap_header("videregående skole", 8) == ["videre-", "gående", "skole"]
    assert _wrap_header("videregående skole", 18) == ["videregående skole"]
    assert _wrap_header("rådgiver", 6) == ["råd-", "giver"]
    assert all(len(line) <= 5 for line in _wrap_header("kvalitetsrammeverket", 5))
