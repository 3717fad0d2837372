"""Answering a query: the passages where codes and attribute conditions meet, as quotes,
as a matrix, or coded into a code of their own; and queries saved by name.

A query is evaluated on spans: per transcript, sorted and non-overlapping ``[start, end)``
stretches of text. A code stands for the text any coder (or the coders asked for; a
coder's later round such as anna@2 only when named) coded with it or a code below it; a
condition stands for the turns of speakers it holds for (consecutive ones as one stretch).

- ``A AND B`` keeps the text both cover (where their spans overlap);
- ``A OR B`` the text either covers;
- ``A NOT B`` the spans of A that overlap no span of B, whole;
- ``A NEAR n B`` the spans of A and of B that have a partner at most n turns away in the
  same transcript;
- ``A IN B`` the spans of A that lie wholly inside a span of B.

Reading is plain SQL through :meth:`Store.snapshot`, like ``quotes``; coding the results
goes through the coding services, so the audit log has it and ``coding undo`` takes it
back whole.
"""

from __future__ import annotations

import bisect
import difflib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from qualcode import query_language as ql
from qualcode.agreement import intersect_intervals
from qualcode.domain.errors import NotFoundError, not_found
from qualcode.services import layers
from qualcode.services.overview import INTERVIEWER, speakers_of, subtree_pks
from qualcode.services.retrieval import _fold, case_tables, speaker_profile
from qualcode.store import Store

Spans = dict[int, list[tuple[int, int]]]  # transcript pk → sorted, disjoint spans
SAVED_PREFIX = "query:"


@dataclass
class QueryResult:
    text: str  # the query as parsed, in canonical form
    passages: list[dict]
    parts: list[tuple[str, int]] = field(default_factory=list)  # each part: passages found

    def explain(self) -> str:
        """What matched each part, for an empty result."""
        return "; ".join(f"{text}: {n}" for text, n in self.parts)


def merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def intersect(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return intersect_intervals(a, b)


def _overlaps(span: tuple[int, int], others: list[tuple[int, int]], starts: list[int]) -> bool:
    # Disjoint and sorted: the last span starting before this one ends reaches furthest.
    i = bisect.bisect_left(starts, span[1])
    return i > 0 and others[i - 1][1] > span[0]


def _inside(span: tuple[int, int], others: list[tuple[int, int]], starts: list[int]) -> bool:
    i = bisect.bisect_right(starts, span[0])
    return i > 0 and others[i - 1][1] >= span[1]


class ProjectView:
    """Everything one evaluation reads, in one snapshot."""

    def __init__(self, store: Store, coders: list[str] | None) -> None:
        self.store = store
        self.coders = coders
        if coders:
            with store.snapshot() as db:
                layers.check_coders(db.column("SELECT name FROM coder"), coders)
        self._codings: dict[int, list[tuple[int, int, int]]] = {}  # code pk → codings
        self._spans: dict[str, Spans] = {}  # code id (with the codes below it) → spans
        self._extents: dict | None = None  # see speaking_extents()
        with store.snapshot() as db:
            self.codes = db.rows("SELECT pk, code_id, parent_pk FROM code")
            # Texts are read later, only of the transcripts a result needs (see texts()).
            self.transcripts = {pk: (name, site_pk) for pk, name, site_pk in db.rows(
                "SELECT pk, name, site_pk FROM transcript")}
            self.speakers = speakers_of(db)
            (site_ids, person_sites, site_attrs, person_attrs,
             transcript_attrs) = case_tables(db)
        # Turns are read per transcript as needed: a project holds a few hundred thousand.
        self.turns: dict[int, list[tuple[int, int, int, int | None]]] = {}
        self.turn_starts: dict[int, list[int]] = {}
        # Each speaker's profile, and each transcript's own, computed once.
        self.t_profiles = {
            pk: {**site_attrs.get(site_pk, {}), **transcript_attrs.get(pk, {}),
                 "transcript": name, "site": site_ids.get(site_pk)}
            for pk, (name, site_pk) in self.transcripts.items()}
        self.profiles: dict[tuple[int, int], dict] = {}
        for t_pk, parts in self.speakers.items():
            t_site = self.transcripts[t_pk][1] if t_pk in self.transcripts else None
            for part_pk, speaker in parts.items():
                self.profiles[t_pk, part_pk] = {
                    **self.t_profiles.get(t_pk, {}),
                    **speaker_profile(speaker, t_site, person_sites, person_attrs,
                                      site_attrs, site_ids)}
        self.attribute_names = {"rolle", "site", "transcript"}
        for attrs in (site_attrs, person_attrs, transcript_attrs):
            for values in attrs.values():
                self.attribute_names.update(values)

    def speaking_extents(self) -> dict[int, tuple[list[int | None], int, int]]:
        """Per transcript: who speaks in it (participations, and None when some turns name
        no one) and where its first turn starts and its last ends. Read through the index
        on (transcript, start), two look-ups per transcript: grouping every turn of a
        national project by speaker took five times as long."""
        if self._extents is None:
            self._extents = {}
            with self.store.snapshot() as db:
                unnamed = {pk for (pk,) in db.rows(
                    "SELECT DISTINCT transcript_pk FROM turn WHERE participation_pk IS NULL")}
                for t_pk, first, last in db.rows(
                        "SELECT t.pk, (SELECT min(start) FROM turn WHERE transcript_pk = t.pk), "
                        '(SELECT "end" FROM turn WHERE transcript_pk = t.pk '
                        "ORDER BY start DESC LIMIT 1) FROM transcript t"):
                    if first is None:
                        continue  # no turns: nobody says anything here
                    parts: list[int | None] = list(self.speakers.get(t_pk, {}))
                    if t_pk in unnamed:
                        parts.append(None)
                    self._extents[t_pk] = (parts, first, last)
        return self._extents

    def turns_within(self, spans: list[tuple[int, int, int]]
                     ) -> list[list[tuple[int, int, int, int | None]]]:
        """The turns each (transcript pk, start, end) overlaps, in order: from turns already
        read, else from the database, a few rows at a time."""
        out = []
        with self.store.snapshot() as db:
            for t_pk, start, end in spans:
                if t_pk in self.turns:
                    turns, starts = self.turns[t_pk], self.turn_starts[t_pk]
                    i = max(bisect.bisect_right(starts, start) - 1, 0)
                    found = []
                    while i < len(turns) and turns[i][1] < end:
                        if turns[i][2] > start:
                            found.append(turns[i])
                        i += 1
                else:
                    found = [tuple(row) for row in db.rows(
                        'SELECT idx, start, "end", participation_pk FROM turn WHERE '
                        'transcript_pk = ? AND start < ? AND "end" > ? ORDER BY start',
                        (t_pk, end, start))]
                out.append(found)
        return out

    def load_turns(self, pks=None) -> None:
        """Read the turns of these transcripts (None: of all) if not read yet."""
        wanted = sorted(pk for pk in set(self.transcripts if pks is None else pks)
                        if pk not in self.turns)
        if not wanted:
            return
        sql = 'SELECT transcript_pk, idx, start, "end", participation_pk FROM turn'
        params: list = []
        if pks is not None:
            sql += f" WHERE transcript_pk IN ({', '.join('?' * len(wanted))})"
            params = wanted
        for pk in wanted:
            self.turns[pk] = []
        with self.store.snapshot() as db:
            for t_pk, idx, start, end, part in db.rows(sql, params):
                self.turns[t_pk].append((idx, start, end, part))
        for pk in wanted:
            self.turns[pk].sort(key=lambda t: t[1])
            self.turn_starts[pk] = [t[1] for t in self.turns[pk]]

    def texts(self, pks) -> dict[int, str]:
        """The texts of these transcripts (a whole project's run to tens of megabytes)."""
        pks = sorted(set(pks))
        if not pks:
            return {}
        with self.store.snapshot() as db:
            return dict(db.rows(f"SELECT pk, text FROM transcript WHERE pk IN "
                                f"({', '.join('?' * len(pks))})", pks))

    def code_spans(self, code: ql.Code) -> Spans:
        known = {cid for _, cid, _ in self.codes}
        if code.code_id not in known:
            close = difflib.get_close_matches(code.code_id, sorted(known), n=1)
            if close:
                hint = f"did you mean '{close[0]}'?"
            elif code.code_id in self.attribute_names:
                hint = f"'{code.code_id}' is an attribute: compare it, e.g. {code.code_id} = …"
            else:
                hint = "see `qualcode codebook show`"
            raise NotFoundError(f"query: at {code.column}: no code '{code.code_id}'", hint=hint)
        if code.code_id not in self._spans:
            pks = subtree_pks(self.codes, code.code_id)
            self._load_codings([pk for pk in pks if pk not in self._codings])
            found: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for pk in pks:
                for t_pk, start, end in self._codings.get(pk, ()):
                    found[t_pk].append((start, end))
            self._spans[code.code_id] = {t_pk: merge(spans) for t_pk, spans in found.items()}
        return self._spans[code.code_id]

    def preload(self, code_ids: list[str]) -> None:
        """Read the codings of these codes (and the codes below them) in one go: only
        those, as a project holds a hundred thousand codings."""
        known = {cid for _, cid, _ in self.codes}
        pks = [pk for cid in code_ids if cid in known for pk in subtree_pks(self.codes, cid)]
        self._load_codings([pk for pk in dict.fromkeys(pks) if pk not in self._codings])

    def _load_codings(self, pks: list[int]) -> None:
        if not pks:
            return
        # Named coders: all their codings but suggestions (the consensus coder may be
        # named); no coder named: the default layer, every coder's own codings.
        origins = "!= 'suggested'" if self.coders else f"IN {layers.OWN_ORIGINS}"
        sql = ('SELECT c.code_pk, c.transcript_pk, c.start, c."end" FROM coding c '
               f"WHERE c.code_pk IN ({', '.join('?' * len(pks))}) AND c.origin {origins}")
        params: list = list(pks)
        if self.coders:  # every coder's codings need no look-up of whose they are
            sql += (" AND c.coder_pk IN (SELECT pk FROM coder WHERE name IN "
                    f"({', '.join('?' * len(self.coders))}))")
            params += list(self.coders)
        for pk in pks:
            self._codings[pk] = []
        with self.store.snapshot() as db:
            if not self.coders:
                rounds, later = layers.default_condition(db)
                if rounds:
                    sql += f" AND {rounds}"
                    params += later
            for code_pk, t_pk, start, end in db.rows(sql, params):
                self._codings[code_pk].append((t_pk, start, end))

    def excerpts(self, spans: list[tuple[int, int, int]]) -> list[str]:
        """The text of each (transcript pk, start, end), cut out by the database: reading
        whole transcripts for a few hundred quotes would read the whole project."""
        with self.store.snapshot() as db:
            return [db.rows("SELECT substr(text, ?, ?) FROM transcript WHERE pk = ?",
                            (start + 1, end - start, t_pk))[0][0]
                    for t_pk, start, end in spans]

    def condition_spans(self, condition: ql.Condition, scope=None) -> Spans:
        if condition.name not in self.attribute_names:
            close = difflib.get_close_matches(condition.name, sorted(self.attribute_names), n=1)
            hint = (f"did you mean '{close[0]}'?" if close
                    else f"attributes: {', '.join(sorted(self.attribute_names))}")
            raise NotFoundError(f"query: at {condition.column}: no attribute named "
                                f"'{condition.name}'", hint=hint)
        found: Spans = {}
        verdicts: dict[int, bool] = {}  # by profile: a speaker's turns share one profile

        def test(profile: dict) -> bool:
            key = id(profile)
            if key not in verdicts:
                verdicts[key] = holds(condition, profile)
            return verdicts[key]

        # Where every speaker of a transcript agrees (a condition on the school or the
        # interview, or a one-to-one interview), the answer is one stretch from the first
        # turn to the last, and no turn need be read; only mixed transcripts are.
        mixed = []
        extents = self.speaking_extents()
        for t_pk in self.transcripts if scope is None else scope:
            if t_pk not in extents:
                continue
            own = self.t_profiles.get(t_pk, {})
            parts, first, last = extents[t_pk]
            said = {test(self.profiles.get((t_pk, part), own)) for part in parts}
            if said == {True}:
                found[t_pk] = [(first, last)]
            elif said == {True, False}:
                mixed.append(t_pk)
        self.load_turns(mixed)
        for t_pk in mixed:
            turns = self.turns[t_pk]
            own = self.t_profiles.get(t_pk, {})
            # Consecutive turns it holds for are one stretch (the speaker labels between
            # them too), so a condition on the school or interview never cuts a passage.
            spans: list[tuple[int, int]] = []
            previous = False
            for _, start, end, part in turns:
                now = test(self.profiles.get((t_pk, part), own))
                if now and previous:
                    spans[-1] = (spans[-1][0], end)
                elif now:
                    spans.append((start, end))
                previous = now
            if spans:
                found[t_pk] = spans
        return found

    def turn_range(self, t_pk: int, span: tuple[int, int]) -> tuple[int, int]:
        """The first and last turn (index) a span touches."""
        self.load_turns([t_pk])
        starts, turns = self.turn_starts[t_pk], self.turns[t_pk]
        if not turns:
            return 0, 0
        first = max(bisect.bisect_right(starts, span[0]) - 1, 0)
        last = max(bisect.bisect_left(starts, span[1]) - 1, first)
        return turns[first][0], turns[last][0]


def holds(condition: ql.Condition, profile: dict) -> bool:
    """Whether an attribute condition holds for one speaker's (or transcript's) profile.
    Text compares loosely (case, æøå spelt aa/ae/o); booleans read ja/nei/true/false;
    < and > compare numbers as numbers and dates as dates."""
    if condition.name not in profile or profile[condition.name] is None:
        return condition.op == "!="
    actual = profile[condition.name]
    if condition.op in ("=", "!=", "in"):
        same = any(_equal(actual, value) for value in condition.values)
        return same if condition.op != "!=" else not same
    order = _ordered(actual, condition.values[0])
    if order is None:
        return False
    left, right = order
    return {"<": left < right, ">": left > right, "<=": left <= right,
            ">=": left >= right}[condition.op]


def _equal(actual: object, value: str) -> bool:
    if isinstance(actual, bool):
        word = _fold(value)
        return (word in ("ja", "true", "yes", "sann")) == actual and word in (
            "ja", "true", "yes", "sann", "nei", "false", "no", "usann")
    if isinstance(actual, (int, float)):
        number = _number(value)
        return number is not None and float(actual) == number
    return _fold(actual) == _fold(value)


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _ordered(actual: object, value: str) -> tuple | None:
    import datetime as dt

    if isinstance(actual, bool):
        return None
    if isinstance(actual, (int, float)):
        number = _number(value)
        return None if number is None else (float(actual), number)
    if isinstance(actual, dt.date):
        try:
            return actual, dt.date.fromisoformat(value)
        except ValueError:
            return None
    number, other = _number(str(actual)), _number(value)
    if number is not None and other is not None:
        return number, other
    return _fold(actual), _fold(value)


def _evaluate(node: ql.Node, project: ProjectView, parts: list[tuple[str, int]],
              scope: set[int] | None = None, *, narrow: bool = True) -> Spans:
    """The spans of a query, looked for only in the transcripts of ``scope`` (None: all).
    Every operator but OR finds nothing in a transcript where one side has nothing, so the
    side without conditions (quick: codings of a few codes) is evaluated first and narrows
    where the other side (every turn's speaker) is looked for."""
    if isinstance(node, ql.Code):
        found = project.code_spans(node)
        if scope is not None:
            found = {t_pk: spans for t_pk, spans in found.items() if t_pk in scope}
    elif isinstance(node, ql.Condition):
        found = project.condition_spans(node, scope)
    elif node.op == "OR":
        found = _combine(node, _evaluate(node.left, project, parts, scope, narrow=narrow),
                         _evaluate(node.right, project, parts, scope, narrow=narrow), project)
    else:
        first_left = (not narrow or not ql.conditions_in(node.left)
                      or bool(ql.conditions_in(node.right)))
        order = [node.left, node.right] if first_left else [node.right, node.left]
        done = {}
        for child in order:
            narrowed = scope if not done or not narrow else set(next(iter(done.values())))
            if node.op == "NOT" and child is node.right and not done:
                narrowed = scope  # A NOT B: B alone says nothing of where A is
            done[id(child)] = _evaluate(child, project, parts, narrowed, narrow=narrow)
        found = _combine(node, done[id(node.left)], done[id(node.right)], project)
    parts.append((ql.describe(node), sum(len(s) for s in found.values())))
    return found


def _combine(node: ql.Combine, left: Spans, right: Spans, project: ProjectView) -> Spans:
    found: Spans = {}
    if node.op == "OR":
        for t_pk in left.keys() | right.keys():
            found[t_pk] = merge(left.get(t_pk, []) + right.get(t_pk, []))
        return found
    if node.op == "NEAR":  # the turns of every transcript both sides are in, in one read
        project.load_turns(left.keys() & right.keys())
    for t_pk, spans in left.items():
        others = right.get(t_pk, [])
        starts = [s for s, _ in others]
        if node.op == "AND":
            kept = intersect(spans, others)
        elif node.op == "NOT":
            kept = [s for s in spans if not _overlaps(s, others, starts)]
        elif node.op == "IN":
            kept = [s for s in spans if _inside(s, others, starts)]
        else:  # NEAR
            kept = _near(t_pk, spans, others, node.distance, project)
        if kept:
            found[t_pk] = kept
    return found


def _near(t_pk: int, spans: list, others: list, distance: int, project: ProjectView) -> list:
    mine = [project.turn_range(t_pk, s) for s in spans]
    theirs = [project.turn_range(t_pk, s) for s in others]

    def close(a: tuple[int, int], b: tuple[int, int]) -> bool:
        return max(0, b[0] - a[1], a[0] - b[1]) <= distance

    kept = [s for s, a in zip(spans, mine, strict=True) if any(close(a, b) for b in theirs)]
    kept += [s for s, b in zip(others, theirs, strict=True) if any(close(a, b) for a in mine)]
    return merge(kept)


def run_query(store: Store, text: str, *, coders: list[str] | None = None) -> QueryResult:
    """The passages a query finds, with attribution as ``quotes`` gives it, and what each
    part of the query found."""
    from qualcode.domain.labels import attribution

    tree = ql.parse(text)
    project = ProjectView(store, coders)
    project.preload([c.code_id for c in ql.codes_in(tree)])
    parts: list[tuple[str, int]] = []
    found = _evaluate(tree, project, parts)
    if not found:  # say what each part finds on its own, in the order it was written
        parts = []
        _evaluate(tree, project, parts, narrow=False)
    named = {c.code_id for c in ql.codes_in(tree)}
    code_spans = {cid: project.code_spans(ql.Code(cid, 0)) for cid in sorted(named)}
    passages = []
    order = sorted(found, key=lambda pk: project.transcripts[pk][0])
    spans = [(t_pk, start, end) for t_pk in order for start, end in found[t_pk]]
    for (t_pk, start, end), overlapped in zip(spans, project.turns_within(spans), strict=True):
        name = project.transcripts[t_pk][0]
        speakers = project.speakers.get(t_pk, {})
        who = [(part, speakers[part]) for _, _, _, part in overlapped if part in speakers]
        informants = [w for w in who if w[1].role != INTERVIEWER] or who
        profiles = [(s.person, project.profiles[t_pk, part]) for part, s in informants]
        labels = list(dict.fromkeys(attribution(p.get("rolle"), p.get("skoleslag"))
                                    for _, p in profiles))
        passages.append({
            "transcript": name, "site": project.t_profiles[t_pk].get("site"),
            "turns": [t[0] for t in overlapped], "start": start, "end": end,
            "speakers": sorted({s.label for _, s in who}),
            "roles": sorted({s.role for _, s in who if s.role}),
            "persons": sorted({s.person for _, s in informants if s.person}),
            "attribution": "; ".join(labels),
            "codes": [cid for cid, coded in code_spans.items()
                      if intersect([(start, end)], coded.get(t_pk, []))],
            "text": None,  # filled in below, all in one snapshot
            # (person, profile) of each informant, for matrices; not for display
            "profiles": profiles or [(None, project.t_profiles[t_pk])],
        })
    for passage, text in zip(passages, project.excerpts(spans), strict=True):
        passage["text"] = text
    return QueryResult(ql.describe(tree), passages, parts)


def query_matrix(result: QueryResult, cols: list[str]) -> dict:
    """The passages counted by the codes the query names (rows, plus every passage) and the
    values of ``cols`` (columns): a passage counts in each column one of its informants
    falls in. Cells hold passages and distinct informants."""
    columns: list[tuple] = []
    cells: dict[tuple[str, tuple], dict[str, set]] = defaultdict(
        lambda: {"passages": set(), "informants": set()})
    rows = sorted({c for p in result.passages for c in p["codes"]}) + ["alle treff"]
    for n, passage in enumerate(result.passages):
        keys = {}
        for person, profile in passage["profiles"]:
            key = tuple(shown(profile.get(c)) for c in cols)
            keys.setdefault(key, set()).add(person)
        for key, persons in keys.items():
            if key not in columns:
                columns.append(key)
            for row in [*passage["codes"], "alle treff"]:
                cell = cells[row, key]
                cell["passages"].add(n)
                cell["informants"].update(p for p in persons if p)
    columns.sort()
    return {"query": result.text, "cols": cols, "rows": rows,
            "columns": [list(c) for c in columns],
            "cells": [{"row": row, **dict(zip(cols, key, strict=True)),
                       "passages": len(cells[row, key]["passages"]),
                       "informants": len(cells[row, key]["informants"])}
                      for row in rows for key in columns]}


def shown(value: object) -> str:
    """An attribute value as a group's name: None as —, booleans as ja/nei."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "ja" if value else "nei"
    return str(value)


def code_results(store: Store, result: QueryResult, code: str, coder: str) -> int:
    """Code every passage a query found with ``code`` in ``coder``'s layer, in one action:
    audited, and undone whole by ``coding undo``. Returns how many passages were coded."""
    from qualcode import audit
    from qualcode.services.coding_ops import _usable_code, add_or_extend
    from qualcode.services.common import get_or_create_coder, get_transcript

    batch = audit.new_batch()
    with store.write() as session:
        target = _usable_code(session, code)
        who = get_or_create_coder(session, coder)
        for passage in result.passages:
            t = get_transcript(session, passage["transcript"])
            add_or_extend(session, t, target.pk, who.pk, coder, passage["start"],
                          passage["end"], memo=f"query: {result.text}", origin="manual",
                          batch=batch)
    return len(result.passages)


def save_query(store: Store, name: str, text: str) -> str:
    """Keep a query under a name in the project (parsed first, so only good ones are
    kept); returns its canonical form."""
    from qualcode import audit
    from qualcode.services.common import get_meta, now, set_meta

    canonical = ql.describe(ql.parse(text))
    with store.write() as session:
        key = SAVED_PREFIX + name
        before = get_meta(session, key)
        value = {"query": canonical, "saved": now().isoformat(timespec="seconds")}
        set_meta(session, key, value)
        audit.record(session, "save", "query", name,
                     before=json.loads(before) if before else None, after=value)
    return canonical


def saved_queries(store: Store) -> list[dict]:
    with store.snapshot() as db:
        rows = db.rows("SELECT key, value FROM project_meta WHERE key LIKE ? ORDER BY key",
                       (SAVED_PREFIX + "%",))
    return [{"name": key[len(SAVED_PREFIX):], **json.loads(value)} for key, value in rows]


def saved_query(store: Store, name: str) -> str:
    found = {q["name"]: q["query"] for q in saved_queries(store)}
    if name not in found:
        raise not_found(f"no saved query '{name}'", name, found,
                        f"saved: {', '.join(sorted(found)) or 'none yet'}")
    return found[name]


def delete_query(store: Store, name: str) -> None:
    from qualcode import audit
    from qualcode.store.models import ProjectMeta

    text = saved_query(store, name)
    with store.write() as session:
        row = session.get(ProjectMeta, SAVED_PREFIX + name)
        session.delete(row)
        audit.record(session, "delete", "query", name, before={"query": text})
