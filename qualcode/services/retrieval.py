"""Retrieving coded passages: every quote of a code with its attribution, filtered by
any attribute of the speakers, their school or the interview.

Read-only, through :meth:`Store.snapshot` in plain SQL: ``quotes`` is what a researcher
runs all day, and it starts without loading the ORM.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from typing import NamedTuple

from qualcode.domain.errors import not_found
from qualcode.domain.norwegian import fold as _fold
from qualcode.pseudonyms import Key
from qualcode.segmenter import sentences_within, turn_sentences
from qualcode.services import layers
from qualcode.services.overview import attributes_of, speakers_of, subtree_pks
from qualcode.store import Store


def _marks(values: Sequence) -> str:
    """One ? per value, for an IN (...) list."""
    return ", ".join("?" * len(values))


def _check_transcripts(db, names: Sequence[str]) -> None:
    known = db.column("SELECT name FROM transcript")
    for name in names:
        if name not in known:
            raise not_found(f"no transcript named '{name}'", name, known,
                            "see `qualcode transcripts`")


class TurnSpan(NamedTuple):
    idx: int
    start: int
    end: int
    participation_pk: int | None


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


LAYER_ORIGINS = {False: "IN ('manual', 'imported')", True: "= 'consensus'"}


def quotes(store: Store, code_id: str, *, descendants: bool = True,
           coders: list[str] | None = None, where: list[str] | None = None,
           transcripts: list[str] | None = None, context: int = 0,
           key: Key | None = None, consensus: bool = False, sentences: bool = False,
           max_chars: int | None = None) -> list[dict]:
    """Every coded passage of a code (and, by default, its descendants), with attribution:
    the turns the span overlaps, their speakers, persons and roles, the site, and a label
    in the report's style ("Rådgiver, videregående skole").

    ``where`` filters on attributes (``rolle=rektor``, ``skoleslag=videregaende``, any site,
    person or transcript attribute): a passage qualifies when its transcript, or at least
    one of its speakers (with that speaker's site), has every named value. ``context``
    adds that many characters of surrounding text. With a pseudonym ``key`` the passage,
    its context and the names of speakers, persons, site and transcript are replaced (the
    offsets stay those of the project's text). With ``sentences`` the text is quoted as
    the Word report quotes it (see :mod:`qualcode.quotation`): the informants' whole
    sentences, without leading fillers, cut between sentences after ``max_chars``; start
    and end stay the coding's."""
    from qualcode.domain.labels import attribution
    from qualcode.services.media import timeline

    conditions = parse_where(where)
    with store.snapshot() as db:
        pks = subtree_pks(db.rows("SELECT pk, code_id, parent_pk FROM code"), code_id)
        if not descendants:
            pks = pks[:1]
        sql = ('SELECT c.pk, c.transcript_pk, c.start, c."end", c.memo, k.code_id, o.name, '
               "t.name, c.quote, t.site_pk FROM coding c "
               "JOIN code k ON k.pk = c.code_pk JOIN coder o ON o.pk = c.coder_pk "
               "JOIN transcript t ON t.pk = c.transcript_pk "
               # The layer matrices count (the coders' own codings), or the consensus
               # layer when asked: never both, so `quotes` and `matrix` agree.
               f"WHERE c.origin {LAYER_ORIGINS[consensus]} AND c.code_pk IN ({_marks(pks)})")
        params: list = list(pks)
        if coders:
            layers.check_coders(db.column("SELECT name FROM coder"), coders)
        if transcripts:
            _check_transcripts(db, transcripts)
        if coders:
            sql += f" AND o.name IN ({_marks(coders)})"
            params += coders
        elif not consensus:
            rounds, later = layers.default_condition(db)
            if rounds:
                sql += f" AND {rounds}"
                params += later
        if transcripts:
            sql += f" AND t.name IN ({_marks(transcripts)})"
            params += transcripts
        rows = db.rows(sql + ' ORDER BY t.name, c.start, o.name, c.pk', params)
        transcript_pks = sorted({r[1] for r in rows})
        speakers = speakers_of(db, transcript_pks)
        turns: dict[int, list[TurnSpan]] = defaultdict(list)
        texts = {}
        if transcript_pks:
            for row in db.rows('SELECT transcript_pk, idx, start, "end", participation_pk '
                               f"FROM turn WHERE transcript_pk IN ({_marks(transcript_pks)}) "
                               "ORDER BY transcript_pk, start", transcript_pks):
                turns[row[0]].append(TurnSpan(*row[1:]))
            if context or key or sentences:  # whole texts only when something needs them
                texts = dict(db.rows("SELECT pk, text FROM transcript WHERE pk IN "
                                     f"({_marks(transcript_pks)})", transcript_pks))
        timed = db.column("SELECT DISTINCT transcript_pk FROM turn WHERE t_start IS NOT NULL "
                          f"AND transcript_pk IN ({_marks(transcript_pks)})", transcript_pks
                          ) if transcript_pks else []
        timelines = {t_pk: timeline(db, t_pk) for t_pk in timed}
        stored_sentences: dict[int, list[tuple[int, int]]] = defaultdict(list)
        if sentences and transcript_pks:
            for t_pk, a, b in db.rows('SELECT transcript_pk, start, "end" FROM segment '
                                      f"WHERE kind = 'sentence' AND transcript_pk IN "
                                      f"({_marks(transcript_pks)}) ORDER BY start",
                                      transcript_pks):
                stored_sentences[t_pk].append((a, b))
        site_ids, person_sites, site_attrs, person_attrs, transcript_attrs = case_tables(db)
    _check_attribute_names(conditions, site_attrs, person_attrs, transcript_attrs)
    conditions = _known_values(where, conditions, speakers, site_ids, transcript_attrs,
                               site_attrs, person_attrs)
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
        profiles = [speaker_profile(w, t_site, person_sites, person_attrs, site_attrs,
                                    site_ids) for w in informants]
        t_profile = {**site_attrs.get(t_site, {}), **transcript_attrs.get(t_pk, {}),
                     "transcript": name}
        if conditions and not _matches(conditions, profiles, t_profile):
            continue
        labels = list(dict.fromkeys(attribution(p.get("rolle"), p.get("skoleslag"))
                                    for p in profiles))
        item = {
            "coding": pk, "transcript": name,
            "site": site_ids.get(t_site),
            "code": code, "coder": coder, "turns": [t.idx for t in overlapped],
            "speakers": sorted({s.label for s in who}),
            "roles": sorted({s.role for s in who if s.role}),
            "persons": sorted({s.person for s in who if s.person}),
            "attribution": "; ".join(labels), "start": start, "end": end,
            "text": quote, "memo": memo,  # the stored copy: it is the coded text
            # seconds into the recording where the passage starts, if the transcript says
            "time": timelines[t_pk].time_at(start) if t_pk in timelines else None,
        }
        if context:
            item["before"] = texts[t_pk][max(0, start - context):start]
            item["after"] = texts[t_pk][end:end + context]
        if key:
            _pseudonymise(item, key, texts[t_pk], context)
        if sentences:
            if t_pk not in stored_sentences:
                stored_sentences[t_pk] = turn_sentences(texts[t_pk], [
                    (t.start, t.end) for t in tlist])
            quoted = [t for t in overlapped if (w := speakers[t_pk].get(t.participation_pk))
                      and w.role != "intervjuer"] or overlapped
            item["text"] = _in_sentences(texts[t_pk], stored_sentences[t_pk], quoted,
                                         {t.idx: speakers[t_pk].get(t.participation_pk)
                                          for t in quoted}, start, end, key, max_chars)
        out.append(item)
    return out


def _in_sentences(text: str, sentences: list[tuple[int, int]], turns: list[TurnSpan],
                  who: dict, start: int, end: int, key: Key | None,
                  max_chars: int | None) -> str:
    """A coded passage as the Word report quotes it: per turn, the whole sentences it
    touches, leading fillers skipped, left-out turns and cuts marked […]."""
    from qualcode.quotation import Piece, compose, sentence_window

    cut = (lambda a, b: key.passage(text, a, b)) if key else (lambda a, b: text[a:b])
    pieces: list[Piece] = []
    previous = None
    for turn in turns:
        inside = sentences_within(sentences, turn.start, turn.end)
        spans, cut_start, cut_end = sentence_window(
            text, inside, max(turn.start, start), min(turn.end, end), lead=not pieces)
        if spans:
            speaker = who.get(turn.idx)
            label = speaker.label if speaker else None
            pieces.append(Piece(key.apply(label) if key and label else label,
                                [cut(a, b).strip() for a, b in spans],
                                gap=previous is not None and turn.idx != previous + 1,
                                cut_start=cut_start, cut_end=cut_end))
            previous = turn.idx
    return compose(pieces, max_chars) if pieces else cut(start, end).strip()


def _pseudonymise(item: dict, key: Key, text: str, context: int) -> None:
    """The quote as an export shows it: cut from the replaced text, so a name is replaced
    even where the coded span starts or ends inside it."""
    start, end = item["start"], item["end"]
    item["text"] = key.passage(text, start, end)
    if context:
        item["before"] = key.passage(text, max(0, start - context), start)
        item["after"] = key.passage(text, end, min(len(text), end + context))
    for name in ("transcript", "site", "memo"):
        item[name] = key.apply(item[name])
    for name in ("speakers", "persons"):
        item[name] = [key.apply(v) for v in item[name]]


def case_tables(db) -> tuple[dict, dict, dict, dict, dict]:
    """What attribution needs of the cases: site ids, each person's (pk, site), and the
    site, person and transcript attributes."""
    site_ids = dict(db.rows("SELECT pk, site_id FROM site"))
    person_sites = {person_id: (pk, site_pk) for pk, person_id, site_pk in db.rows(
        "SELECT pk, person_id, site_pk FROM person")}
    return (site_ids, person_sites, attributes_of(db, "site"), attributes_of(db, "person"),
            attributes_of(db, "transcript"))


def speaker_profile(speaker, t_site: int | None, person_sites: dict, person_attrs: dict,
                    site_attrs: dict, site_ids: dict) -> dict:
    """What is known of a speaker: role, the person's attributes and those of their school
    (the person's own site, else the interview's)."""
    person_pk, person_site = person_sites.get(speaker.person, (None, None))
    site_pk = person_site or t_site
    profile = {"rolle": speaker.role, **person_attrs.get(person_pk, {}),
               **site_attrs.get(site_pk, {})}
    profile["site"] = site_ids.get(site_pk)
    return profile


def _check_attribute_names(conditions: dict, *attribute_maps: dict) -> None:

    known = {"rolle", "site", "transcript"}
    for attrs in attribute_maps:
        for values in attrs.values():
            known.update(values)
    unknown = sorted(set(conditions) - known)
    if unknown:
        raise not_found(f"no attribute named {', '.join(unknown)}", unknown[0], known,
                        f"attributes: {', '.join(sorted(known))}")


def _known_values(where: list[str] | None, conditions: dict[str, str], speakers: dict,
                  site_ids: dict, transcript_attrs: dict, *attribute_maps: dict
                  ) -> dict[str, str]:
    """Each --where value as stored: a value the project has, or a label the reports print
    for one ("skoleslag=videregående skole" is videregaende). A value neither the project
    nor the study's design knows (a typo: rolle=rektr) is an error that lists the values,
    rather than an empty result."""
    import difflib

    from qualcode.domain.errors import NotFoundError
    from qualcode.domain.labels import ROLE_LABELS, SCHOOL_TYPE_LABELS

    if not conditions:
        return conditions
    values: dict[str, set[str]] = {
        "rolle": {s.role for by_part in speakers.values() for s in by_part.values()
                  if s and s.role},
        "site": {str(v) for v in site_ids.values()},
    }
    for attrs in (*attribute_maps, transcript_attrs):
        for owner in attrs.values():
            for name, value in owner.items():
                values.setdefault(name, set()).add(str(value))
    labels = {_fold(label): _fold(value)
              for table in (ROLE_LABELS, SCHOOL_TYPE_LABELS) for value, label in table.items()}
    vocabulary = set(labels.values())  # values the study's design knows, here or not
    raw = {name.strip(): value.strip() for name, _, value in
           (c.partition("=") for c in where or [])}
    resolved = {}
    for name, folded in conditions.items():
        known = {_fold(v): v for v in values.get(name, set())}
        if not known or name == "transcript" or folded in known:
            resolved[name] = folded
        elif folded in labels:
            resolved[name] = labels[folded]
        elif folded in vocabulary:
            resolved[name] = folded  # a value of the design that this project lacks
        else:
            close = difflib.get_close_matches(raw.get(name, folded), sorted(known.values()),
                                              n=1)
            listed = ", ".join(sorted(known.values()))
            raise NotFoundError(
                f"no {name} '{raw.get(name, folded)}' in this project",
                hint=(f"did you mean '{close[0]}'? " if close else "") + f"{name}: {listed}")
    return resolved


def _matches(conditions: dict[str, str], profiles: list[dict], t_profile: dict) -> bool:
    def ok(profile: dict) -> bool:
        return all(_fold(profile.get(k, t_profile.get(k, ""))) == v
                   for k, v in conditions.items())
    return any(ok(p) for p in profiles) or (not profiles and ok({}))


