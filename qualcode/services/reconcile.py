"""Reconciling two coders into a consensus layer.

The consensus layer is a coder of its own (named ``consensus`` unless told otherwise) whose
codings have origin ``consensus``. The two coders' layers are only read, never changed.

What is decided
    The unit of decision is a *passage*: a stretch where the two coders' merged segments
    of one code overlap or touch (see :func:`qualcode.services.agreement_report.clusters`).
    Passages on which both coded exactly the same characters are copied to the consensus
    layer as they are (decision ``agreed``); the others are decided one by one: keep A's
    segments, keep B's, keep both (their union), neither, or an edited span.
Saving and resuming
    Every decision is one transaction: the consensus codings and an audit event
    (action ``reconcile``, entity key ``coder|coder|code|transcript|start-end``, the decision
    and the spans in ``after``) share one batch. A passage whose key has a decision event
    is skipped when the work is resumed. ``qualcode coding undo --coder consensus`` reverses
    the last decision that wrote codings, and the passage comes back.
Automatic
    ``auto(..., "union")`` or ``"intersection"``: per code and transcript the union or the
    intersection of the two coders' merged segments, for every passage not yet decided.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, select

from qualcode import audit
from qualcode.domain.errors import QualcodeError
from qualcode.services.agreement_report import (
    Interval,
    Scope,
    clusters,
    intersect_intervals,
    load_scope,
    merge_intervals,
    passage_kind,
    split_names,
)
from qualcode.services.coding_ops import add_or_extend
from qualcode.services.common import CODING_FIELDS, get_or_create_coder, now
from qualcode.store import Store
from qualcode.store.models import AuditEvent, Code, Coding, Transcript, Turn

DECISIONS = ("a", "b", "both", "neither", "edit")
AUTO_MODES = ("union", "intersection")
ACTION = "reconcile"


@dataclass
class Item:
    """One passage to decide (or already agreed)."""

    key: str
    code: str
    label: str
    transcript: str
    start: int
    end: int
    a: list[Interval]
    b: list[Interval]
    kind: str

    @property
    def agreed(self) -> bool:
        return self.a == self.b

    @property
    def union(self) -> list[Interval]:
        return merge_intervals(self.a + self.b)


@dataclass
class Reconciliation:
    """Two coders, the consensus coder, the passages and which are decided."""

    store: Store
    coder_a: str
    coder_b: str
    consensus: str
    items: list[Item]
    decided: dict[str, dict] = field(default_factory=dict)  # key → the decision event
    scope: Scope | None = None
    _texts: dict[str, str] = field(default_factory=dict)
    _turns: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)

    @property
    def disagreements(self) -> list[Item]:
        return [item for item in self.items if not item.agreed]

    def pending(self) -> list[Item]:
        """Disagreements without a decision, in codebook order, then transcript and place."""
        return [item for item in self.disagreements if item.key not in self.decided]

    def text(self, transcript: str) -> str:
        if transcript not in self._texts:
            self._load(transcript)
        return self._texts[transcript]

    def turns(self, transcript: str) -> list[tuple[int, int, int]]:
        """``(start, end, index)`` of the transcript's turns, in order."""
        if transcript not in self._turns:
            self._load(transcript)
        return self._turns[transcript]

    def _load(self, transcript: str) -> None:
        with self.store.read() as session:
            t = session.exec(select(Transcript).where(Transcript.name == transcript)).one()
            self._texts[transcript] = t.text
            self._turns[transcript] = list(session.exec(
                select(Turn.start, Turn.end, Turn.idx).where(Turn.transcript_pk == t.pk)
                .where(Turn.end > Turn.start).order_by(Turn.start)).all())

    def codes_on(self, item: Item) -> dict[str, list[str]]:
        """Per coder, every code (any code) they applied to some part of the passage."""
        out: dict[str, list[str]] = {self.coder_a: [], self.coder_b: []}
        if self.scope is None:
            return out
        t_pk = next(t.pk for t in self.scope.transcripts if t.name == item.transcript)
        found: dict[str, list[tuple[int, str]]] = {self.coder_a: [], self.coder_b: []}
        for (code_pk, pk), cell in self.scope.spans.items():
            if pk != t_pk:
                continue
            code = self.scope.all_codes[code_pk]
            for coder, spans in zip(self.scope.coders, cell, strict=True):
                if any(s < item.end and e > item.start for s, e in spans):
                    found[coder].append((code.order, code.code_id))
        for coder, codes in found.items():
            out[coder] = [c for _, c in sorted(codes)]
        return out

    def spans_for(self, item: Item, decision: str) -> list[Interval]:
        if decision == "a":
            return list(item.a)
        if decision == "b":
            return list(item.b)
        if decision in ("both", "union", "agreed"):
            return item.union
        if decision == "intersection":
            return intersect_intervals(item.a, item.b)
        if decision == "neither":
            return []
        raise QualcodeError(f"unknown decision '{decision}'",
                            hint=f"use one of {', '.join(DECISIONS)}")

    def decide(self, item: Item, decision: str,
               spans: Sequence[Sequence[int]] | None = None) -> list[Interval]:
        """Record one decision in its own transaction; returns the spans written."""
        if decision == "edit":
            if not spans:
                raise QualcodeError("an edited decision needs a span",
                                    hint="or choose neither")
            chosen = merge_intervals(spans)
        else:
            chosen = self.spans_for(item, decision)
        with self.store.write() as session:
            writer = _Writer(session, self)
            event = writer.add(item, decision, chosen)
            writer.finish()
        self.decided[item.key] = event
        return chosen

    def summary(self) -> dict:
        disagreements = self.disagreements
        return {"coders": [self.coder_a, self.coder_b], "consensus": self.consensus,
                "passages": len(self.items),
                "agreed": len(self.items) - len(disagreements),
                "disagreements": len(disagreements),
                "decided": sum(1 for i in disagreements if i.key in self.decided),
                "pending": len(self.pending())}


