"""Views that work through ORM sessions: a transcript's turns and sentences (segmenting
on first use), text search, a code's subtree. (Status and lists are in ``overview``,
quotes in ``retrieval``.)"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import insert
from sqlmodel import Session, select

from qualcode.services.common import get_transcript
from qualcode.services.overview import attributes_of, speakers_of, subtree_pks
from qualcode.store import Store
from qualcode.store.models import (
    Code,
    Segment,
    Site,
    Transcript,
    Turn,
)


def transcript_turns(store: Store, ref: str, *, sentences: bool = False) -> dict:
    """A transcript with its turns (``index, speaker, role, person, start, end, text``)."""
    if sentences:
        ensure_segments(store, [ref])
    with store.read() as session:
        t = get_transcript(session, ref)
        speakers = speakers_of(store.in_session(session), [t.pk])[t.pk]
        turns = session.exec(select(Turn).where(Turn.transcript_pk == t.pk)
                             .order_by(Turn.idx)).all()
        segs: dict[int, list[Segment]] = defaultdict(list)
        if sentences:
            for seg in session.exec(select(Segment).where(Segment.transcript_pk == t.pk)
                                    .order_by(Segment.start)).all():
                segs[seg.turn_pk].append(seg)
        site = session.get(Site, t.site_pk) if t.site_pk else None
        attrs = attributes_of(store.in_session(session), "transcript").get(t.pk, {})
        result = {
            "name": t.name, "title": t.title, "site": site.site_id if site else None,
            "attributes": attrs, "words": t.n_words, "turns": [],
        }
        for turn in turns:
            sp = speakers.get(turn.participation_pk) if turn.participation_pk else None
            item = {
                "index": turn.idx, "speaker": sp.label if sp else None,
                "role": sp.role if sp else None, "person": sp.person if sp else None,
                "start": turn.start, "end": turn.end, "text": t.text[turn.start:turn.end],
                "time": turn.t_start, "time_end": turn.t_end,  # seconds, or None
            }
            if sentences:
                item["sentences"] = [
                    {"index": s.idx, "start": s.start, "end": s.end,
                     "text": t.text[s.start:s.end]} for s in segs[turn.pk]
                ]
            result["turns"].append(item)
    return result


def ensure_segments(store: Store, refs: list[str] | None = None) -> int:
    """Segment transcripts into sentences the first time they are needed; cache in the store.
    Returns how many transcripts were segmented now."""
    with store.read() as session:
        query = select(Transcript.pk, Transcript.name).where(Transcript.segmented == False)  # noqa: E712
        pending = session.exec(query).all()
        if refs is not None:
            wanted = {get_transcript(session, r).pk for r in refs}
            pending = [(pk, name) for pk, name in pending if pk in wanted]
    done = 0
    for pk, _name in pending:
        with store.read() as session:
            rows = sentence_rows(session, session.get(Transcript, pk))
        done += cache_segments(store, pk, rows)
    return done


def sentence_rows(session: Session, transcript: Transcript) -> list[dict]:
    """The sentences of every turn of a transcript, as segment rows (computed, not read)."""
    from qualcode.segmenter import sentence_spans

    turns = session.exec(select(Turn).where(Turn.transcript_pk == transcript.pk)
                         .order_by(Turn.idx)).all()
    spans = sentence_spans(transcript.text[turn.start:turn.end] for turn in turns)
    return [{"transcript_pk": transcript.pk, "turn_pk": turn.pk, "kind": "sentence",
             "idx": i, "start": turn.start + s, "end": turn.start + e}
            for turn, sentence_list in zip(turns, spans, strict=True)
            for i, (s, e) in enumerate(sentence_list, start=1)]


def cache_segments(store: Store, transcript_pk: int, rows: list[dict]) -> int:
    """Store a transcript's sentences once; 1 if this call stored them, 0 if already there."""
    with store.write() as session:
        t = session.get(Transcript, transcript_pk)
        if t.segmented:  # someone else did it meanwhile
            return 0
        if rows:
            session.execute(insert(Segment), rows)
        t.segmented = True
        session.add(t)
    return 1


def code_with_descendants(session: Session, code_id: str) -> list[int]:
    """Primary keys of a code and all codes below it."""
    return subtree_pks(session.exec(select(Code.pk, Code.code_id, Code.parent_pk)).all(),
                       code_id)


def search_text(store: Store, pattern: str, *, regex: bool = False,
                transcripts: list[str] | None = None, context: int = 60) -> list[dict]:
    """Every occurrence of ``pattern`` (case-insensitive, NFC) in the transcripts' turns."""
    import re

    from qualcode.domain.errors import QualcodeError
    from qualcode.domain.text import nfc

    try:
        compiled = re.compile(nfc(pattern) if regex else re.escape(nfc(pattern)),
                              re.IGNORECASE)
    except re.error as exc:
        raise QualcodeError(f"not a valid regular expression: {exc}") from None
    out = []
    with store.read() as session:
        query = select(Transcript).order_by(Transcript.name)
        if transcripts:
            query = query.where(Transcript.pk.in_(
                [get_transcript(session, t).pk for t in transcripts]))
        for t in session.exec(query).all():
            speakers = speakers_of(store.in_session(session), [t.pk])[t.pk]
            for turn in session.exec(select(Turn).where(Turn.transcript_pk == t.pk)
                                     .order_by(Turn.idx)).all():
                for m in compiled.finditer(t.text, turn.start, turn.end):
                    if m.end() == m.start():
                        continue
                    sp = speakers.get(turn.participation_pk)
                    out.append({
                        "transcript": t.name, "turn": turn.idx,
                        "speaker": sp.label if sp else None, "role": sp.role if sp else None,
                        "start": m.start(), "end": m.end(), "match": m.group(0),
                        "before": t.text[max(turn.start, m.start() - context):m.start()],
                        "after": t.text[m.end():min(turn.end, m.end() + context)],
                        "turn_start": turn.start, "turn_end": turn.end,
                    })
    return out
