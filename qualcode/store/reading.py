"""Read-only look-ups the study report needs beside the matrices: the material's size,
the memos and the names of what they are about. Each takes an open
:class:`~qualcode.store.engine.Snapshot`."""

from __future__ import annotations

from collections.abc import Sequence

from qualcode.store.engine import Snapshot


def material(db: Snapshot) -> tuple[list[str], int, int]:
    """The interview format of each transcript that has one, the number of transcripts
    and their words."""
    formats = db.column("SELECT value_text FROM transcript_attribute WHERE name = 'format'")
    n, words = db.rows("SELECT count(*), coalesce(sum(n_words), 0) FROM transcript")[0]
    return formats, int(n), int(words)


def any_person_summary(db: Snapshot) -> bool:
    """Whether a researcher has written a summary of a code for an informant."""
    return bool(db.rows("SELECT 1 FROM memo WHERE about_type = 'summary' "
                        "AND about_key LIKE '%|person|%' LIMIT 1"))


def memos_about(db: Snapshot, kinds: Sequence[str]) -> list[tuple]:
    """(about_type, about_key, title, body, author, created_at, pk) of the memos about
    ``kinds``, unordered."""
    marks = ", ".join("?" for _ in kinds)
    return db.rows("SELECT about_type, about_key, title, body, author, created_at, pk "
                   f"FROM memo WHERE about_type IN ({marks})", tuple(kinds))


def person_places(db: Snapshot) -> dict[str, tuple]:
    """Each informant's (role, school id, school name)."""
    return {pid: (role, site_id, name) for pid, role, site_id, name in db.rows(
        "SELECT p.person_id, p.role, s.site_id, s.name FROM person p "
        "LEFT JOIN site s ON s.pk = p.site_pk")}


def site_names(db: Snapshot) -> dict[str, str]:
    return dict(db.rows("SELECT site_id, name FROM site"))


def transcript_titles(db: Snapshot) -> dict[str, str]:
    return dict(db.rows("SELECT name, title FROM transcript"))
