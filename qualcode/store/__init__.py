"""The project store: SQLModel tables, the engine, migrations. Only this layer and the
services touch SQL."""

from qualcode.store.engine import Snapshot, Store, Writer, create_project, open_store

__all__ = ["Snapshot", "Store", "Writer", "create_project", "open_store"]
