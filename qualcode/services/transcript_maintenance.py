"""Renaming and removing transcripts. A transcript's codings are the study's work: a
transcript that has codings is removed only when asked to take them along, and then
every coding goes into the audit log whole, so nothing disappears without a trace."""

from __future__ import annotations

from qualcode.domain.errors import ConflictError, InputFileError
from qualcode.store import Store


def rename_transcript(store: Store, old: str, new: str) -> str:
    from sqlmodel import select

    from qualcode import audit
    from qualcode.domain.text import nfc
    from qualcode.services.common import get_transcript
    from qualcode.store.models import Transcript

    new = nfc(new.strip())
    if not new or new.isdigit() or any(c in new for c in "/\\\n\t"):
        raise InputFileError("rename", f"'{new}' cannot be a transcript name",
                             hint="use letters, digits, - and _ (not only digits: those "
                                  "are ids)")
    with store.write() as session:
        t = get_transcript(session, old)
        if session.exec(select(Transcript.pk).where(Transcript.name == new)).first():
            raise ConflictError(f"a transcript named '{new}' exists already",
                                hint="choose another name")
        before = t.name
        t.name = new
        session.add(t)
        audit.record(session, "rename", "transcript", new, before={"name": before},
                     after={"name": new})
    return before


def remove_transcript(store: Store, name: str, *, with_codings: bool = False) -> int:
    """Remove a transcript (its turns, sentences, speakers, attributes and recording link
    go with it); returns how many codings were removed with it."""
    from sqlmodel import delete, func, select

    from qualcode import audit
    from qualcode.services.common import coding_row, get_transcript
    from qualcode.store.models import Coding, Transcript

    with store.write() as session:
        t = get_transcript(session, name)
        n = session.exec(select(func.count()).select_from(Coding)
                         .where(Coding.transcript_pk == t.pk)).one()
        if n and not with_codings:
            raise ConflictError(f"{t.name} has {n} coding(s); nothing was removed",
                                hint="export them first (`qualcode coding list -t "
                                     f"{t.name} -f csv`), then add --with-codings")
        batch = audit.new_batch()
        for coding in session.exec(select(Coding).where(Coding.transcript_pk == t.pk)):
            # "remove_with_transcript": a coder's undo cannot bring a coding back onto a
            # transcript that is gone; the audit log keeps it whole.
            audit.record(session, "remove_with_transcript", "coding", str(coding.pk),
                         batch=batch, before=coding_row(coding))
        session.exec(delete(Coding).where(Coding.transcript_pk == t.pk))
        audit.record(session, "remove", "transcript", t.name, batch=batch,
                     before={"file": t.source_file, "sha256": t.text_sha256,
                             "codings": n})
        session.exec(delete(Transcript).where(Transcript.pk == t.pk))
    return n
