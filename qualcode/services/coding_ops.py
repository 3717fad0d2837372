"""Coding one passage at a time: add, remove, trim, memo, list, undo.

Every function is one user action in one transaction, so a crash or Ctrl-C loses at most
the keystroke in flight. Each action writes audit events sharing one batch id; undo reads
the audit log and reverses a coder's last action whole.

Rules a coder relies on:
- A span is a half-open ``[start, end)`` of code points inside one transcript.
- Adding a code to a span that overlaps or touches the same coder's coding with the same
  code extends that coding to the union instead of duplicating it (holistic coding often
  grows a span turn by turn).
- Trimming cuts a span out of a coding: the rest stays coded, as one shorter coding or
  split in two; what is left never begins or ends with whitespace or the text between
  turns (speaker labels), so cutting turn 5 out of turns 3-7 leaves turns 3-4 and 6-7.
- Archived codes cannot be applied; suggestions (origin ``suggested``) are kept apart.
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass

from sqlalchemy import delete, insert, update
from sqlmodel import Session, select

from qualcode import audit
from qualcode.domain import user_text
from qualcode.domain.errors import ConflictError, InputFileError, NotFoundError, not_found
from qualcode.domain.labels import turn_range
from qualcode.domain.model import CODING_ORIGINS
from qualcode.services import layers
from qualcode.services.common import (
    CODING_FIELDS,
    codes_by_id,
    coding_row,
    get_or_create_coder,
    get_transcript,
    id_fits,
    now,
)
from qualcode.store import Store
from qualcode.store.models import AuditEvent, Code, Coder, Coding, Segment, Transcript, Turn

CODING_ACTIONS = ("add", "remove", "update")


@dataclass(frozen=True)
class AddResult:
    pk: int
    merged: bool  # True when an existing coding was extended instead
    start: int
    end: int


@dataclass(frozen=True)
class TrimResult:
    code: str  # the coding's code id
    left: tuple[tuple[int, int, int], ...]  # (pk, start, end) of what stays coded, in order


def turn_span(session: Session, transcript: Transcript, first: int, last: int
              ) -> tuple[int, int]:
    """Offsets from the start of turn ``first`` to the end of turn ``last`` (1-based)."""
    n = session.exec(select(Turn.idx).where(Turn.transcript_pk == transcript.pk)
                     .order_by(Turn.idx.desc())).first() or 0
    if not 1 <= first <= last <= n:
        raise InputFileError(transcript.name, f"has turns 1-{n}, not {first}-{last}",
                             hint=f"see `qualcode show {transcript.name}`")
    start = session.exec(select(Turn.start).where(Turn.transcript_pk == transcript.pk,
                                                  Turn.idx == first)).one()
    end = session.exec(select(Turn.end).where(Turn.transcript_pk == transcript.pk,
                                              Turn.idx == last)).one()
    return start, end


def sentence_span(store: Store, transcript: str, turn: int, first: int, last: int
                  ) -> tuple[int, int]:
    """Offsets of sentences ``first``–``last`` (1-based) inside one turn. Sentences not yet
    cached are computed here and not stored: finding a span writes nothing, so a coding
    that is then refused leaves the project exactly as it was."""
    from qualcode.services.queries import sentence_rows

    with store.read() as session:
        t = get_transcript(session, transcript)
        turn_row = session.exec(select(Turn).where(Turn.transcript_pk == t.pk,
                                                   Turn.idx == turn)).first() \
            if id_fits(session, turn) else None
        if turn_row is None:
            raise InputFileError(transcript, f"has no turn {turn}")
        computed = None if t.segmented else sentence_rows(session, t)
        if computed is None:
            segs = [(s.start, s.end) for s in session.exec(
                select(Segment).where(Segment.turn_pk == turn_row.pk).order_by(Segment.idx))]
        else:
            segs = [(r["start"], r["end"]) for r in computed if r["turn_pk"] == turn_row.pk]
    if not 1 <= first <= last <= len(segs):
        raise InputFileError(transcript, f"turn {turn} has sentences 1-{len(segs)}, not "
                             f"{first}-{last}", hint=f"see `qualcode show {transcript} "
                             "--sentences`")
    return segs[first - 1][0], segs[last - 1][1]


def _same_layer(origin: str) -> tuple[str, ...]:
    """Origins a new coding may be united with: a coder's own work is manual or imported."""
    return ("manual", "imported") if origin in ("manual", "imported") else (origin,)


