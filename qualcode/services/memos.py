"""Analytic memos: notes on codes, transcripts, informants, schools and the project itself
(a dated research journal), which is how qualitative analysis is written up.

A memo is about one thing, named as ``KIND:KEY`` (``code:LED``, ``transcript:nordvik_rektor``,
``person:nordvik_rektor_1``, ``site:nordvik_u``) or ``project``. Memos on codings live on
the coding itself (`coding memo`); summaries of a code per case are `summary set`. Every
change is in the audit log.
"""

from __future__ import annotations

from qualcode.domain.errors import InputFileError, NotFoundError, not_found
from qualcode.domain.times import stored_time
from qualcode.domain.user_text import memo_text
from qualcode.store import Store

KINDS = {  # kind: (table, key column, how to list them)
    "code": ("code", "code_id", "qualcode codebook show"),
    "transcript": ("transcript", "name", "qualcode transcripts"),
    "person": ("person", "person_id", "qualcode cases"),
    "site": ("site", "site_id", "qualcode cases"),
}
PROJECT = "project"


def parse_about(about: str) -> tuple[str, str | None]:
    """``code:LED`` → ("code", "LED"); ``project`` → ("project", None)."""
    text = about.strip()
    if text.lower() in (PROJECT, "journal"):
        return PROJECT, None
    kind, sep, key = text.partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in KINDS or not key.strip():
        raise InputFileError("memo", f"'{about}' names nothing a memo can be about",
                             hint="use project, code:ID, transcript:NAME, person:ID or "
                                  "site:ID")
    return kind, key.strip()


def _check_exists(db, kind: str, key: str) -> None:
    table, column, listing = KINDS[kind]
    names = db.column(f"SELECT {column} FROM {table}")
    if key in names:
        return
    raise not_found(f"no {kind} '{key}'", key, names, f"see `{listing}`")


def add_memo(store: Store, about: str, body: str, *, title: str | None = None,
             author: str | None = None) -> int:
    """A new memo by ``author`` (the coder in the workbench; else who is logged in)."""
    from sqlalchemy import insert

    from qualcode import audit
    from qualcode.services.common import now
    from qualcode.store.models import Memo

    kind, key = parse_about(about)
    body, title = _memo_text(body), _memo_text(title)
    if not body:
        raise InputFileError("memo", "the memo is empty; nothing was written")
    with store.write() as session:
        if key is not None:
            _check_exists(store.in_session(session), kind, key)
        stamp = now()
        author = author or audit.current_actor()
        pk = session.execute(insert(Memo).values(
            author=author, about_type=kind, about_key=key, title=title,
            body=body, created_at=stamp, updated_at=stamp)).inserted_primary_key[0]
        audit.record(session, "add", "memo", str(pk), actor=author,
                     after={"about": about, "title": title, "body": body})
    return pk


def parse_on(on: str) -> tuple[str, str | None]:
    """What a listing is limited to: a kind alone (``code``: every memo on a code) or one
    thing (``code:LED``), as :func:`parse_about` reads it."""
    kind = on.strip().lower()
    if kind in KINDS:
        return kind, None
    return parse_about(on)


def list_memos(store: Store, about: str | None = None, *, search: str | None = None
               ) -> list[dict]:
    """Memos (not coding memos or summaries), newest first. ``about`` is a kind (``code``)
    or one thing (``code:LED``); ``search`` matches title and text as loosely as query
    conditions compare values: case, NFC, and the ASCII spellings of æ, ø and å
    (``radgiver`` and ``raadgiver`` find "Rådgiver")."""
    from qualcode.services.retrieval import _fold

    sql = ("SELECT pk, about_type, about_key, author, title, body, created_at, updated_at "
           "FROM memo WHERE about_type IN (?, ?, ?, ?, ?)")
    params: list = [PROJECT, *KINDS]
    if about:
        kind, key = parse_on(about)
        sql += " AND about_type = ?" + (" AND about_key = ?" if key is not None else "")
        params += [kind] + ([key] if key is not None else [])
    with store.snapshot() as db:
        rows = db.rows(sql + " ORDER BY created_at DESC, pk DESC", params)
    needle = _fold(search) if search and search.strip() else None
    out = []
    for pk, kind, key, author, title, body, created, updated in rows:
        if needle and needle not in _fold(f"{title or ''}\n{body}"):
            continue
        out.append({"id": pk, "about": f"{kind}:{key}" if key else kind, "author": author,
                    "title": title, "text": body, "created": _stamp(created),
                    "updated": _stamp(updated)})
    return out


def memos_seen_by(store: Store, about: str, coder: str, *, others: bool = False
                  ) -> tuple[list[dict], int]:
    """Memos on one thing as a coder sees them while coding blind: their own and those of
    people who do not code (a supervisor's note on an interview), the other coders' only
    with ``others``. Returns the memos, oldest first, and how many were held back."""
    memos = list_memos(store, about)[::-1]
    if others:
        return memos, 0
    with store.snapshot() as db:
        coders = set(db.column("SELECT name FROM coder")) - {coder}
    shown = [m for m in memos if m["author"] not in coders]
    return shown, len(memos) - len(shown)


def get_memo(store: Store, pk: int) -> dict:
    found = [m for m in list_memos(store) if m["id"] == pk]
    if not found:
        raise NotFoundError(f"no memo #{pk}", hint="see `qualcode memo list`")
    return found[0]


def edit_memo(store: Store, pk: int, body: str, *, title: str | None = None,
              actor: str | None = None) -> None:
    """Replace a memo's text (and title, if given); an empty text removes the memo.
    ``actor`` is who the log names (the coder in the workbench)."""
    from qualcode import audit
    from qualcode.services.common import now
    from qualcode.store.models import Memo

    get_memo(store, pk)  # one of these memos, not a coding memo or a summary
    body, title = _memo_text(body), _memo_text(title)
    with store.write() as session:
        row = session.get(Memo, pk)
        before = {"title": row.title, "body": row.body}
        if not body:
            session.delete(row)
            audit.record(session, "remove", "memo", str(pk), actor=actor, before=before)
            return
        row.body = body
        if title is not None:
            row.title = title or None
        row.updated_at = now()
        session.add(row)
        audit.record(session, "update", "memo", str(pk), actor=actor, before=before,
                     after={"title": row.title, "body": row.body})


def _memo_text(text: str | None) -> str | None:
    """A memo's text or title as a coding memo's is checked (NFC, no control characters),
    without the blank lines around it an editor leaves."""
    return memo_text(text).strip() if text is not None else None


def _stamp(value) -> str:
    return stored_time(value).isoformat(timespec="minutes")
