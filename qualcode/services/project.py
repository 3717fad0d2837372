"""Creating and opening projects."""

from __future__ import annotations

from pathlib import Path

from qualcode.store import Store, create_project, open_store


def init_project(path: Path | str) -> Store:
    # The audit log and the ORM load here, not at import: opening a project for a
    # read-only command must not pay for SQLAlchemy.
    from qualcode import __version__, audit
    from qualcode.services.common import set_meta

    store = create_project(path)
    with store.write() as session:
        set_meta(session, "created_by", f"qualcode {__version__}")
        audit.record(session, "init", "project", store.name)
    return store


def open_project(path: Path | str) -> Store:
    """A project file, or a ``postgresql://`` URL for a database a team shares."""
    return open_store(path)


def copy_project(source: Store, target: Path | str) -> tuple[Store, dict[str, int]]:
    """The whole project into a new file or an empty PostgreSQL database (see
    :mod:`qualcode.store.copy`); the rows copied per table."""
    from qualcode.store.copy import copy_project as copy

    return copy(source, target)
