"""Sentence segmentation with spaCy's blank Norwegian pipeline and its sentencizer.

spaCy is imported inside :func:`sentence_spans` only, and the pipeline is built once per
process. Segmentation is not on the import path: it costs far more than parsing turns, so
the store computes sentences for a transcript the first time they are needed and caches
them (see ``services.segments``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache


@lru_cache(maxsize=1)
def _pipeline():
    import spacy

    nlp = spacy.blank("nb")
    nlp.add_pipe("sentencizer")
    return nlp


def sentence_spans(texts: Iterable[str]) -> list[list[tuple[int, int]]]:
    """For each text, the ``[start, end)`` code-point spans of its sentences.

    Spans are trimmed of surrounding whitespace, so ``text[start:end]`` is the sentence.
    spaCy's character offsets are code points, matching qualcode's offsets.
    """
    nlp = _pipeline()
    result: list[list[tuple[int, int]]] = []
    for doc in nlp.pipe(texts, batch_size=64):
        text = doc.text
        bounds = [sent.start_char for sent in doc.sents][1:]
        # The sentencizer leaves an opening bracket or quote that follows a full stop at the
        # end of the sentence before it ("… i starten. (ler)"): move it to the next one.
        bounds = [_before_openers(text, b) for b in bounds]
        spans: list[tuple[int, int]] = []
        for start, end in zip([0, *bounds], [*bounds, len(text)], strict=True):
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
        result.append(spans)
    return result


def turn_sentences(text: str, turns: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The sentences of a transcript's turns (``[start, end)`` of each turn in ``text``),
    as offsets into ``text``, in order: for a transcript the store has not segmented, found
    where a reader needs them and not stored."""
    turns = list(turns)
    found = sentence_spans(text[a:b] for a, b in turns)
    return [(a + s, a + e) for (a, _), spans in zip(turns, found, strict=True)
            for s, e in spans]


def sentences_within(sentences: list[tuple[int, int]], start: int, end: int
                     ) -> list[tuple[int, int]]:
    """The sentences (sorted by start) lying inside ``[start, end)``: a look-up, not a scan
    of the transcript's sentences for every turn."""
    i = bisect_left(sentences, (start, start))
    inside = []
    while i < len(sentences) and sentences[i][0] < end:
        if sentences[i][1] <= end:
            inside.append(sentences[i])
        i += 1
    return inside


_OPENERS = "([{«“\"'"


def _before_openers(text: str, boundary: int) -> int:
    i = boundary
    while i > 0 and (text[i - 1] in _OPENERS or text[i - 1].isspace()):
        i -= 1
    if i < boundary and any(ch in _OPENERS for ch in text[i:boundary]):
        return i
    return boundary
