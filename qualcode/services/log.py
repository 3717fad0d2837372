"""Reading the audit log: who did what, when, to which coding, code or transcript.

The log is append-only (the schema refuses changes to it); this only reads it, through a
plain snapshot. Codings are named in the log by id, with the code and transcript as
database keys; those are turned into the names a researcher knows.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from qualcode.domain.errors import InputFileError
from qualcode.domain.times import stored_time
from qualcode.store import Store

_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, *, now: datetime | None = None) -> datetime:
    """A moment from ``2026-11-30``, ``2026-11-30T14:00`` or an age: ``90m``, ``12h``,
    ``3d``, ``2w`` (that long ago)."""
    now = now or datetime.now(timezone.utc)
    cleaned = text.strip()
    if cleaned[:-1].isdigit() and cleaned[-1:] in _UNITS:
        return now - timedelta(**{_UNITS[cleaned[-1]]: int(cleaned[:-1])})
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise InputFileError("--since/--until", f"'{text}' is not a date, a time or an age",
                             hint="use 2026-11-30, 2026-11-30T14:00, or 90m, 12h, 3d, 2w"
                             ) from None
    return moment if moment.tzinfo else moment.astimezone(timezone.utc)


def _as_stored(store: Store, moment: datetime):
    """A moment as the log's column holds it: UTC without a zone (text in SQLite)."""
    utc = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return utc if store.dialect == "postgresql" else utc.isoformat(sep=" ")


def read_log(store: Store, *, actor: str | None = None, entity: str | None = None,
             action: str | None = None, since: datetime | None = None,
             until: datetime | None = None, limit: int | None = 50) -> list[dict]:
    """Events, newest first, as plain rows: ``id, at, actor, action, entity, key,
    code, transcript, before, after, batch`` (``before``/``after`` decoded)."""
    sql = ("SELECT pk, at, actor, action, entity, entity_key, before, after, batch "
           "FROM audit_event WHERE 1 = 1")
    params: list = []
    for column, value in (("actor", actor), ("entity", entity), ("action", action)):
        if value:
            sql += f" AND {column} = ?"
            params.append(value)
    for op, moment in ((">=", since), ("<=", until)):
        if moment is not None:
            sql += f" AND at {op} ?"
            params.append(_as_stored(store, moment))
    sql += " ORDER BY pk DESC" + (f" LIMIT {int(limit)}" if limit else "")
    with store.snapshot() as db:
        rows = db.rows(sql, params)
        codes = dict(db.rows("SELECT pk, code_id FROM code"))
        transcripts = dict(db.rows("SELECT pk, name FROM transcript"))
    out = []
    for pk, at, who, what, kind, key, before, after, batch in rows:
        moment = stored_time(at)
        before_data = json.loads(before) if before else None
        after_data = json.loads(after) if after else None
        state = after_data if isinstance(after_data, dict) else before_data
        state = state if isinstance(state, dict) else {}
        other = before_data if isinstance(before_data, dict) else {}
        code_pk = state.get("code_pk", other.get("code_pk"))
        transcript_pk = state.get("transcript_pk", other.get("transcript_pk"))
        out.append({
            "id": pk, "at": moment.isoformat(timespec="seconds"), "actor": who,
            "action": what, "entity": kind, "key": key,
            "code": codes.get(code_pk, f"#{code_pk}" if code_pk else None),
            "transcript": transcripts.get(transcript_pk,
                                          f"#{transcript_pk}" if transcript_pk else None),
            "before": before_data, "after": after_data, "batch": batch,
        })
    return out


def describe(event: dict) -> str:
    """One short line of what an event changed, for the table."""
    after, before = event["after"], event["before"]
    state = after if isinstance(after, dict) else before if isinstance(before, dict) else {}
    parts = []
    if event["entity"] == "coding":
        if event["code"]:
            parts.append(event["code"])
        if event["transcript"]:
            parts.append(event["transcript"])
        if "start" in state and "end" in state:
            parts.append(f"{state['start']}–{state['end']}")
        if isinstance(before, dict) and isinstance(after, dict) and "memo" in after:
            parts.append("memo")
        return " · ".join(str(p) for p in parts)
    for side, data in (("", after), ("was ", before)):
        if isinstance(data, dict):
            shown = ", ".join(f"{k}={_short(v)}" for k, v in data.items()
                              if not isinstance(v, (dict, list)) and k not in ("pk",))
            if shown:
                parts.append(side + shown)
    return " · ".join(parts)


def _short(value) -> str:
    """Hashes and long texts cut for the table (the JSON output keeps them whole)."""
    text = str(value)
    if len(text) == 64 and all(c in "0123456789abcdef" for c in text):
        return text[:10] + "…"
    return text if len(text) <= 40 else text[:39] + "…"
