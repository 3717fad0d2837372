"""Text decoding and normalisation: what every importer relies on before offsets are stored."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qualcode.domain.text as text_module
from qualcode.domain.text import (
    ascii_fold,
    count_words,
    count_words_in,
    decode_bytes,
    normalise_text,
)

SENTENCE = "Rådgiver på skolen ærlig"


# --- decode_bytes ----------------------------------------------------------------------

def test_decode_utf8():
    """Plain UTF-8 files (the default of modern editors) are read as UTF-8."""
    assert decode_bytes(SENTENCE.encode("utf-8")) == (SENTENCE, "utf-8")


def test_decode_utf8_with_bom_drops_the_bom():
    """Notepad's 'UTF-8 with BOM': the BOM is not part of the text."""
    data = b"\xef\xbb\xbf" + SENTENCE.encode("utf-8")
    assert decode_bytes(data) == (SENTENCE, "utf-8-sig")


def test_decode_utf16_le_with_bom():
    """Word's 'Unicode text' export (UTF-16 LE with BOM) keeps æøå."""
    data = b"\xff\xfe" + SENTENCE.encode("utf-16-le")
    assert decode_bytes(data) == (SENTENCE, "utf-16")


def test_decode_utf16_be_with_bom():
    """UTF-16 big-endian with a BOM is read in the right byte order."""
    data = b"\xfe\xff" + SENTENCE.encode("utf-16-be")
    assert decode_bytes(data) == (SENTENCE, "utf-16")


def test_decode_utf16_le_without_bom():
    """UTF-16 LE without a BOM is recognised from its NUL bytes."""
    assert decode_bytes(SENTENCE.encode("utf-16-le")) == (SENTENCE, "utf-16-le")


def test_decode_utf16_be_without_bom():
    """UTF-16 BE without a BOM must not be read as little-endian garbage."""
    assert decode_bytes(SENTENCE.encode("utf-16-be")) == (SENTENCE, "utf-16-be")


def test_decode_cp1252_norwegian_windows_file():
    """Older Norwegian Windows files (cp1252) keep æ, ø and å."""
    data = SENTENCE.encode("cp1252")
    assert data == b"R\xe5dgiver p\xe5 skolen \xe6rlig"
    assert decode_bytes(data) == (SENTENCE, "cp1252")


def test_decode_cp1252_all_norwegian_letters():
    """Every Norwegian letter, both cases, survives the cp1252 fallback."""
    letters = "æøåÆØÅ"
    assert decode_bytes(letters.encode("cp1252")) == (letters, "cp1252")


def test_decode_rejects_bytes_undefined_in_cp1252():
    """Bytes that are neither UTF-8, UTF-16 nor cp1252 raise instead of decoding silently."""
    with pytest.raises(UnicodeDecodeError):
        decode_bytes(b"abc \x81\x8d\x8f\x90\x9d")


# --- normalise_text --------------------------------------------------------------------

def test_normalise_nfd_becomes_nfc():
    """'å' typed as a + combining ring (macOS) becomes the single code point å."""
    nfd = "Ra\u030adgiver"
    assert len(nfd) == 9
    result = normalise_text(nfd)
    assert result == "R\u00e5dgiver"
    assert len(result) == 8
    assert unicodedata.is_normalized("NFC", result)


def test_normalise_crlf_and_cr_become_newline():
    """Windows (CRLF) and old Mac (CR) line ends both become \\n."""
    assert normalise_text("Rektor: ja\r\nIntervjuer: nei\rRektor: kanskje") == (
        "Rektor: ja\nIntervjuer: nei\nRektor: kanskje"
    )


def test_normalise_strips_trailing_spaces_on_each_line():
    """Trailing spaces, tabs and no-break spaces are removed from every line, not leading ones."""
    result = normalise_text("Rektor: ja  \n  innrykk\t\nslutt\u00a0")
    assert result == "Rektor: ja\n  innrykk\nslutt"


def test_normalise_drops_bom_and_outer_blank_lines_keeps_inner_ones():
    """A BOM and leading/trailing blank lines go; blank lines between paragraphs stay."""
    assert normalise_text("\ufeff\n\nRektor: ja\n\nIntervjuer: ok\n\n") == (
        "Rektor: ja\n\nIntervjuer: ok"
    )


def test_normalise_is_idempotent():
    """Normalising stored text again changes nothing (offsets stay valid)."""
    once = normalise_text("Ra\u030adgiver:  ja \r\n\r\nLærer 1: nei\r\n")
    assert once == "Rådgiver:  ja\n\nLærer 1: nei"
    assert normalise_text(once) == once


# --- count_words -----------------------------------------------------------------------

def test_count_words_norwegian():
    """Words with æøå count as one word each; dashes and quotes are not words."""
    assert count_words("Det er ikke så lett å være rådgiver – «alene på vakt», sier hun.") == 13


def test_count_words_hyphens_and_apostrophes_join():
    """'30-60' and 'Kari’s' are single words; 'elev-/foreldre' is two."""
    assert count_words("Hun tok 30-60 studiepoeng i rådgiving, og elev-/foreldresamtaler. "
                       "Kari’s bok.") == 11


def test_count_words_empty_and_punctuation_only():
    assert count_words("") == 0
    assert count_words("  … – «» ") == 0


def test_count_words_in_spans_of_a_turn_text():
    """The counts an import stores per turn: words cut by a span's edge count, a joined
    word counts once unless the span cuts it at its hyphen, an empty span holds none."""
    text = "Rektor: Skole-hjem-samarbeid er viktig.\nRådgiver: Ja – it’s «alt»."
    spans = [(8, 39), (50, len(text)), (8, 13), (14, 39), (13, 20), (14, 14), (60, 50),
             (0, len(text))]
    assert count_words_in(text, spans) == [3, 3, 1, 3, 1, 0, 0, 8]


TEXT_PIECES = ["Rådgiver", "skole", "-", "'", "’", " ", "\n", "30", "_", "…", "e\u0301",
               "😀", "Ωmega", "«", "."]


@given(st.lists(st.sampled_from(TEXT_PIECES), max_size=40),
       st.lists(st.tuples(st.integers(0, 120), st.integers(0, 120)), max_size=12),
       st.sampled_from([2, 7, 1 << 20]))
@settings(max_examples=300, deadline=None)
def test_count_words_in_counts_as_the_pattern_does(pieces, spans, block):
    """Counted by arrays in passes of ``block`` characters, each span holds the words
    ``count_words`` finds in it: whatever the characters, the joiners at a span's edge, and
    spans longer than a pass."""
    text = "".join(pieces)
    spans = [(min(start, len(text)), min(end, len(text))) for start, end in spans]
    usual = text_module._WORDS_BLOCK
    text_module._WORDS_BLOCK = block
    try:
        counted = count_words_in(text, spans)
    finally:
        text_module._WORDS_BLOCK = usual
    assert counted == [count_words(text[start:end]) for start, end in spans]


# --- ascii_fold ------------------------------------------------------------------------

def test_ascii_fold_norwegian_letters():
    """æ→ae, ø→o, å→aa (case kept), other accents dropped."""
    assert ascii_fold("Rådgiver Ærlig Øystein blåbær café Åse") == (
        "Raadgiver Aerlig Oystein blaabaer cafe Aase"
    )


def test_ascii_fold_nfd_input():
    """Decomposed å (a + ring) folds the same as composed å."""
    assert ascii_fold("Ra\u030adgiver") == "Raadgiver"
    assert ascii_fold("lærer") == "laerer"