def _usable_code(session: Session, code: str) -> Code:
    found = session.exec(select(Code).where(Code.code_id == code)).first()
    if found is None:
        raise not_found(f"no code '{code}'", code, codes_by_id(session),
                        "see `qualcode codebook show`")
    if found.archived:
        raise ConflictError(f"code '{code}' is archived",
                            hint="un-archive it in the codebook, or use its successor")
    return found


def add_coding(store: Store, transcript: str, code: str, coder: str, start: int, end: int, *,
               memo: str | None = None, origin: str = "manual") -> AddResult:
    """Apply ``code`` to ``[start, end)`` for ``coder``; extend an overlapping coding of the
    same coder and code rather than duplicate it."""
    coder = user_text.coder_name(coder)
    memo = user_text.memo_text(memo) if memo else None
    with store.write() as session:
        t = get_transcript(session, transcript)
        found = _usable_code(session, code)
        if not 0 <= start < end <= len(t.text):
            raise InputFileError(transcript, f"span {start}-{end} is outside the text "
                                 f"(0-{len(t.text)})")
        who = get_or_create_coder(session, coder)
        return add_or_extend(session, t, found.pk, who.pk, coder, start, end, memo=memo,
                             origin=origin, batch=audit.new_batch())


def add_codings(store: Store, spans: list[tuple[str, int, int]], code: str, coder: str
                ) -> int:
    """Apply ``code`` to many (transcript, start, end) spans as ONE action: one transaction
    and one audit batch, so a single `coding undo` takes all of them back. Returns how many
    codings were added or extended."""
    batch = audit.new_batch()
    with store.write() as session:
        found = _usable_code(session, code)
        who = get_or_create_coder(session, coder)
        transcripts: dict[str, Transcript] = {}
        for name, start, end in spans:
            if name not in transcripts:
                transcripts[name] = get_transcript(session, name)
            t = transcripts[name]
            add_or_extend(session, t, found.pk, who.pk, coder, start, end, memo=None,
                          origin="manual", batch=batch)
    return len(spans)


def add_or_extend(session: Session, t: Transcript, code_pk: int, coder_pk: int, coder: str,
                  start: int, end: int, *, memo: str | None, origin: str,
                  batch: str) -> AddResult:
    """Inside a transaction: add a coding, or extend the coder's codings of the same code
    (and layer) that the span overlaps or touches to their union, merging their memos."""
    touching = session.exec(select(Coding).where(
        Coding.transcript_pk == t.pk, Coding.coder_pk == coder_pk,
        Coding.code_pk == code_pk, Coding.origin.in_(_same_layer(origin)),
        Coding.start <= end, Coding.end >= start).order_by(Coding.start)).all()
    stamp = now()
    if not touching:
        row = Coding(coder_pk=coder_pk, code_pk=code_pk, transcript_pk=t.pk, start=start,
                     end=end, quote=t.text[start:end], text_sha256=t.text_sha256,
                     origin=origin, memo=memo, created_at=stamp, updated_at=stamp)
        session.add(row)
        session.flush()
        audit.record(session, "add", "coding", str(row.pk), actor=coder, batch=batch,
                     after=coding_row(row))
        return AddResult(row.pk, False, start, end)
    keep, absorbed = touching[0], touching[1:]
    before = coding_row(keep)
    new_start = min([start] + [c.start for c in touching])
    new_end = max([end] + [c.end for c in touching])
    memos = [m for m in [keep.memo, *(c.memo for c in absorbed), memo] if m]
    for other in absorbed:
        audit.record(session, "remove", "coding", str(other.pk), actor=coder, batch=batch,
                     before=coding_row(other))
        session.delete(other)
    keep.start, keep.end = new_start, new_end
    keep.quote = t.text[new_start:new_end]
    keep.memo = "\n".join(dict.fromkeys(memos)) or None
    keep.updated_at = stamp
    session.add(keep)
    session.flush()
    audit.record(session, "update", "coding", str(keep.pk), actor=coder, batch=batch,
                 before=before, after=coding_row(keep))
    return AddResult(keep.pk, True, new_start, new_end)


