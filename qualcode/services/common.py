"""Look-ups shared by the services."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlmodel import Session, select

from qualcode.domain.errors import not_found
from qualcode.domain.user_text import coder_name
from qualcode.store.models import Code, Coder, ProjectMeta, Transcript


def now() -> datetime:
    return datetime.now(timezone.utc)


CODING_FIELDS = ("pk", "coder_pk", "code_pk", "transcript_pk", "start", "end", "quote",
                 "text_sha256", "origin", "memo", "created_at", "updated_at")


def coding_row(coding) -> dict:
    """A coding as plain data for the audit log: enough to restore it exactly."""
    return {f: (getattr(coding, f).isoformat() if f.endswith("_at") else getattr(coding, f))
            for f in CODING_FIELDS}


def id_fits(session: Session, number: int) -> bool:
    """Whether ``number`` can be a row id in this project: ids are positive, and
    PostgreSQL's INTEGER holds 32 bits where SQLite's holds 64. A number outside names
    nothing, and asking the database about it fails ("integer out of range")."""
    bits = 31 if session.get_bind().dialect.name == "postgresql" else 63
    return 0 < number < 2 ** bits


def get_transcript(session: Session, ref: str) -> Transcript:
    """A transcript by name (file stem) or by numeric id."""
    found = session.exec(select(Transcript).where(Transcript.name == ref)).first()
    if found is None and ref.isascii() and ref.isdigit() and id_fits(session, int(ref)):
        found = session.get(Transcript, int(ref))
    if found is None:
        names = session.exec(select(Transcript.name)).all()
        raise not_found(f"no transcript named '{ref}'", ref, names, "see `qualcode transcripts`")
    return found


def codes_by_id(session: Session) -> dict[str, Code]:
    return {c.code_id: c for c in session.exec(select(Code)).all()}


def get_or_create_coder(session: Session, name: str) -> Coder:
    """The coder called ``name``, created on first use; an empty name, or one with control
    characters, is refused (see :mod:`qualcode.domain.user_text`)."""
    name = coder_name(name)
    coder = session.exec(select(Coder).where(Coder.name == name)).first()
    if coder is None:
        coder = Coder(name=name, created_at=now())
        session.add(coder)
        session.flush()
    return coder


def set_meta(session: Session, key: str, value: object) -> None:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    row = session.get(ProjectMeta, key)
    if row is None:
        session.add(ProjectMeta(key=key, value=text))
    else:
        row.value = text
        session.add(row)


def get_meta(session: Session, key: str) -> str | None:
    row = session.get(ProjectMeta, key)
    return None if row is None else row.value
