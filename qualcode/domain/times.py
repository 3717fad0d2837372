"""Moments as the store keeps them."""

from __future__ import annotations

from datetime import datetime, timezone


def stored_time(value: object) -> datetime:
    """A stored moment as an aware UTC datetime: SQLite keeps times as ISO text and
    PostgreSQL as timestamps, both without a zone, both meaning UTC."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
