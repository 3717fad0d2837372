"""The append-only audit log: every change to a project is an event (who, when, what,
before/after). Undo and "what changed since" read it; the schema's triggers refuse any
UPDATE or DELETE of an event."""

from __future__ import annotations

import getpass
import json
import os
import uuid
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session

    from qualcode.store import Store, Writer


def current_actor() -> str:
    """Who is acting: ``QUALCODE_USER`` if set, else the login name."""
    name = os.environ.get("QUALCODE_USER")
    if name:
        return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


# One encoder for every event: json.dumps with options builds a new one per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str)


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return _ENCODER.encode(value)


def record(session: Session, action: str, entity: str, key: str | None = None, *,
           before: Any = None, after: Any = None, actor: str | None = None,
           batch: str | None = None) -> None:
    """Add one event to the current transaction (it commits or rolls back with the change).

    Events of one user action share a ``batch`` id, so undo can reverse the action whole."""
    from qualcode.store.models import AuditEvent

    session.add(AuditEvent(
        at=datetime.now(timezone.utc), actor=actor or current_actor(), action=action,
        entity=entity, entity_key=key, before=_json(before), after=_json(after), batch=batch,
    ))


_EVENT_COLUMNS = ("at", "actor", "action", "entity", "entity_key", "before", "after", "batch")


def record_many(session: Session, action: str, entity: str,
                events: Iterable[tuple[str | None, Any, Any]], *, batch: str | None = None
                ) -> None:
    """Many events of one action, each ``(key, before, after)``, in one statement: a merge
    of 100 000 codings logs each of them without building an ORM object per event."""
    from qualcode.store.bulk import insert_rows

    at, actor = datetime.now(timezone.utc), current_actor()
    insert_rows(session, "audit_event", _EVENT_COLUMNS, [
        (at, actor, action, entity, key, _json(before), _json(after), batch)
        for key, before, after in events])


def record_in(writer: Writer, action: str, entity: str, key: str | None = None, *,
              before: Any = None, after: Any = None, actor: str | None = None,
              batch: str | None = None) -> None:
    """:func:`record` for a plain-driver transaction (:meth:`Store.writer`): bulk work
    that writes no ORM objects keeps the same log."""
    writer.append_event(datetime.now(timezone.utc), actor or current_actor(), action, entity,
                        key, _json(before), _json(after), batch)


def record_alone(store: Store, action: str, entity: str, key: str | None = None, *,
                 after: Any = None) -> None:
    """One event on its own, written without the ORM: for commands that only read, such
    as an export, which the log must still show."""
    store.append_event(datetime.now(timezone.utc), current_actor(), action, entity, key,
                       _json(after))


def new_batch() -> str:
    return uuid.uuid4().hex
