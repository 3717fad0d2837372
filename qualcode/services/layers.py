"""Whose codings a count is made of when the user names no coder: one rule for every
command (matrices, quotes, queries, frequencies, the codebook's counts, the Word report
and the coders compared by ``qualcode agreement``).

The default layer is every coder's own codings (origin manual or imported). A second or
later round of a coder (``anna@2``, see :mod:`qualcode.domain.user_text`) is a recode of
a sample for a stability check, not another coder: it is left out unless it is named,
so a recode never counts a passage twice or adds a coder. Suggestions never count, and
the consensus layer only when it is asked for.

The look-ups are plain SQL on a :class:`~qualcode.store.engine.Snapshot`, so the read
path and ORM code (through ``Store.in_session``) share them.
"""

from __future__ import annotations

from collections.abc import Iterable

from qualcode.domain.errors import not_found
from qualcode.domain.user_text import later_round
from qualcode.store import Snapshot

OWN_ORIGINS = "('manual', 'imported')"


def check_coders(known: Iterable[str], names: Iterable[str] | None) -> None:
    """Refuse a coder the project does not have: a typo in ``--coder`` must not read as a
    coder with nothing coded."""
    known = sorted(set(known))
    for name in names or ():
        if name not in known:
            raise not_found(f"no coder named '{name}'", name, known,
                            f"coders: {', '.join(known) or 'none yet'}")


def own_coders(db: Snapshot) -> list[str]:
    """Coders with codings of their own (manual or imported), every round, by name."""
    return sorted(db.column(
        "SELECT name FROM coder WHERE pk IN (SELECT coder_pk FROM coding "
        f"WHERE origin IN {OWN_ORIGINS})"))


def default_coders(db: Snapshot) -> list[str]:
    """The coders of the default layer: those with codings of their own, later rounds
    left out."""
    return [name for name in own_coders(db) if not later_round(name)]


def later_rounds(db: Snapshot) -> dict[str, int]:
    """Every coder that is a later round of another, by name, with its primary key."""
    return {name: pk for name, pk in db.rows("SELECT name, pk FROM coder")
            if later_round(name)}


def default_condition(db: Snapshot, alias: str = "c") -> tuple[str, list[int]]:
    """An SQL condition on the coding table (aliased ``alias``) that leaves later rounds
    out, with its parameters; empty when the project has none (nothing to leave out)."""
    pks = sorted(later_rounds(db).values())
    if not pks:
        return "", []
    return f"{alias}.coder_pk NOT IN ({', '.join('?' * len(pks))})", pks

