"""Checking a span given by character offsets before it is coded: one that starts or ends
inside a word, or runs into an interviewer's turn, is almost always a miscounted offset.
``snap`` moves such a span to the boundaries the coder meant: whole words, and the
informant's turns only.

Read-only; the coding itself is made by :mod:`qualcode.services.coding_ops`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from qualcode.domain.errors import InputFileError
from qualcode.services.common import get_transcript
from qualcode.services.overview import INTERVIEWER, speakers_of
from qualcode.store import Store
from qualcode.store.models import Turn


@dataclass(frozen=True)
class SpanCheck:
    start: int
    end: int
    problems: tuple[str, ...]  # what is wrong with the span as given, in plain words
    snapped: tuple[int, int]  # the span moved to word and turn boundaries

    def warning(self) -> str | None:
        """The problems as one line, or None when the span is clean."""
        if not self.problems:
            return None
        said = "; ".join(self.problems)
        if self.snapped != (self.start, self.end):
            said += f" (--snap would code {self.snapped[0]}-{self.snapped[1]})"
        return f"span {self.start}-{self.end} {said}"


def _in_word(text: str, i: int) -> bool:
    """True when offset ``i`` falls between two characters of one word."""
    return 0 < i < len(text) and _wordish(text[i - 1]) and _wordish(text[i])


def _wordish(ch: str) -> bool:
    return ch.isalnum() or ch in "_-'’"


def _word_at(text: str, i: int) -> str:
    a, b = i, i
    while a > 0 and _wordish(text[a - 1]):
        a -= 1
    while b < len(text) and _wordish(text[b]):
        b += 1
    return text[a:b]


def check_span(store: Store, transcript: str, start: int, end: int) -> SpanCheck:
    """What is wrong with coding ``[start, end)`` of ``transcript``, and where snapping it to
    word and turn boundaries would put it."""
    with store.read() as session:
        t = get_transcript(session, transcript)
        text = t.text
        turns = session.exec(select(Turn.idx, Turn.start, Turn.end, Turn.participation_pk)
                             .where(Turn.transcript_pk == t.pk).order_by(Turn.start)).all()
        roles = {pk: s.role for pk, s in
                 speakers_of(store.in_session(session), [t.pk])[t.pk].items()}
    if not 0 <= start < end <= len(text):
        raise InputFileError(transcript, f"span {start}-{end} is outside the text "
                             f"(0-{len(text)})")
    touched = [(idx, a, b, roles.get(part) == INTERVIEWER) for idx, a, b, part in turns
               if a < end and b > start]
    problems = []
    if _in_word(text, start):
        problems.append(f"starts inside the word '{_word_at(text, start)}'")
    if _in_word(text, end):
        problems.append(f"ends inside the word '{_word_at(text, end)}'")
    asked = [idx for idx, _, _, asks in (touched[:1] + touched[-1:]) if asks]
    if asked and all(asks for *_, asks in touched):
        problems.append(f"lies in the interviewer's turn {asked[0]}")
    elif asked:
        problems.append("runs into the interviewer's turn "
                        + " and ".join(str(i) for i in dict.fromkeys(asked)))
    return SpanCheck(start, end, tuple(problems), _snap(text, touched, start, end))


def _snap(text: str, touched: list[tuple[int, int, int, bool]], start: int, end: int
          ) -> tuple[int, int]:
    """Leave out interviewer turns at either end (unless that leaves nothing), keep inside
    the turns, then widen to whole words and drop surrounding whitespace."""
    informant = [(a, b) for _, a, b, asks in touched if not asks]
    if informant:
        start, end = max(start, informant[0][0]), min(end, informant[-1][1])
    elif touched:
        start, end = max(start, touched[0][1]), min(end, touched[-1][2])
    while _in_word(text, start):
        start -= 1
    while _in_word(text, end):
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
