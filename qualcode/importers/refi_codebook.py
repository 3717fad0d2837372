"""A REFI-QDA code tree as a qualcode YAML codebook (pure: codes in, YAML text out).

Codes are keyed by GUID: real exports repeat names under different parents. The hierarchy
comes from nested ``<Code>`` elements, or from ``Parent::Child`` names where a program
flattens the tree (ATLAS.ti code groups, MAXQDA exports). Ids are made from the names:
ASCII (æ → ae, ø → o, å → aa), a child's id is its parent's and a dot before its own
(``LED.forankring_eier``), and a repeated id gets ``_2``, ``_3``.

A code exported by qualcode carries its id and fields in its description (``qualcode id:
X`` on the first line, then ``English:``, ``Criterion:``, ``Include:``, ``Exclude:``); they
are read back, so a codebook survives the trip. A label several codes share is written
with the id after it (``Annet (LED.annet)``), since some programs keep one code per name;
reading takes it off again.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from qualcode.importers.refi_reader import RefiCode

ID_LINE = "qualcode id: "
_FIELDS = {"English: ": "gloss", "Criterion: ": "criterion", "Include: ": "include",
           "Exclude: ": "exclude", "Family: ": "family", "Source: ": "source",
           "Exclusive: ": "exclusive", "Keywords: ": "keywords", "Examples: ": "examples",
           "Refs: ": "refs"}
_FOLD = {"æ": "ae", "ø": "o", "å": "aa", "Æ": "AE", "Ø": "O", "Å": "AA", "ß": "ss"}
_ID_OK = re.compile(r"[A-Za-z0-9_.]+")
_COLOUR = re.compile(r"#?([0-9A-Fa-f]{6})")


@dataclass
class PlannedCode:
    guid: str
    id: str
    label: str
    parent: str | None  # a planned id
    fields: dict  # description, gloss, criterion, include, exclude, colour, archived


def slug(name: str) -> str:
    """An id part made from a name: ASCII letters, digits and underscores."""
    folded = "".join(_FOLD.get(c, c) for c in name.strip())
    ascii_only = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9]+", "_", ascii_only).strip("_")
    return cleaned or "kode"


def code_name(label: str, code_id: str, shared: set[str]) -> str:
    """A code's name in a file qualcode writes: its label, with its id after a label other
    codes share. QualCoder keeps one code per name: a second "Annet" would become the
    first, and its codings would be lost there. :func:`code_label` takes the id off."""
    return f"{label} ({code_id})" if label in shared else label


def code_label(name: str, code_id: str | None) -> str:
    """The label of a code named by :func:`code_name` (``code_id`` from its description)."""
    suffix = f" ({code_id})"
    return name[:-len(suffix)] if code_id and name.endswith(suffix) else name


def _qualcode_fields(description: str | None) -> tuple[str | None, dict]:
    """The id and fields a qualcode export wrote into a code's description."""
    if not description or not description.startswith(ID_LINE):
        return None, {"description": description.strip() if description else None}
    lines = description.splitlines()
    head = lines[0][len(ID_LINE):].strip()
    code_id, _, rest = head.partition(" ")
    fields: dict = {"archived": rest.strip() == "(archived)"}
    current = "description"
    parts: dict[str, list[str]] = {}
    for number, line in enumerate(lines[1:]):
        for prefix, name in _FIELDS.items():
            if line.startswith(prefix):
                current, line = name, line[len(prefix):]
                break
        parts.setdefault(current, []).append(line)
        if number == 0 and current == "gloss":
            current = "description"  # the English gloss is one line, right after the id
    for name, values in parts.items():
        fields[name] = "\n".join(values).strip() or None
    for name in ("keywords", "examples", "refs"):
        if fields.get(name):
            try:
                value = json.loads(fields[name])
            except ValueError:
                value = None
            fields[name] = value if isinstance(value, list) else None
    fields["exclusive"] = fields.get("exclusive") == "true"
    if not _ID_OK.fullmatch(code_id):
        return None, fields
    return code_id, fields


def plan_codes(codes: list[RefiCode]) -> list[PlannedCode]:
    """Every code with its id, label and parent, parents first."""
    by_guid = {code.guid: code for code in codes}
    planned: dict[str, PlannedCode] = {}
    used: set[str] = set()
    # Parent::Child names make the tree where the file gives a flat list.
    path_codes: dict[tuple[str, ...], str] = {}

    def unique(candidate: str) -> str:
        found, n = candidate, 1
        while found in used:
            n += 1
            found = f"{candidate}_{n}"
        used.add(found)
        return found

    def plan(code: RefiCode, parent_id: str | None) -> PlannedCode:
        own_id, fields = _qualcode_fields(code.description)
        if code.colour and _COLOUR.fullmatch(code.colour.strip()):
            fields["colour"] = "#" + _COLOUR.fullmatch(code.colour.strip()).group(1).lower()
        label = code_label(code.name, own_id)
        if own_id is None:
            own_id = slug(label) if parent_id is None else f"{parent_id}.{slug(label)}"
        item = PlannedCode(code.guid, unique(own_id), label, parent_id, fields)
        planned[code.guid] = item
        return item

    def parent_by_path(parts: list[str]) -> str | None:
        parent = None
        for depth in range(1, len(parts)):
            key = tuple(parts[:depth])
            if key not in path_codes:
                made = RefiCode(f"path:{'::'.join(key)}", parts[depth - 1], None)
                path_codes[key] = plan(made, parent).id
            parent = path_codes[key]
        return parent

    flat = [code for code in codes if code.parent is None and "::" in code.name]
    for code in [code for code in codes if code not in flat] + flat:
        parent_id = planned[code.parent].id if code.parent in planned else None
        if code.parent is None and "::" in code.name:
            parts = [p.strip() for p in code.name.split("::") if p.strip()]
            if len(parts) > 1:
                parent_id = parent_by_path(parts)
                code = RefiCode(code.guid, parts[-1], None, code.colour, code.description,
                                code.codable, code.notes)
        elif code.parent is not None and code.parent not in by_guid:
            parent_id = None
        item = plan(code, parent_id)
        if code.parent is None:
            path_codes.setdefault((code.name,), item.id)
    return list(planned.values())


def codebook_data(planned: list[PlannedCode], name: str, title: str | None) -> dict:
    """The YAML codebook (as data) of the planned codes, nested under their parents."""
    children: dict[str | None, list[PlannedCode]] = {}
    for code in planned:
        children.setdefault(code.parent, []).append(code)

    def entry(code: PlannedCode) -> dict:
        item: dict = {"id": code.id, "label": code.label}
        for key in ("gloss", "family", "description", "criterion", "include", "exclude",
                    "examples", "keywords", "source", "refs", "colour"):
            if code.fields.get(key):
                item[key] = code.fields[key]
        for key in ("exclusive", "archived"):
            if code.fields.get(key):
                item[key] = True
        if children.get(code.id):
            item["children"] = [entry(child) for child in children[code.id]]
        return item

    data: dict = {"codebook": name if _ID_OK.fullmatch(name) else slug(name).lower(),
                  "version": 1}
    if title:
        data["title"] = title
    data["codes"] = [entry(code) for code in children.get(None, [])]
    return data


def dump_codebook(data: dict, header: str) -> str:
    """YAML text of a codebook, with a comment saying where it came from."""
    import yaml

    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    return "".join(f"# {line}\n" for line in header.splitlines()) + body