def _get_coding(session: Session, pk: int, coder: str | None) -> Coding:
    coding = session.get(Coding, pk) if id_fits(session, pk) else None
    if coding is None:
        raise NotFoundError(f"no coding #{pk}", hint="see `qualcode coding list`")
    if coder is not None:
        owner = session.get(Coder, coding.coder_pk)
        if owner.name != coder:
            raise ConflictError(f"coding #{pk} belongs to {owner.name}, not {coder}",
                                hint="a coder changes only their own layer")
    return coding


def remove_coding(store: Store, pk: int, *, coder: str | None = None) -> None:
    with store.write() as session:
        coding = _get_coding(session, pk, coder)
        actor = coder or session.get(Coder, coding.coder_pk).name
        audit.record(session, "remove", "coding", str(pk), actor=actor,
                     batch=audit.new_batch(), before=coding_row(coding))
        session.delete(coding)


def coding_owner(store: Store, pk: int) -> str:
    """Whose coding ``pk`` is (``no coding #N`` when there is none)."""
    with store.read() as session:
        coding = _get_coding(session, pk, None)
        return session.get(Coder, coding.coder_pk).name


def coding_transcript(store: Store, pk: int) -> str:
    """The name of the transcript coding ``pk`` is in (turn and sentence numbers of a span
    to trim refer to it)."""
    with store.read() as session:
        coding = _get_coding(session, pk, None)
        return session.get(Transcript, coding.transcript_pk).name


def _tidy_cut(text: str, turns: list[tuple[int, int]], start: int, end: int, *,
              cut_before: bool) -> tuple[int, int] | None:
    """A piece left by a cut without the whitespace and between-turn text (speaker labels,
    blank lines) at the cut side, or None when nothing else is left: what remains is then
    the same span as coding those turns or sentences directly."""
    starts = [s for s, _ in turns]

    def kept(p: int) -> bool:
        if text[p].isspace():
            return False
        if not turns:  # no turns to stand between
            return True
        i = bisect.bisect_right(starts, p) - 1
        return i >= 0 and p < turns[i][1]

    if cut_before:  # the piece ends where the cut begins
        while end > start and not kept(end - 1):
            end -= 1
    else:
        while start < end and not kept(start):
            start += 1
    return (start, end) if start < end else None


def trim_coding(store: Store, pk: int, start: int, end: int, *, coder: str | None = None
                ) -> TrimResult:
    """Cut ``[start, end)`` out of coding ``pk``: remove it when nothing is left, shrink it
    when the cut takes one end, split it into two codings (same code, coder, origin, memo)
    when the cut lies inside. One batch in the audit log, so undo restores it whole."""
    with store.write() as session:
        coding = _get_coding(session, pk, coder)
        t = session.get(Transcript, coding.transcript_pk)
        code_id = session.get(Code, coding.code_pk).code_id
        if not start < end:
            raise InputFileError(t.name, f"the span to cut, {start}-{end}, is empty",
                                 hint="give START-END with START below END")
        if end <= coding.start or start >= coding.end:
            raise InputFileError(
                t.name, f"{start}-{end} is outside coding #{pk} ({code_id}, "
                f"{coding.start}-{coding.end})",
                hint=f"give a span that overlaps it; see `qualcode coding list -t {t.name}`")
        turns = list(session.exec(select(Turn.start, Turn.end)
                                  .where(Turn.transcript_pk == t.pk).order_by(Turn.start)))
        pieces = [p for p in (
            _tidy_cut(t.text, turns, coding.start, start, cut_before=True)
            if start > coding.start else None,
            _tidy_cut(t.text, turns, end, coding.end, cut_before=False)
            if end < coding.end else None) if p is not None]
        actor = coder or session.get(Coder, coding.coder_pk).name
        batch = audit.new_batch()
        before = coding_row(coding)
        if not pieces:
            audit.record(session, "remove", "coding", str(pk), actor=actor, batch=batch,
                         before=before)
            session.delete(coding)
            return TrimResult(code_id, ())
        stamp = now()
        left = []
        for piece_start, piece_end in pieces[1:]:
            # The split-off piece was coded when the original was: it keeps created_at.
            row = Coding(coder_pk=coding.coder_pk, code_pk=coding.code_pk,
                         transcript_pk=t.pk, start=piece_start, end=piece_end,
                         quote=t.text[piece_start:piece_end], text_sha256=t.text_sha256,
                         origin=coding.origin, memo=coding.memo,
                         created_at=coding.created_at, updated_at=stamp)
            session.add(row)
            session.flush()
            audit.record(session, "add", "coding", str(row.pk), actor=actor, batch=batch,
                         after=coding_row(row))
            left.append((row.pk, piece_start, piece_end))
        coding.start, coding.end = pieces[0]
        coding.quote = t.text[coding.start:coding.end]
        coding.text_sha256 = t.text_sha256
        coding.updated_at = stamp
        session.add(coding)
        session.flush()
        # Recorded last, so undo names the coding the student cut.
        audit.record(session, "update", "coding", str(pk), actor=actor, batch=batch,
                     before=before, after=coding_row(coding))
        return TrimResult(code_id, ((pk, coding.start, coding.end), *left))


