"""Quotations as a report prints them: whole sentences, without the fillers and
transcription marks a coder's selection often begins with, cut for length only between
sentences and marked […] where something was left out.

Pure: offsets and texts in, texts out. Sentence spans come from the segmenter (through the
store's cache); the services decide which passages to quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What an answer often opens with and a quotation leaves out: sentences that carry nothing
# by themselves. Compared after case, punctuation and transcription marks are removed.
FILLERS = frozenset({
    # Norwegian
    "ja", "jo", "nei", "ja ja", "nei nei", "jaja", "neinei", "tja", "nja", "hm", "hmm",
    "mm", "mhm", "eh", "ehm", "øh", "øhm", "altså", "ja altså", "nei altså", "tja altså",
    "ja nei", "nei vel", "ok", "okei", "javel", "ja vel", "ja det", "ja det er det",
    "ja det kan du si", "godt spørsmål", "det er et godt spørsmål", "det var et godt spørsmål",
    "hva skal jeg si", "skal vi se", "la meg se", "la meg tenke", "hvordan skal jeg si det",
    "skal jeg ta den", "skal jeg begynne", "hvor skal jeg begynne",
    # English
    "yes", "yeah", "no", "well", "um", "uh", "erm", "okay", "right", "so", "oh",
    "good question", "that's a good question", "that is a good question", "let me see",
    "let me think", "how shall i put it",
})

# A transcription mark: brackets or parentheses that open with one of these words (or a
# time), "(ler)", "(kort pause)", "[uklart]", "(laughs)", "[inaudible 00:12:31]", and our
# own omission mark "[…]". A name put in brackets ("[Rådgiver 1]") is not one.
MARK_WORDS = frozenset({
    # Norwegian
    "ler", "latter", "humrer", "fniser", "smiler", "pause", "kort", "lang", "stillhet",
    "uklart", "utydelig", "uhørbart", "uhørlig", "hoster", "host", "sukk", "sukker",
    "avbrudd", "avbrutt", "overlapp", "snakker", "telefon", "banker",
    # English
    "laughs", "laughter", "laughing", "chuckles", "silence", "inaudible", "unclear",
    "crosstalk", "coughs", "sighs", "interruption", "overlapping",
    # omissions
    "…", "...",
})
_BRACKETED = re.compile(r"[(\[]([^()\[\]\n]{1,40})[)\]]")
_TIME = re.compile(r"\d{1,2}:\d{2}")


def _is_mark(inside: str) -> bool:
    words = inside.split()
    return bool(words) and (words[0].casefold().strip(".,:;") in MARK_WORDS
                            or _TIME.match(words[0]) is not None)


def _without_marks(text: str) -> str:
    return _BRACKETED.sub(lambda m: " " if _is_mark(m.group(1)) else m.group(0), text)
_PUNCTUATION = re.compile(r"[^\w\s']+")
OMISSION = "[…]"

# How far past the coded span a quotation reaches to finish a sentence. Spoken answers
# can run for many lines without a full stop; past this the quotation is cut and marked.
REACH = 160


def is_filler(sentence: str) -> bool:
    """A sentence with nothing but fillers and transcription marks ("(ler) Tja.")."""
    words = " ".join(_PUNCTUATION.sub(" ", _without_marks(sentence)).split()).casefold()
    return not words or words in FILLERS


def after_marks(text: str, start: int, end: int) -> int:
    """Where ``text[start:end]`` begins once leading transcription marks are skipped."""
    while True:
        while start < end and text[start].isspace():
            start += 1
        m = _BRACKETED.match(text, start, end)
        if not m or not _is_mark(m.group(1)):
            return start
        start = m.end()


@dataclass
class Piece:
    """One turn's part of a quotation: its sentences and whether its start or end was cut
    inside a sentence (``gap``: turns were left out before it)."""

    label: str | None
    sentences: list[str]
    gap: bool = False
    cut_start: bool = False
    cut_end: bool = False


def sentence_window(text: str, sentences: list[tuple[int, int]], start: int, end: int,
                    *, lead: bool, reach: int = REACH
                    ) -> tuple[list[tuple[int, int]], bool, bool]:
    """The sentences of ``text`` to quote for the coded ``[start, end)``: every sentence the
    span touches, whole, unless finishing one would reach further than ``reach`` characters
    past the span (then it is cut at a word and marked). With ``lead`` (the quotation's
    first turn), leading fillers and marks are skipped. Returns the spans to show and
    whether the start and the end were cut."""
    touched = [(a, b) for a, b in sentences if b > start and a < end] or \
        ([(start, end)] if end > start else [])
    if not touched:
        return [], False, False
    cut_start = cut_end = False
    first_a, first_b = touched[0]
    if start - first_a > reach:  # a run-on sentence: begin at the span, on a word
        touched[0] = (_word_start(text, start, first_b), first_b)
        cut_start = True
    last_a, last_b = touched[-1]
    if last_b - end > reach:
        touched[-1] = (touched[-1][0], _word_end(text, end, touched[-1][0]))
        cut_end = True
    touched = [(a, b) for a, b in touched if b > a]
    if lead and not cut_start:
        while touched and is_filler(text[touched[0][0]:touched[0][1]]):
            touched.pop(0)
        if touched:
            a, b = touched[0]
            touched[0] = (after_marks(text, a, b), b)
    return touched, cut_start, cut_end


def _word_start(text: str, i: int, limit: int) -> int:
    """``i``, or the start of the next word if ``i`` is inside one."""
    if i > 0 and text[i - 1].isalnum():
        while i < limit and not text[i].isspace():
            i += 1
    while i < limit and text[i].isspace():
        i += 1
    return i


def _word_end(text: str, i: int, limit: int) -> int:
    """``i``, or the end of the word before it if ``i`` is inside one."""
    if i < len(text) and text[i].isalnum():
        while i > limit and not text[i - 1].isspace():
            i -= 1
    while i > limit and (text[i - 1].isspace() or text[i - 1] in ",;:–-"):
        i -= 1
    return i


def compose(pieces: list[Piece], max_chars: int | None = None) -> str:
    """The quotation as printed: a piece per turn (named by speaker when more than one
    speaks), omitted turns and cut sentences marked […]. Longer than ``max_chars``, it
    keeps the sentences that fit and marks the end; a first sentence longer than that is
    cut at a word."""
    total = sum(len(p.sentences) for p in pieces)
    if not max_chars or total == 0:
        return _render(pieces, total)
    full = _render(pieces, total)
    if len(full) <= max_chars:
        return full
    fitting = ""
    for n in range(1, total):
        text = _render(pieces, n)
        if len(text) > max_chars:
            break
        fitting = text
    return fitting or shorten(_render(pieces, 1), max_chars - len(f" {OMISSION}"))


def _render(pieces: list[Piece], n: int) -> str:
    """The first ``n`` sentences of the pieces; if that leaves any out, the end is marked."""
    many = len({p.label for p in pieces if p.label}) > 1
    chunks: list[str] = []
    left = n
    for p in pieces:
        if left <= 0:
            break
        kept = p.sentences[:left]
        left -= len(kept)
        body = " ".join(kept)
        if p.gap and chunks:
            if not chunks[-1].endswith(OMISSION):
                chunks.append(OMISSION)
        elif p.cut_start:
            body = f"{OMISSION} {body}"
        if p.cut_end and len(kept) == len(p.sentences):
            body = f"{body} {OMISSION}"
        chunks.append(f"{p.label}: {body}" if many and p.label else body)
    text = "\n".join(chunks) if many else " ".join(chunks)
    if n < sum(len(p.sentences) for p in pieces) and not text.endswith(OMISSION):
        text = f"{text.rstrip(' ,;:–-')} {OMISSION}"
    return text


def shorten(text: str, max_chars: int | None) -> str:
    """Cut at a word boundary and mark the cut with […], as the report marks omissions."""
    if not max_chars or len(text) <= max_chars:
        return text
    cut = text.rfind(" ", 0, max_chars)
    kept = text[:cut if cut > max_chars // 2 else max_chars]
    line = kept.rfind("\n")
    if line > max_chars // 2 and len(kept) - line < 40:  # no stub of a new paragraph
        kept = kept[:line]
    return kept.rstrip(" ,.;:–-\n") + " […]"