def _key(coder_a: str, coder_b: str, code: str, transcript: str, start: int, end: int) -> str:
    first, second = sorted((coder_a, coder_b))
    return f"{first}|{second}|{code}|{transcript}|{start}-{end}"


def _decisions(store: Store, consensus: str) -> dict[str, dict]:
    """Decision events of the consensus coder that have not been undone."""
    with store.read() as session:
        events = session.exec(select(AuditEvent).where(
            AuditEvent.actor == consensus,
            AuditEvent.entity.in_((ACTION, "undo")))).all()
    undone = {json.loads(e.after)["batch"] for e in events if e.entity == "undo" and e.after}
    return {e.entity_key: json.loads(e.after) for e in events
            if e.entity == ACTION and e.batch not in undone}


def _items(scope: Scope) -> list[Item]:
    out = []
    for code in scope.codes:
        for t in scope.transcripts:
            cell = scope.spans.get((code.pk, t.pk))
            if cell is None:
                continue
            for c in clusters(cell):
                a, b = c.by_coder
                out.append(Item(_key(scope.coders[0], scope.coders[1], code.code_id, t.name,
                                     c.start, c.end),
                                code.code_id, code.label, t.name, c.start, c.end, a, b,
                                passage_kind(scope.coders, c.by_coder)))
    return out


def _add_consensus(session: Session, transcript: Transcript, code_pk: int, coder_pk: int,
                   coder: str, start: int, end: int, memo: str, batch: str) -> None:
    """Add a consensus coding, extending one of the same code it overlaps or touches."""
    add_or_extend(session, transcript, code_pk, coder_pk, coder, start, end, memo=memo,
                  origin="consensus", batch=batch)


def _describe(rec: Reconciliation, decision: str) -> str:
    return {"a": f"keep {rec.coder_a}", "b": f"keep {rec.coder_b}",
            "both": f"keep both ({rec.coder_a} and {rec.coder_b})", "neither": "neither",
            "edit": "edited span", "agreed": "both coders agreed",
            "union": "union (automatic)", "intersection": "intersection (automatic)",
            }[decision]


class _Writer:
    """Writes the decisions of one transaction: consensus codings and audit events, all in
    one batch (so `coding undo` takes a decision back whole).

    New codings go in with one multi-row INSERT at :meth:`finish` (no flush per row, which
    matters when thousands of passages are decided at once); a span that overlaps or touches
    an existing consensus coding of the same code extends it instead (as coding does)."""

    def __init__(self, session: Session, rec: Reconciliation) -> None:
        self.session, self.rec = session, rec
        self.batch = audit.new_batch()
        self.coder = get_or_create_coder(session, rec.consensus)
        self.codes = dict(session.exec(select(Code.code_id, Code.pk)).all())
        self.transcripts: dict[str, Transcript] = {}
        self.existing: dict[tuple[int, int], list[Interval]] = {}
        for code_pk, t_pk, start, end in session.exec(
                select(Coding.code_pk, Coding.transcript_pk, Coding.start, Coding.end)
                .where(Coding.coder_pk == self.coder.pk, Coding.origin == "consensus")).all():
            self.existing.setdefault((code_pk, t_pk), []).append((start, end))
        self.rows: list[dict] = []

    def _transcript(self, name: str) -> Transcript:
        if name not in self.transcripts:
            self.transcripts[name] = self.session.exec(
                select(Transcript).where(Transcript.name == name)).one()
        return self.transcripts[name]

    def add(self, item: Item, decision: str, spans: list[Interval]) -> dict:
        rec = self.rec
        transcript = self._transcript(item.transcript)
        code_pk = self.codes[item.code]
        for start, end in spans:
            if not 0 <= start < end <= len(transcript.text):
                raise QualcodeError(f"span {start}-{end} is outside {item.transcript} "
                                    f"(0-{len(transcript.text)})")
        memo = f"reconcile {rec.coder_a}/{rec.coder_b}: {_describe(rec, decision)}"
        stamp = now()
        known = self.existing.setdefault((code_pk, transcript.pk), [])
        for start, end in spans:
            if any(s <= end and e >= start for s, e in known):
                self._insert()  # keep the order of events
                _add_consensus(self.session, transcript, code_pk, self.coder.pk, rec.consensus,
                               start, end, memo, self.batch)
            else:
                self.rows.append({
                    "coder_pk": self.coder.pk, "code_pk": code_pk,
                    "transcript_pk": transcript.pk, "start": start, "end": end,
                    "quote": transcript.text[start:end], "text_sha256": transcript.text_sha256,
                    "origin": "consensus", "memo": memo, "created_at": stamp,
                    "updated_at": stamp})
            known.append((start, end))
        after = {"decision": decision, "described": _describe(rec, decision),
                 "spans": [list(s) for s in spans], "code": item.code,
                 "transcript": item.transcript, "coders": [rec.coder_a, rec.coder_b],
                 rec.coder_a: [list(s) for s in item.a], rec.coder_b: [list(s) for s in item.b]}
        audit.record(self.session, ACTION, ACTION, item.key, actor=rec.consensus,
                     batch=self.batch, after=after)
        return after

    def _insert(self) -> None:
        if not self.rows:
            return
        from sqlalchemy import insert

        statement = insert(Coding).returning(Coding.pk, sort_by_parameter_order=True)
        pks = self.session.execute(statement, self.rows).scalars().all()
        for pk, row in zip(pks, self.rows, strict=True):
            after = {"pk": pk, **row}
            after = {f: (after[f].isoformat() if f.endswith("_at") else after[f])
                     for f in CODING_FIELDS}
            audit.record(self.session, "add", "coding", str(pk), actor=self.rec.consensus,
                         batch=self.batch, after=after)
        self.rows = []

    def finish(self) -> None:
        self._insert()


