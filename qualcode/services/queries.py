"""Read-only views that work on turns and codings: a transcript's turns and sentences,
quotes, text search. (Status, transcript and case lists are in ``overview``.)"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import insert
from sqlmodel import Session, select

from qualcode.services.common import get_transcript
from qualcode.services.overview import (
    attributes_of,
)
from qualcode.store import Store
from qualcode.store.models import (
    Code,
    Coder,
    Coding,
    Participation,
    Person,
    Segment,
    Site,
    Transcript,
    Turn,
)


@dataclass
class Speaker:
    label: str
    person: str | None
    role: str | None


def _speakers(session: Session, transcript_pks: list[int] | None = None
              ) -> dict[int, dict[int, Speaker]]:
    """participation pk → Speaker, per transcript."""
    query = (select(Participation, Person.person_id, Person.role)
             .join(Person, Person.pk == Participation.person_pk, isouter=True))
    if transcript_pks is not None:
        query = query.where(Participation.transcript_pk.in_(transcript_pks))
    out: dict[int, dict[int, Speaker]] = defaultdict(dict)
    for part, person_id, person_role in session.exec(query).all():
        out[part.transcript_pk][part.pk] = Speaker(part.label, person_id,
                                                   person_role or part.role)
    return out


def transcript_turns(store: Store, ref: str, *, sentences: bool = False) -> dict:
    """A transcript with its turns (``index, speaker, role, person, start, end, text``)."""
    if sentences:
        ensure_segments(store, [ref])
    with store.read() as session:
        t = get_transcript(session, ref)
        speakers = _speakers(session, [t.pk])[t.pk]
        turns = session.exec(select(Turn).where(Turn.transcript_pk == t.pk)
                             .order_by(Turn.idx)).all()
        segs: dict[int, list[Segment]] = defaultdict(list)
        if sentences:
            for seg in session.exec(select(Segment).where(Segment.transcript_pk == t.pk)
                                    .order_by(Segment.start)).all():
                segs[seg.turn_pk].append(seg)
        site = session.get(Site, t.site_pk) if t.site_pk else None
        with store.snapshot() as db:
            attrs = attributes_of(db, "transcript").get(t.pk, {})
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
    from qualcode.segmenter import sentence_spans

    with store.read() as session:
        query = select(Transcript.pk, Transcript.name).where(Transcript.segmented == False)  # noqa: E712
        pending = session.exec(query).all()
        if refs is not None:
            wanted = {get_transcript(session, r).pk for r in refs}
            pending = [(pk, name) for pk, name in pending if pk in wanted]
    done = 0
    for pk, _name in pending:
        with store.write() as session:
            t = session.get(Transcript, pk)
            if t.segmented:  # someone else did it meanwhile
                continue
            turns = session.exec(select(Turn).where(Turn.transcript_pk == pk)
                                 .order_by(Turn.idx)).all()
            spans = sentence_spans(t.text[turn.start:turn.end] for turn in turns)
            rows = []
            for turn, sentence_list in zip(turns, spans, strict=True):
                for i, (s, e) in enumerate(sentence_list, start=1):
                    rows.append({"transcript_pk": pk, "turn_pk": turn.pk, "kind": "sentence",
                                 "idx": i, "start": turn.start + s, "end": turn.start + e})
            if rows:
                session.execute(insert(Segment), rows)
            t.segmented = True
            session.add(t)
        done += 1
    return done


def code_with_descendants(session: Session, code_id: str) -> list[int]:
    """Primary keys of a code and all codes below it."""
    from qualcode.domain.errors import NotFoundError

    codes = session.exec(select(Code.pk, Code.code_id, Code.parent_pk)).all()
    root = next((pk for pk, cid, _ in codes if cid == code_id), None)
    if root is None:
        raise NotFoundError(f"no code '{code_id}'", hint="see `qualcode codebook show`")
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, _, parent in codes:
        children[parent].append(pk)
    found, stack = [], [root]
    while stack:
        pk = stack.pop()
        found.append(pk)
        stack.extend(children[pk])
    return found


class TurnSpan(NamedTuple):
    idx: int
    start: int
    end: int
    participation_pk: int | None


def _fold(value: object) -> str:
    """Compare attribute values loosely: case, and the usual ASCII spellings of æøå
    (videregående, videregaaende and videregaende are the same value)."""
    from qualcode.domain.text import nfc

    text = nfc(str(value)).strip().casefold()
    text = text.replace("æ", "ae").replace("ø", "o").replace("å", "a")
    return text.replace("aa", "a")


def parse_where(conditions: list[str] | None) -> dict[str, str]:
    """``["rolle=rektor", "skoleslag=videregående"]`` → folded ``{name: value}``."""
    from qualcode.domain.errors import QualcodeError

    parsed: dict[str, str] = {}
    for condition in conditions or []:
        name, sep, value = condition.partition("=")
        if not sep or not name.strip():
            raise QualcodeError(f"'{condition}' is not NAME=VALUE",
                                hint="e.g. --where rolle=rektor --where skoleslag=videregaende")
        parsed[name.strip()] = _fold(value)
    return parsed


def quotes(store: Store, code_id: str, *, descendants: bool = True,
           coders: list[str] | None = None, where: list[str] | None = None,
           transcripts: list[str] | None = None, context: int = 0) -> list[dict]:
    """Every coded passage of a code (and, by default, its descendants), with attribution:
    the turns the span overlaps, their speakers, persons and roles, the site, and a label
    in the report's style ("Rådgiver, videregående skole").

    ``where`` filters on attributes (``rolle=rektor``, ``skoleslag=videregaende``, any site,
    person or transcript attribute): a passage qualifies when its transcript, or at least
    one of its speakers (with that speaker's site), has every named value. ``context``
    adds that many characters of surrounding text."""
    from qualcode.domain.labels import attribution

    conditions = parse_where(where)
    with store.read() as session:
        pks = code_with_descendants(session, code_id)
        if not descendants:
            pks = pks[:1]
        query = (
            select(Coding.pk, Coding.transcript_pk, Coding.start, Coding.end, Coding.memo,
                   Code.code_id, Coder.name, Transcript.name, Coding.quote,
                   Transcript.site_pk)
            .join(Code, Code.pk == Coding.code_pk)
            .join(Coder, Coder.pk == Coding.coder_pk)
            .join(Transcript, Transcript.pk == Coding.transcript_pk)
            .where(Coding.code_pk.in_(pks), Coding.origin != "suggested")
            .order_by(Transcript.name, Coding.start, Coder.name, Coding.pk)
        )
        if coders:
            query = query.where(Coder.name.in_(coders))
        if transcripts:
            query = query.where(Transcript.name.in_(transcripts))
        rows = session.exec(query).all()
        transcript_pks = sorted({r[1] for r in rows})
        speakers = _speakers(session, transcript_pks)
        turns: dict[int, list[TurnSpan]] = defaultdict(list)
        if transcript_pks:  # plain tuples: ORM objects for 100 000+ turns cost seconds
            for row in session.exec(
                    select(Turn.transcript_pk, Turn.idx, Turn.start, Turn.end,
                           Turn.participation_pk)
                    .where(Turn.transcript_pk.in_(transcript_pks))
                    .order_by(Turn.transcript_pk, Turn.start)).all():
                turns[row[0]].append(TurnSpan(*row[1:]))
        texts = {}
        if context and transcript_pks:  # whole texts only when context is asked for
            texts = dict(session.exec(select(Transcript.pk, Transcript.text)
                                      .where(Transcript.pk.in_(transcript_pks))).all())
        sites = {s.pk: s for s in session.exec(select(Site)).all()}
        persons = {p.person_id: p for p in session.exec(select(Person)).all()}
        with store.snapshot() as db:
            site_attrs = attributes_of(db, "site")
            person_attrs = attributes_of(db, "person")
            transcript_attrs = attributes_of(db, "transcript")
    _check_attribute_names(conditions, site_attrs, person_attrs, transcript_attrs)
    import bisect

    out = []
    starts_of = {t_pk: [t.start for t in tlist] for t_pk, tlist in turns.items()}
    for pk, t_pk, start, end, memo, code, coder, name, quote, t_site in rows:
        tlist = turns[t_pk]
        starts = starts_of[t_pk]
        i = max(bisect.bisect_right(starts, start) - 1, 0)
        overlapped = []
        while i < len(tlist) and tlist[i].start < end:
            if tlist[i].end > start or tlist[i].start == start:
                overlapped.append(tlist[i])
            i += 1
        who = [speakers[t_pk].get(t.participation_pk) for t in overlapped if t.participation_pk]
        who = [w for w in who if w]
        informants = [w for w in who if w.role != "intervjuer"] or who
        profiles = []
        for w in informants:
            person = persons.get(w.person) if w.person else None
            site_pk = person.site_pk if person and person.site_pk else t_site
            profile = {"rolle": w.role, **(person_attrs.get(person.pk, {}) if person else {}),
                       **site_attrs.get(site_pk, {})}
            profile["site"] = sites[site_pk].site_id if site_pk in sites else None
            profiles.append(profile)
        t_profile = {**site_attrs.get(t_site, {}), **transcript_attrs.get(t_pk, {}),
                     "transcript": name}
        if conditions and not _matches(conditions, profiles, t_profile):
            continue
        labels = list(dict.fromkeys(attribution(p.get("rolle"), p.get("skoleslag"))
                                    for p in profiles))
        item = {
            "coding": pk, "transcript": name,
            "site": sites[t_site].site_id if t_site in sites else None,
            "code": code, "coder": coder, "turns": [t.idx for t in overlapped],
            "speakers": sorted({s.label for s in who}),
            "roles": sorted({s.role for s in who if s.role}),
            "persons": sorted({s.person for s in who if s.person}),
            "attribution": "; ".join(labels), "start": start, "end": end,
            "text": quote, "memo": memo,  # the stored copy: it is the coded text
        }
        if context:
            item["before"] = texts[t_pk][max(0, start - context):start]
            item["after"] = texts[t_pk][end:end + context]
        out.append(item)
    return out


def _check_attribute_names(conditions: dict, *attribute_maps: dict) -> None:
    from qualcode.domain.errors import NotFoundError

    known = {"rolle", "site", "transcript"}
    for attrs in attribute_maps:
        for values in attrs.values():
            known.update(values)
    unknown = sorted(set(conditions) - known)
    if unknown:
        raise NotFoundError(f"no attribute named {', '.join(unknown)}",
                            hint=f"attributes: {', '.join(sorted(known))}")


def _matches(conditions: dict[str, str], profiles: list[dict], t_profile: dict) -> bool:
    def ok(profile: dict) -> bool:
        return all(_fold(profile.get(k, t_profile.get(k, ""))) == v
                   for k, v in conditions.items())
    return any(ok(p) for p in profiles) or (not profiles and ok({}))


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
            speakers = _speakers(session, [t.pk])[t.pk]
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
