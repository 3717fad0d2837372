"""Where a coded passage is after its transcript was corrected.

The old and the new text are aligned character by character: the characters both share,
in order, and the edits between them. A span of the old text is carried through that
alignment, so it grows or shrinks with the edits made inside it: a typo fixed inside a
coded passage stays coded, words inserted inside it are coded too, a deletion shortens
it. Text inserted exactly at either end of a span stays outside it. A span none of whose
letters or digits survive is lost (a full stop or a space left over from a rewritten
sentence does not hold it): its text is gone, and a caller must say what becomes of it.

A character-level diff of two 300,000-character texts is far too slow when done in one
go, so the alignment narrows down first: lines (a transcript's turns and paragraphs are
nearly all different from each other, so lines match quickly and reliably), then words
inside lines that differ, then characters inside words that differ.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

_LEVELS = (
    re.compile(r"[^\n]*\n|[^\n]+"),  # lines, each with its line end
    re.compile(r"\S+\s*|\s+"),  # words, each with the spaces after it
)
# Above this many character pairs an edited stretch is taken as rewritten, not compared
# letter by letter (the letter-level diff is quadratic in the worst case).
_CHAR_PAIRS = 2_000_000
# Token counts above which the popular tokens (more than 1 in 100) only extend matches
# and do not start them: exact on ordinary corrections, and fast when a text was reflowed.
_MANY_TOKENS = 5_000
_WORD_CHARACTER = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class Alignment:
    """Runs of characters the old and the new text share: ``(old_start, new_start,
    length)``, in order in both texts."""

    blocks: tuple[tuple[int, int, int], ...]
    old_text: str = field(repr=False)
    new_length: int
    _old_starts: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_old_starts", [i for i, _, _ in self.blocks])

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """The new ``[start, end)`` of the old ``[start, end)``, or None when none of its
        letters or digits are in the new text."""
        if not self.keeps_words(start, end):
            return None
        return self._start(start), self._end(end)

    def keeps_words(self, start: int, end: int) -> bool:
        """Whether a letter or digit of the old ``[start, end)`` is in the new text."""
        k = max(bisect.bisect_right(self._old_starts, start) - 1, 0)
        for i, _, n in self.blocks[k:]:
            if i >= end:
                break
            if _WORD_CHARACTER.search(self.old_text, max(start, i), min(end, i + n)):
                return True
        return False

    def _block_at(self, position: int) -> int:
        """Index of the last block starting at or before ``position`` (-1 if none)."""
        return bisect.bisect_right(self._old_starts, position) - 1

    def _start(self, position: int) -> int:
        k = self._block_at(position)
        if k >= 0:
            i, j, n = self.blocks[k]
            if position < i + n:
                return j + position - i
            return j + n  # in an edit: the start takes in what replaced the old text
        return 0

    def _end(self, position: int) -> int:
        k = self._block_at(position - 1)
        if k >= 0:
            i, j, n = self.blocks[k]
            if position <= i + n:
                return j + position - i
        # in an edit: the end takes in what replaced the old text, up to the next shared run
        return self.blocks[k + 1][1] if k + 1 < len(self.blocks) else self.new_length


def align(old: str, new: str) -> Alignment:
    """Align ``old`` and ``new`` character by character."""
    prefix = _common_prefix(old, new)
    suffix = _common_prefix(old[prefix:][::-1], new[prefix:][::-1]) if prefix < min(
        len(old), len(new)) else 0
    blocks: list[tuple[int, int, int]] = []
    if prefix:
        blocks.append((0, 0, prefix))
    _match(old[prefix:len(old) - suffix], new[prefix:len(new) - suffix], prefix, prefix, 0,
           blocks)
    if suffix:
        blocks.append((len(old) - suffix, len(new) - suffix, suffix))
    return Alignment(tuple(_without_chance_matches(_joined(blocks), len(old), len(new))),
                     old, len(new))


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix, found by halving (slices compare at C speed)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _match(old: str, new: str, old_at: int, new_at: int, level: int,
           blocks: list[tuple[int, int, int]]) -> None:
    if not old or not new:
        return
    if level == len(_LEVELS):
        if len(old) * len(new) > _CHAR_PAIRS:
            return
        matcher = SequenceMatcher(None, old, new, autojunk=False)
        blocks.extend((old_at + a, new_at + b, n)
                      for a, b, n in matcher.get_matching_blocks() if n)
        return
    pattern = _LEVELS[level]
    old_tokens, new_tokens = pattern.findall(old), pattern.findall(new)
    old_ends, new_ends = _offsets(old_tokens), _offsets(new_tokens)
    matcher = SequenceMatcher(None, old_tokens, new_tokens,
                              autojunk=len(new_tokens) > _MANY_TOKENS)
    runs = [(old_ends[a], new_ends[b], old_ends[a + n] - old_ends[a])
            for a, b, n in matcher.get_matching_blocks() if n]
    done_old = done_new = 0
    for i, j, n in [*_between_edits(runs, len(old), len(new)), (len(old), len(new), 0)]:
        _match(old[done_old:i], new[done_new:j], old_at + done_old, new_at + done_new,
               level + 1, blocks)
        if n:
            blocks.append((old_at + i, new_at + j, n))
        done_old, done_new = i + n, j + n


def _offsets(tokens: list[str]) -> list[int]:
    """Where each token starts, and the total length last."""
    offsets = [0]
    for token in tokens:
        offsets.append(offsets[-1] + len(token))
    return offsets


def _joined(blocks: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    blocks.sort()
    joined: list[tuple[int, int, int]] = []
    for i, j, n in blocks:
        if joined and joined[-1][0] + joined[-1][2] == i and joined[-1][1] + joined[-1][2] == j:
            pi, pj, pn = joined[-1]
            joined[-1] = (pi, pj, pn + n)
        else:
            joined.append((i, j, n))
    return joined


def _edits(blocks: list[tuple[int, int, int]], old_length: int, new_length: int):
    """Each run with the edits before and after it, as (old, new) lengths."""
    for k, (i, j, n) in enumerate(blocks):
        before = (i - blocks[k - 1][0] - blocks[k - 1][2], j - blocks[k - 1][1] - blocks[k - 1][2]
                  ) if k else (i, j)
        after = (blocks[k + 1][0] - i - n, blocks[k + 1][1] - j - n
                 ) if k + 1 < len(blocks) else (old_length - i - n, new_length - j - n)
        yield (i, j, n), before, after


def _between_edits(runs: list[tuple[int, int, int]], old_length: int, new_length: int
                   ) -> list[tuple[int, int, int]]:
    """Runs of whole lines or words, less the short ones squeezed between two edits. A
    word repeated around an edited one can match either copy ("ja ja" → "ja, ja"); leaving
    such runs to the next, finer level lets it see the edit whole and align it exactly."""
    return [run for run, before, after in _edits(runs, old_length, new_length)
            if not (any(before) and any(after) and run[2] <= max(before) + max(after))]


def _without_chance_matches(blocks: list[tuple[int, int, int]], old_length: int,
                            new_length: int) -> list[tuple[int, int, int]]:
    """Drop shared runs no longer than the edits on both sides of them: letters and spaces
    a rewritten sentence happens to share with the old one. Without this, a sentence
    replaced by another would keep the coding on its chance letters instead of being
    reported as gone; a typo fix keeps the long runs on each side of it. Only runs among
    edits that both delete and insert go: a word with text inserted around it stays."""
    while True:
        kept = [run for run, before, after in _edits(blocks, old_length, new_length)
                if not (any(before) and any(after) and before[0] + after[0]
                        and before[1] + after[1] and run[2] <= min(max(before), max(after)))]
        if len(kept) == len(blocks):
            return blocks
        blocks = kept
