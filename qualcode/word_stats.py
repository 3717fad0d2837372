"""Words: tokens, Norwegian stop words, keyword patterns and the log-likelihood of a word
being more frequent in one group than in the rest.

Distinctiveness is Dunning's log-likelihood G² (Dunning 1993, "Accurate methods for the
statistics of surprise and coincidence", Computational Linguistics 19(1)), in the two-
corpus form of Rayson & Garside (2000, "Comparing corpora using frequency profiling",
Workshop on Comparing Corpora, ACL): for a word seen ``a`` times in a group of ``c``
words and ``b`` times in the other groups' ``d`` words,

    E1 = c (a + b) / (c + d),  E2 = d (a + b) / (c + d)
    G² = 2 (a ln(a / E1) + b ln(b / E2))          (0 ln 0 taken as 0)

G² above 3.84 is significant at p < 0.05, above 6.63 at p < 0.01, above 10.83 at
p < 0.001 (one degree of freedom). It says how surprising a difference is, not how big.

Pure: no project, no database.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from qualcode.domain.errors import QualcodeError

# Letters, with inner hyphens (karriere-veiledning) kept in one word; digits are no words.
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
SIGNIFICANT = 3.84  # G² at p < 0.05, one degree of freedom


def words_of(text: str) -> list[str]:
    """The words of a text, in lower case (NFC as stored)."""
    return _WORD.findall(text.casefold())


@lru_cache(maxsize=1)
def norwegian_stop_words() -> frozenset[str]:
    """spaCy's Norwegian Bokmål stop words. Read from spaCy's language data file itself
    (a plain list), so that counting words does not pay for importing all of spaCy."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("spacy")
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / "lang/nb/stop_words.py"
        if path.exists():
            namespace: dict = {}
            exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
            return frozenset(namespace["STOP_WORDS"])
    from spacy.lang.nb.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def log_likelihood(a: int, b: int, c: int, d: int) -> float:
    """G² of a word seen ``a`` times in ``c`` words and ``b`` times in ``d`` words."""
    if c <= 0 or d <= 0 or a + b == 0:
        return 0.0
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    g2 = 0.0
    if a:
        g2 += a * math.log(a / e1)
    if b:
        g2 += b * math.log(b / e2)
    return 2 * g2


def distinctive(groups: dict[str, Counter], *, min_count: int = 1, top: int = 20
                ) -> list[dict]:
    """For each group, the words it uses more than the other groups together, by G²
    (highest first, at most ``top``); a word counts when seen ``min_count`` times in all."""
    totals = {g: sum(c.values()) for g, c in groups.items()}
    everything: Counter = Counter()
    for counts in groups.values():
        everything.update(counts)
    grand = sum(totals.values())
    out = []
    for group, counts in groups.items():
        c, d = totals[group], grand - totals[group]
        rows = []
        for word, a in counts.items():
            total = everything[word]
            b = total - a
            if total < min_count or d == 0 or a / c <= b / d:
                continue
            rows.append({"group": group, "word": word, "count": a, "other": b,
                         "per_1000": round(1000 * a / c, 2),
                         "other_per_1000": round(1000 * b / d, 2),
                         "log_likelihood": round(log_likelihood(a, b, c, d), 2)})
        rows.sort(key=lambda r: (-r["log_likelihood"], r["word"]))
        out.extend(rows[:top])
    return out


def keyword_pattern(word: str, *, regex: bool = False) -> re.Pattern:
    """What ``kwic`` looks for: a whole word (``rådgiver``), a prefix (``rådgiver*``:
    rådgiver, rådgiveren, rådgivertjenesten) or a regular expression; any case."""
    from qualcode.domain.text import nfc

    word = nfc(word.strip())
    if not word:
        raise QualcodeError("kwic needs a word", hint="e.g. qualcode kwic 'rådgiver*'")
    if regex:
        try:
            return re.compile(word, re.IGNORECASE)
        except re.error as exc:
            raise QualcodeError(f"not a valid regular expression: {exc}") from None
    if word.endswith("*"):
        return re.compile(rf"\b{re.escape(word[:-1])}\w*", re.IGNORECASE)
    return re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
