"""Typed attribute values: one canonical encoding for sites, persons and transcripts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from qualcode.domain.text import nfc

ATTRIBUTE_TYPES = ("text", "integer", "number", "boolean", "date")
_TRUE = {"true", "ja", "yes", "sann"}
_FALSE = {"false", "nei", "no", "usann"}
# ASCII digits only: int() also reads Arabic-Indic and fullwidth digits, which a sheet
# should keep as the text it is.
_INT = re.compile(r"^[+-]?\d+$", re.ASCII)
_NUM = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$", re.ASCII)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_NO_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", re.ASCII)


def encode(value: Any) -> tuple[str, str, float | None]:
    """A Python value → ``(value_type, value_text, value_num)`` as stored."""
    if isinstance(value, bool):
        return "boolean", "true" if value else "false", 1.0 if value else 0.0
    if isinstance(value, int):
        return "integer", str(value), float(value)
    if isinstance(value, float):
        return "number", repr(value), value
    if isinstance(value, dt.datetime):
        return "date", value.date().isoformat(), None
    if isinstance(value, dt.date):
        return "date", value.isoformat(), None
    return "text", nfc(str(value)).strip(), None


def decode(value_type: str, value_text: str) -> Any:
    if value_type == "integer":
        return int(value_text)
    if value_type == "number":
        return float(value_text)
    if value_type == "boolean":
        return value_text == "true"
    if value_type == "date":
        return dt.date.fromisoformat(value_text)
    return value_text


def _parse_date(text: str) -> dt.date | None:
    try:
        if _ISO_DATE.match(text):
            return dt.date.fromisoformat(text)
        m = _NO_DATE.match(text)
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None
    return None


def infer_column(values: list[str]) -> list[Any]:
    """Type a spreadsheet column as a whole: all integers, all numbers (a decimal comma is
    fine), all yes/no, all dates (2021-10-14 or 14.10.2021), else text. Empty cells are
    None ("not reported")."""
    present = [v.strip() for v in values if v is not None and v.strip()]
    folded = [v.casefold() for v in present]

    def convert(fn):
        return [fn(v.strip()) if v is not None and v.strip() else None for v in values]

    if present and all(_INT.match(v) for v in present):
        return convert(int)
    if present and all(_NUM.match(v) for v in present):
        return convert(lambda v: float(v.replace(",", ".")))
    if present and all(v in _TRUE | _FALSE for v in folded):
        return convert(lambda v: v.casefold() in _TRUE)
    if present and all(_parse_date(v) for v in present):
        return convert(_parse_date)
    return convert(lambda v: nfc(v))