def set_memo(store: Store, pk: int, memo: str | None, *, coder: str | None = None) -> None:
    memo = user_text.memo_text(memo) if memo else None
    with store.write() as session:
        coding = _get_coding(session, pk, coder)
        actor = coder or session.get(Coder, coding.coder_pk).name
        before = coding_row(coding)
        coding.memo = memo or None
        coding.updated_at = now()
        session.add(coding)
        session.flush()
        audit.record(session, "update", "coding", str(pk), actor=actor,
                     batch=audit.new_batch(), before=before, after=coding_row(coding))


def _merged_into(session: Session, code_pk: int) -> int | None:
    """Where a code's codings went: follow the audit log's merges from a code that no longer
    exists to the code that took its codings (merges record both ids)."""
    seen = set()
    while session.get(Code, code_pk) is None:
        if code_pk in seen:
            return None
        seen.add(code_pk)
        merges = session.exec(select(AuditEvent.before, AuditEvent.after).where(
            AuditEvent.entity == "code", AuditEvent.action == "merge")).all()
        target = next((json.loads(after or "{}").get("into_pk") for before, after in merges
                       if json.loads(before or "{}").get("pk") == code_pk), None)
        if target is None:
            return None
        code_pk = target
    return code_pk


def _restore(session: Session, row: dict) -> tuple[int, str | None]:
    """Put a coding back as the audit log recorded it. Returns its id and, when it could
    not come back exactly, why: its code was merged into another (it joins that code), or
    its id was taken by another coding in a project from before ids were kept apart (it
    gets a new id). Raises when its code is gone altogether."""
    from datetime import datetime

    values = {k: (datetime.fromisoformat(v) if k.endswith("_at") and v else v)
              for k, v in row.items()}
    notes = []
    code_pk = _merged_into(session, values["code_pk"])
    if code_pk is None:
        raise ConflictError(
            f"coding #{values['pk']} cannot be restored: its code was removed from the "
            "codebook", hint="put the code back in the codebook and run the undo again, or "
            "pass over this action with `qualcode coding undo --skip`")
    if code_pk != values["code_pk"]:
        values["code_pk"] = code_pk
        notes.append(f"its code was merged into {session.get(Code, code_pk).code_id}")
    if session.get(Coding, values["pk"]) is not None:
        old = values.pop("pk")
        values["pk"] = session.execute(insert(Coding).values(**values)).inserted_primary_key[0]
        notes.append(f"its id #{old} now belongs to another coding, so it is #{values['pk']}")
    else:
        session.execute(insert(Coding).values(**values))
    return values["pk"], "; ".join(notes) or None