def start(store: Store, coders: Sequence[str] | str, *, consensus: str = "consensus",
          codes: Sequence[str] | str | None = None,
          transcripts: Sequence[str] | None = None, copy_agreed: bool = True
          ) -> Reconciliation:
    """Load the passages of two coders and the decisions already taken; copy the passages
    both coded identically to the consensus layer (once, in one transaction)."""
    names = split_names(coders)
    if len(names) != 2 or names[0] == names[1]:
        raise QualcodeError("reconcile compares exactly two coders",
                            hint="e.g. --coders anna,bjorn")
    consensus = consensus.strip()
    if not consensus:
        raise QualcodeError("the consensus coder needs a name", hint="e.g. --consensus consensus")
    if consensus in names:
        raise QualcodeError(f"the consensus layer cannot be {consensus}'s own layer",
                            hint="choose another name with --consensus")
    scope = load_scope(store, coders=names, transcripts=transcripts, codes=codes)
    rec = Reconciliation(store, names[0], names[1], consensus, _items(scope),
                         _decisions(store, consensus), scope)
    if copy_agreed:
        agreed = [i for i in rec.items if i.agreed and i.key not in rec.decided]
        if agreed:
            with store.write() as session:
                writer = _Writer(session, rec)
                for item in agreed:
                    rec.decided[item.key] = writer.add(item, "agreed", item.a)
                writer.finish()
    return rec


def auto(store: Store, coders: Sequence[str] | str, mode: str, *,
         consensus: str = "consensus", codes: Sequence[str] | str | None = None,
         transcripts: Sequence[str] | None = None) -> dict:
    """Decide every undecided passage by the union or the intersection of the two coders'
    merged segments, in one transaction."""
    if mode not in AUTO_MODES:
        raise QualcodeError(f"unknown automatic mode '{mode}'",
                            hint="use --auto union or --auto intersection")
    rec = start(store, coders, consensus=consensus, codes=codes, transcripts=transcripts,
                copy_agreed=False)
    todo = [i for i in rec.items if i.key not in rec.decided]
    written = 0
    if todo:
        with store.write() as session:
            writer = _Writer(session, rec)
            for item in todo:
                decision = "agreed" if item.agreed else mode
                spans = rec.spans_for(item, decision)
                rec.decided[item.key] = writer.add(item, decision, spans)
                written += len(spans)
            writer.finish()
    summary = rec.summary()
    summary.update({"mode": mode, "decided_now": len(todo), "codings_written": written})
    return summary


def shift_span(turns: Sequence[tuple[int, int, int]], span: Interval, edge: str, step: int
               ) -> Interval:
    """Move one edge of ``span`` by whole turns: ``edge`` "start" snaps to turn starts,
    "end" to turn ends; ``step`` -1 moves it earlier, +1 later. The span never becomes
    empty and never leaves the turns; a move that would do so leaves it as it is."""
    start, end = span
    if not turns:
        return span
    if edge == "start":
        starts = [s for s, _, _ in turns]
        if step < 0:
            earlier = [s for s in starts if s < start]
            return (earlier[-1], end) if earlier else span
        later = [s for s in starts if s > start]
        return (later[0], end) if later and later[0] < end else span
    ends = [e for _, e, _ in turns]
    if step > 0:
        later = [e for e in ends if e > end]
        return (start, later[0]) if later else span
    earlier = [e for e in ends if e < end]
    return (start, earlier[-1]) if earlier and earlier[-1] > start else span
