"""Sentence segmentation: spans are code-point offsets that slice back to each sentence."""

from __future__ import annotations

from qualcode.segmenter import sentence_spans


def test_three_norwegian_sentences():
    """Full stop, exclamation and question mark each end a sentence."""
    text = "Jeg er rådgiver. Vi har ni klasser! Hva gjør dere?"
    [spans] = sentence_spans([text])
    assert spans == [(0, 16), (17, 35), (36, 50)]
    assert [text[a:b] for a, b in spans] == [
        "Jeg er rådgiver.", "Vi har ni klasser!", "Hva gjør dere?"]


def test_offsets_are_code_points_with_emoji_and_norwegian_letters():
    """An emoji (outside the BMP) and æøå before a boundary do not shift later offsets."""
    text = "Vi på øya 😀 er blåbær-fæ. Ærlig talt går det bra."
    [spans] = sentence_spans([text])
    assert spans == [(0, 25), (26, 49)]
    assert [text[a:b] for a, b in spans] == [
        "Vi på øya 😀 er blåbær-fæ.", "Ærlig talt går det bra."]
    # 25 is a code-point offset: in UTF-16 or UTF-8 units it would be larger
    assert len(text[:25].encode("utf-16-le")) // 2 == 26


def test_spans_are_trimmed_of_whitespace():
    text = "  Hei der.  Og så.  "
    [spans] = sentence_spans([text])
    assert [text[a:b] for a, b in spans] == ["Hei der.", "Og så."]
    assert spans == [(2, 10), (12, 18)]


def test_one_result_per_text_in_order():
    """Several texts in, one list of spans per text out, empty text gives no spans."""
    texts = ["Ja.", "", "Nei. Kanskje.", "Ingen punktum her"]
    assert sentence_spans(texts) == [[(0, 3)], [], [(0, 4), (5, 13)], [(0, 17)]]


def test_accepts_any_iterable():
    assert sentence_spans(iter(["Ja. Nei."])) == [[(0, 3), (4, 8)]]


def test_an_opening_bracket_after_a_full_stop_starts_the_next_sentence():
    """Transcription marks such as (ler) stay whole: '… i starten. (ler) Skolen …'."""
    text = "Jeg har vært her i ti år, hvis jeg regner med starten. (ler) Skolen har 250 elever."
    spans = sentence_spans([text])[0]
    sentences = [text[s:e] for s, e in spans]
    assert sentences[0] == "Jeg har vært her i ti år, hvis jeg regner med starten."
    assert sentences[1].startswith("(ler)")
    assert "".join(sentences).replace(" ", "") == text.replace(" ", "")


def test_the_sentences_inside_a_turn_are_looked_up_in_order():
    from qualcode.segmenter import sentences_within

    sentences = [(0, 5), (6, 12), (13, 20), (21, 30)]
    assert sentences_within(sentences, 6, 20) == [(6, 12), (13, 20)]
    assert sentences_within(sentences, 5, 13) == [(6, 12)]  # (13, 20) runs past the end
    assert sentences_within(sentences, 31, 40) == []
