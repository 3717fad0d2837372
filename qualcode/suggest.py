"""Keyword matching for suggested codings (auto-coding), on spaCy's blank Norwegian tokenizer.

Each code's ``keywords`` become spaCy Matcher patterns, matched case-insensitively. Norwegian
inflects by adding endings, so a keyword word of four letters or more also matches words
that *start* with it and add at most five letters: ``rådgiver`` matches rådgiveren,
rådgiverne, rådgiverens. Shorter words (``ot``, ``nav``, ``ppt``) must match whole, so
``ot`` does not fire inside ``otte``. Multi-word keywords (``hele skolens ansvar``) match
word by word under the same rule. Pure: text in, hits out; spaCy is imported on first use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

PREFIX_MIN_LENGTH = 4
MAX_ENDING = 5


@dataclass(frozen=True)
class KeywordHit:
    code: str
    keyword: str
    start: int  # code points into the matched text
    end: int


@lru_cache(maxsize=1)
def _nlp():
    import spacy

    return spacy.blank("nb")


def _token_pattern(word: str) -> dict:
    word = word.lower()
    if len(word) >= PREFIX_MIN_LENGTH and word.isalpha():
        return {"LOWER": {"REGEX": f"^{re.escape(word)}\\w{{0,{MAX_ENDING}}}$"}}
    return {"LOWER": word}


class KeywordMatcher:
    """Find every code's keywords in a text."""

    def __init__(self, keywords_by_code: dict[str, Iterable[str]]) -> None:
        from spacy.matcher import Matcher

        nlp = _nlp()
        self._matcher = Matcher(nlp.vocab)
        self._labels: dict[int, tuple[str, str]] = {}
        for code, keywords in keywords_by_code.items():
            for keyword in keywords:
                words = [t.text for t in nlp.make_doc(keyword.strip()) if not t.is_punct]
                if not words:
                    continue
                key = f"{code}\x1f{keyword}"
                self._matcher.add(key, [[_token_pattern(w) for w in words]])
                self._labels[nlp.vocab.strings[key]] = (code, keyword)

    @property
    def size(self) -> int:
        return len(self._labels)

    def find(self, text: str) -> list[KeywordHit]:
        doc = _nlp().make_doc(text)
        hits = []
        for match_id, start, end in self._matcher(doc):
            code, keyword = self._labels[match_id]
            span = doc[start:end]
            hits.append(KeywordHit(code, keyword, span.start_char, span.end_char))
        hits.sort(key=lambda h: (h.start, h.code))
        return hits
