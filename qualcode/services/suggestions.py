"""Suggested codings from the codebook's keywords: proposed, never counted until accepted.

Keyword hits propose a code for the whole informant turn they fall in (coding here is
holistic): one suggestion per turn and code, with the matched keywords in its memo. Only
leaf codes are proposed (an area's own keywords are too broad to point at a passage), and
by default a turn needs two different keywords of a code: on the example study that keeps
a third of the coders' turn-level codings within reach at one in five suggestions right,
where a single keyword reaches two thirds at one in nine (see the README).
Suggestions are codings with origin ``suggested`` in the coder's layer: matrices, quotes
and agreement leave them out until the coder accepts them (origin becomes ``manual``) or
rejects them (they are deleted, audited).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlmodel import select

from qualcode import audit
from qualcode.domain.errors import NotFoundError, not_found
from qualcode.services.common import (
    coding_row,
    get_or_create_coder,
    get_transcript,
    id_fits,
    now,
)
from qualcode.services.overview import speakers_of
from qualcode.store import Store
from qualcode.store.models import Code, Coder, Coding, Turn


@dataclass
class SuggestReport:
    suggested: int = 0
    skipped_already_coded: int = 0
    by_code: dict[str, int] = field(default_factory=dict)


DEFAULT_MIN_KEYWORDS = 2


def _keywords(session, codes: list[str] | None) -> dict[str, list[str]]:
    """Keywords of the leaf codes in scope (not archived)."""
    from qualcode.services.queries import code_with_descendants

    rows = session.exec(select(Code).where(Code.archived == False)).all()  # noqa: E712
    parents = {c.parent_pk for c in rows}
    allowed = None
    if codes:
        allowed = {pk for c in codes for pk in code_with_descendants(session, c)}
    return {c.code_id: json.loads(c.keywords or "[]") for c in rows
            if c.pk not in parents and (allowed is None or c.pk in allowed)
            and json.loads(c.keywords or "[]")}


def suggest(store: Store, transcripts: list[str], coder: str, *,
            codes: list[str] | None = None,
            min_keywords: int = DEFAULT_MIN_KEYWORDS) -> SuggestReport:
    from qualcode.suggest import KeywordMatcher

    report = SuggestReport()
    with store.read() as session:
        keywords = _keywords(session, codes)
    matcher = KeywordMatcher(keywords)
    with store.write() as session:
        code_pks = {c.code_id: c.pk for c in session.exec(select(Code)).all()}
        who = get_or_create_coder(session, coder)
        batch = audit.new_batch()
        stamp = now()
        rows = []
        for name in transcripts:
            t = get_transcript(session, name)
            speakers = speakers_of(store.in_session(session), [t.pk])[t.pk]
            existing = session.exec(select(Coding.code_pk, Coding.start, Coding.end).where(
                Coding.transcript_pk == t.pk, Coding.coder_pk == who.pk)).all()
            for turn in session.exec(select(Turn).where(Turn.transcript_pk == t.pk)
                                     .order_by(Turn.idx)).all():
                speaker = speakers.get(turn.participation_pk)
                if speaker and speaker.role == "intervjuer":
                    continue
                hits: dict[str, list[str]] = {}
                for hit in matcher.find(t.text[turn.start:turn.end]):
                    hits.setdefault(hit.code, []).append(hit.keyword)
                for code_id, words in hits.items():
                    if len(set(words)) < min_keywords:
                        continue
                    pk = code_pks[code_id]
                    if any(c == pk and s < turn.end and e > turn.start for c, s, e in existing):
                        report.skipped_already_coded += 1
                        continue
                    memo = "nøkkelord: " + ", ".join(dict.fromkeys(words))
                    rows.append(dict(coder_pk=who.pk, code_pk=pk, transcript_pk=t.pk,
                                     start=turn.start, end=turn.end,
                                     quote=t.text[turn.start:turn.end],
                                     text_sha256=t.text_sha256, origin="suggested", memo=memo,
                                     created_at=stamp, updated_at=stamp))
                    report.by_code[code_id] = report.by_code.get(code_id, 0) + 1
        if rows:
            session.execute(insert(Coding), rows)
        report.suggested = len(rows)
        audit.record(session, "suggest", "codings", ",".join(transcripts), actor=coder,
                     batch=batch, after={"suggested": len(rows)})
    return report


def _suggestions(session, coder: str, ids: list[int] | None, transcript: str | None):
    who = session.exec(select(Coder).where(Coder.name == coder)).first()
    if who is None:
        names = session.exec(select(Coder.name)).all()
        raise not_found(f"no coder '{coder}'", coder, names,
                        f"coders: {', '.join(sorted(names)) or 'none yet'}")
    query = select(Coding).where(Coding.coder_pk == who.pk, Coding.origin == "suggested")
    if ids:
        query = query.where(Coding.pk.in_([i for i in ids if id_fits(session, i)]))
    if transcript:
        query = query.where(Coding.transcript_pk == get_transcript(session, transcript).pk)
    found = session.exec(query).all()
    if ids and len(found) != len(set(ids)):
        missing = sorted(set(ids) - {c.pk for c in found})
        raise NotFoundError(f"not suggestions of {coder}: {', '.join(map(str, missing))}",
                            hint=f"see `qualcode coding list --coder {coder} "
                                 "--origin suggested`")
    return found


def accept(store: Store, coder: str, ids: list[int] | None = None,
           transcript: str | None = None) -> int:
    """Turn suggestions into the coder's own codings (origin manual)."""
    from qualcode.services.code_maintenance import union_spans

    batch = audit.new_batch()
    with store.write() as session:
        found = _suggestions(session, coder, ids, transcript)
        for coding in found:
            coding.origin = "manual"
            coding.updated_at = now()
            session.add(coding)
            audit.record(session, "update", "coding", str(coding.pk), actor=coder, batch=batch,
                         before={"origin": "suggested"}, after={"origin": "manual"})
        session.flush()
        for code_pk in {c.code_pk for c in found}:
            union_spans(session, code_pk, batch)
    return len(found)


def reject(store: Store, coder: str, ids: list[int] | None = None,
           transcript: str | None = None) -> int:
    batch = audit.new_batch()
    with store.write() as session:
        found = _suggestions(session, coder, ids, transcript)
        for coding in found:
            audit.record(session, "remove", "coding", str(coding.pk), actor=coder, batch=batch,
                         before=coding_row(coding))
            session.delete(coding)
    return len(found)