def _check_text_unchanged(session: Session, coder: str, target: AuditEvent,
                          events: list[AuditEvent]) -> None:
    """Refuse to put a coding back onto a transcript whose text was replaced since: the
    record holds offsets into the old text, which may now point at other words."""
    for event in events:
        before = json.loads(event.before) if event.before else {}
        if "text_sha256" not in before:  # an add (undone by removing) or a memo change
            continue
        t = session.get(Transcript, before["transcript_pk"])
        if t is not None and t.text_sha256 != before["text_sha256"]:
            raise ConflictError(
                f"{coder}'s last action (#{target.entity_key}) came before transcript "
                f"'{t.name}' was replaced by a corrected version, and cannot be undone",
                hint="change the coding by hand if it must change, or pass over this action "
                     "with `qualcode coding undo --skip`")


def undo_last(store: Store, coder: str, *, skip: bool = False) -> str | None:
    """Reverse ``coder``'s last coding action that is not yet undone; describe it, or return
    None when there is nothing to undo. An action that cannot be reversed (its code was
    removed) is explained, and ``skip`` passes over it so earlier actions stay reachable."""
    with store.write() as session:
        events = session.exec(select(AuditEvent).where(
            AuditEvent.actor == coder, AuditEvent.entity.in_(("coding", "codings", "undo")))
            .order_by(AuditEvent.pk.desc())).all()
        undone = {json.loads(e.after)["batch"] for e in events if e.entity == "undo"}
        target = next((e for e in events if e.batch and e.batch not in undone
                       and (e.entity == "coding" and e.action in CODING_ACTIONS
                            or _is_coding_import(e))), None)
        if target is None:
            return None
        # The names were replaced in the project after this action: its record holds the
        # old text and offsets, so reversing it would bring names back at wrong places.
        replaced = session.exec(select(AuditEvent.pk).where(
            AuditEvent.action == "apply-irreversibly", AuditEvent.pk > target.pk)).first()
        if replaced is not None:
            what = (f"the import of {target.entity_key}" if _is_coding_import(target)
                    else f"#{target.entity_key}")
            raise ConflictError(f"{coder}'s last action ({what}) came before "
                                "the names were replaced in the project, and cannot be undone",
                                hint="change the coding by hand if it must change")
        if _is_coding_import(target):
            return _undo_import(session, coder, target, skip=skip)
        batch_events = [e for e in events if e.batch == target.batch and e.entity == "coding"]
        if not skip:
            _check_text_unchanged(session, coder, target, batch_events)
        if skip:
            audit.record(session, "undo", "undo", target.entity_key, actor=coder,
                         after={"batch": target.batch, "action": target.action,
                                "skipped": True})
            return (f"passed over {target.action} of coding #{target.entity_key} without "
                    "undoing it (the audit log keeps it)")
        notes = []
        for event in batch_events:  # newest first
            pk = int(event.entity_key)
            before = json.loads(event.before) if event.before else {}
            if event.action == "add":
                session.execute(delete(Coding).where(Coding.pk == pk))
            elif event.action == "remove":
                notes.append(_restore(session, before))
            elif set(CODING_FIELDS) <= set(before):
                session.execute(delete(Coding).where(Coding.pk == pk))
                notes.append(_restore(session, before))
            else:  # an update that recorded only the fields it changed
                session.execute(update(Coding).where(Coding.pk == pk).values(**before))
        audit.record(session, "undo", "undo", target.entity_key, actor=coder,
                     after={"batch": target.batch, "action": target.action})
        done = f"undid {target.action} of coding #{target.entity_key}"
        others = len({e.entity_key for e in batch_events} - {target.entity_key})
    if others:
        done += f" and of {others} more coding{'s' if others > 1 else ''} in the same action"
    return "; ".join([done] + [f"coding #{pk}: {why}" for pk, why in notes if why])


def _is_coding_import(event: AuditEvent) -> bool:
    """A coding import that recorded the ids it gave out: one batch that undo takes back."""
    return (event.entity == "codings" and event.action == "import"
            and '"ids"' in (event.after or ""))


