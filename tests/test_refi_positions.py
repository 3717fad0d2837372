"""What REFI-QDA positions count, told from the evidence: every convention real programs
use, on a hand-made interview with æøå, emoji beyond the Basic Multilingual Plane (two
UTF-16 code units) and CRLF line ends."""

from __future__ import annotations

import pytest

from qualcode.domain.text import normalise_text
from qualcode.importers.refi_positions import (
    CONVENTIONS,
    PositionError,
    Span,
    detect,
    normalise_with_offsets,
    read_with,
)

LINES = [
    "Intervjuer: Hva gjør rådgiveren på Nordvik skole? 🙂",
    "Rektor: Kari følger opp elevene 🎓 og lager planer for året.",
    "Intervjuer: Og lærerne?",
    "Rektor: Ola tar ansvar på ungdomstrinnet 👍🏽 når det trengs.",
    "Rådgiver: Vi snakker med foreldrene før jul.",
]
PASSAGES = ["Kari følger opp elevene", "lager planer for året", "Ola tar ansvar",
            "når det trengs", "Vi snakker med foreldrene", "Og lærerne"]


def units(text: str, convention: str) -> int:
    """How many units ``text`` counts for under a convention (written independently of
    the code under test: by transforming and encoding the text)."""
    unit, _, breaks = convention.partition("-")
    if breaks == "crlf":
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    elif breaks == "lf":
        text = text.replace("\r\n", "\n")
    if unit == "utf16":
        return len(text.encode("utf-16-le")) // 2
    if unit == "utf8":
        return len(text.encode("utf-8"))
    return len(text)


def file_text(convention: str) -> str:
    """The plain text as a program writing that convention puts it in its zip: LF when it
    counts CRLF (NVivo for Windows), CRLF otherwise (ATLAS.ti counts those as one)."""
    newline = "\n" if convention.endswith("-crlf") else "\r\n"
    return newline.join(LINES) + newline


def spans_for(text: str, convention: str, *, snippets: bool) -> list[Span]:
    spans = []
    for passage in PASSAGES:
        at = text.index(passage)
        start = units(text[:at], convention)
        spans.append(Span(start, start + units(passage, convention),
                          passage if snippets else None))
    return spans


@pytest.mark.parametrize("snippets", [True, False], ids=["with-snippets", "word-boundaries"])
@pytest.mark.parametrize("convention", ["codepoints", "utf16", "utf16-crlf", "codepoints-lf",
                                        "utf8", "codepoints-crlf"])
def test_each_convention_is_detected_and_cuts_the_coded_words(convention, snippets):
    text = file_text(convention)
    reading = detect(text, spans_for(text, convention, snippets=snippets))
    assert reading.convention == convention
    assert [text[start:end] for start, end in reading.spans] == PASSAGES


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_a_forced_convention_reads_exactly_that_way(convention):
    text = file_text(convention)
    reading = detect(text, spans_for(text, convention, snippets=False), forced=convention)
    assert [text[start:end] for start, end in reading.spans] == PASSAGES


def test_a_text_that_cannot_tell_conventions_apart_takes_the_standards():
    text = "Rektor: Ja, vi har en plan.\nIntervjuer: Takk."
    reading = detect(text, [Span(8, 10, "Ja")])
    assert reading.convention == "codepoints" and reading.spans == [(8, 10)]


def test_positions_that_fit_no_convention_are_refused():
    text = file_text("codepoints")
    with pytest.raises(PositionError, match="fit no known convention"):
        detect(text, [Span(5, len(text.encode("utf-8")) + 40)])


def test_shifted_positions_that_cut_words_are_refused_not_imported():
    text = file_text("codepoints")
    shifted = [Span(s.start + 3, s.end + 3) for s in spans_for(text, "codepoints",
                                                                 snippets=False)]
    with pytest.raises(PositionError, match="word boundaries"):
        detect(text, shifted)


def test_snippets_outweigh_word_boundaries():
    # "på Nordvik" and "Nordvik skole" are both whole words: only the snippet can tell
    # which one a file shifted by one word meant.
    text = "Rådgiveren 🙂 på Nordvik skole."
    at = text.index("Nordvik skole")
    utf16_start = units(text[:at], "utf16")
    reading = detect(text, [Span(utf16_start, utf16_start + 13, "Nordvik skole")])
    assert reading.convention == "utf16"
    assert text[slice(*reading.spans[0])] == "Nordvik skole"


def test_a_position_inside_a_surrogate_pair_does_not_fit_utf16():
    text = "Ja 🙂 nei"
    assert read_with(text, [Span(4, 6)], "utf16") is None  # 🙂 is units 3-4


def test_the_stored_text_and_the_map_keep_every_passage():
    raw = "\ufeff\r\n  \r\nRektor: Kari  \r\nsier ja\u0301 \r\nRådgiver: Ola.\r\n\r\n"
    stored, where = normalise_with_offsets(raw)
    assert stored == normalise_text(raw)
    for passage in ("Kari", "sier já", "Ola."):
        start = raw.index(passage) if passage != "sier já" else raw.index("sier ja")
        end = start + (len(passage) if passage != "sier já" else len("sier ja\u0301"))
        assert stored[where(start):where(end)] == passage


@pytest.mark.parametrize("convention", ["codepoints-lf", "utf16-crlf", "codepoints"])
def test_whole_lines_start_after_the_line_break_and_end_before_it(convention):
    text = file_text(convention)
    lines = [LINES[1], LINES[3]]
    reading = detect(text, spans_for_passages(text, convention, lines), forced=convention)
    assert [text[start:end] for start, end in reading.spans] == lines


def spans_for_passages(text: str, convention: str, passages: list[str]) -> list[Span]:
    spans = []
    for passage in passages:
        at = text.index(passage)
        start = units(text[:at], convention)
        spans.append(Span(start, start + units(passage, convention)))
    return spans
