"""Interview metadata: YAML front matter in .txt/.md, or a sidecar ``<stem>.yaml``.

Keys: ``site`` (site id), ``title``, ``speakers`` (label → person id; ``null`` or a missing
label leaves the label unmapped) and any further key, which becomes a typed transcript
attribute (``format``, ``modus``, ``dato``, ``runde`` …); a list of single values becomes one
text attribute, its items joined by ", ". ``format`` must be one of
individuelt, parvis, gruppe, fokusgruppe.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from qualcode.domain.errors import InputFileError
from qualcode.domain.model import INTERVIEW_FORMATS, TranscriptMetadata
from qualcode.domain.text import decode_text, nfc
from qualcode.importers.reading import YAML_LIMIT, read_file
from qualcode.importers.safe_yaml import load_yaml

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<body>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
RESERVED = ("site", "title", "speakers")


def split_front_matter(text: str, path: str) -> tuple[TranscriptMetadata | None, int]:
    """Return the front matter (if any) and the offset where the transcript body starts."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return None, 0
    data = load_yaml(match.group("body"), path, first_line=2)
    return metadata_from_mapping(data or {}, path), match.end()


def read_sidecar(transcript_path: Path) -> TranscriptMetadata | None:
    for suffix in (".yaml", ".yml"):
        sidecar = transcript_path.with_suffix(suffix)
        if sidecar.exists():
            text, _ = decode_text(read_file(sidecar, YAML_LIMIT), str(sidecar))
            data = load_yaml(text, str(sidecar))
            return metadata_from_mapping(data or {}, str(sidecar))
    return None


def scalar(value: Any) -> Any:
    """Attribute values: keep int/float/bool/date, NFC-normalise strings."""
    if isinstance(value, str):
        return nfc(value.strip())
    if isinstance(value, (bool, int, float, dt.date)):
        return value
    return value


def list_value(key: str, items: list, path: str) -> str | None:
    """A list attribute (``participants: [Are, Bastian]``, as transcription services write
    front matter) is stored as one text value, its items joined by ", " in their order; an
    empty list is no value. Items must be single values themselves."""
    if any(isinstance(item, (list, dict)) for item in items):
        raise InputFileError(path, f"attribute '{key}' is a list of lists or mappings",
                             hint="write it as a list of single values, e.g. [Are, Bastian]")
    text = [str(item).strip() if isinstance(item, str) else str(item)
            for item in items if item is not None]
    return ", ".join(t for t in text if t) or None


def metadata_from_mapping(data: Any, path: str) -> TranscriptMetadata:
    if not isinstance(data, dict):
        raise InputFileError(path, "metadata must be a YAML mapping of key: value",
                             hint="see the README section 'Transcript metadata'")
    meta = TranscriptMetadata(source=path)
    for key, value in data.items():
        key = nfc(str(key)).strip()
        if key == "site":
            meta.site = None if value is None else nfc(str(value)).strip()
        elif key == "title":
            meta.title = None if value is None else nfc(str(value)).strip()
        elif key == "speakers":
            if value is None:
                continue
            if not isinstance(value, dict):
                raise InputFileError(path, "'speakers' must map each speaker label to a person id",
                                     hint="e.g. speakers: {Rektor: nordvik_rektor}")
            for label, person in value.items():
                meta.speakers[nfc(str(label)).strip()] = (
                    None if person is None else nfc(str(person)).strip()
                )
        else:
            if isinstance(value, list):
                value = list_value(key, value, path)
            if isinstance(value, dict):
                raise InputFileError(path, f"attribute '{key}' must be a single value or a "
                                     "list, not a mapping")
            if value is None:
                continue
            meta.attributes[key] = scalar(value)
    fmt = meta.attributes.get("format")
    if fmt is not None and fmt not in INTERVIEW_FORMATS:
        raise InputFileError(path, f"format '{fmt}' is not one of {', '.join(INTERVIEW_FORMATS)}",
                             hint="correct the format value")
    return meta


def merge(base: TranscriptMetadata | None, over: TranscriptMetadata | None) -> TranscriptMetadata:
    """Front matter first, then the sidecar: later sources win key by key."""
    result = TranscriptMetadata()
    for meta in (base, over):
        if meta is None:
            continue
        result.site = meta.site or result.site
        result.title = meta.title or result.title
        result.speakers.update(meta.speakers)
        result.attributes.update(meta.attributes)
        result.source = meta.source or result.source
    return result