def _undo_import(session: Session, actor: str, event: AuditEvent, *, skip: bool) -> str:
    """Take back a coding import: its codings are the ids it gave out, still there. (Later
    actions on them are undone first, being later in the same log.)"""
    after = json.loads(event.after)
    first, last = after["ids"]
    if skip:
        audit.record(session, "undo", "undo", str(last), actor=actor,
                     after={"batch": event.batch, "action": "import", "skipped": True})
        return (f"passed over the import of {event.entity_key} without undoing it (the audit "
                "log keeps it)")
    n = session.execute(delete(Coding).where(Coding.pk >= first, Coding.pk <= last)).rowcount
    # The key is the last id given out, so no copy of the project hands it out again.
    audit.record(session, "undo", "undo", str(last), actor=actor,
                 after={"batch": event.batch, "action": "import", "codings": n})
    return f"undid the import of {event.entity_key}: {n} coding{'s' if n != 1 else ''} taken back"


def list_codings(store: Store, *, transcript: str | None = None, code: str | None = None,
                 coder: str | None = None, origin: str | None = None,
                 known_coder: bool = False) -> list[dict]:
    """Codings with their code, coder and turn numbers; ``code`` includes its descendants.
    With ``known_coder`` a coder the project lacks is an error (a typo on the command line),
    not a coder with nothing coded."""
    from qualcode.services.queries import code_with_descendants

    with store.read() as session:
        query = (select(Coding, Code.code_id, Coder.name, Transcript.name)
                 .join(Code, Code.pk == Coding.code_pk)
                 .join(Coder, Coder.pk == Coding.coder_pk)
                 .join(Transcript, Transcript.pk == Coding.transcript_pk))
        if transcript:
            query = query.where(Coding.transcript_pk == get_transcript(session, transcript).pk)
        if code:
            query = query.where(Coding.code_pk.in_(code_with_descendants(session, code)))
        if coder:
            if known_coder:
                layers.check_coders(session.exec(select(Coder.name)).all(), [coder])
            query = query.where(Coder.name == coder)
        if origin:
            if origin not in CODING_ORIGINS:
                raise not_found(f"no origin '{origin}'", origin, CODING_ORIGINS,
                                f"origins: {', '.join(CODING_ORIGINS)}")
            query = query.where(Coding.origin == origin)
        rows = session.exec(query.order_by(Transcript.name, Coding.start, Code.code_id,
                                            Coding.pk)).all()
        turns: dict[int, list[tuple[int, int, int]]] = {}
        for t_pk in {c.transcript_pk for c, *_ in rows}:
            turns[t_pk] = list(session.exec(select(Turn.start, Turn.end, Turn.idx)
                                            .where(Turn.transcript_pk == t_pk)
                                            .order_by(Turn.start)).all())
    starts = {t_pk: [s for s, _, _ in spans] for t_pk, spans in turns.items()}
    out = []
    for coding, code_id, coder_name, t_name in rows:
        spans = turns[coding.transcript_pk]
        first = max(bisect.bisect_right(starts[coding.transcript_pk], coding.start) - 1, 0)
        idx = []
        for s, e, i in spans[first:]:
            if s >= coding.end:
                break
            if e > coding.start:
                idx.append(i)
        out.append({
            "id": coding.pk, "transcript": t_name, "code": code_id, "coder": coder_name,
            "turns": turn_range(idx),
            "start": coding.start, "end": coding.end, "origin": coding.origin,
            "memo": coding.memo, "text": coding.quote,
        })
    return out


def recent_codes(store: Store, coder: str, n: int = 9) -> list[str]:
    """The codes ``coder`` applied most recently (newest first), for quick keys."""
    from sqlalchemy import func

    with store.read() as session:
        rows = session.exec(
            select(Code.code_id, func.max(Coding.updated_at).label("last"))
            .join(Coding, Coding.code_pk == Code.pk).join(Coder, Coder.pk == Coding.coder_pk)
            .where(Coder.name == coder, Coding.origin != "suggested",
                   Code.archived == False)  # noqa: E712
            .group_by(Code.code_id).order_by(func.max(Coding.updated_at).desc()).limit(n)
        ).all()
    return [code for code, _ in rows]
