"""The codebook: YAML ↔ a tree of codes, validation with file:line, and sync planning.

Pure: no database, no terminal. The services apply a :class:`SyncPlan` to a project.

Format (documented for users in ``codebooks/README.md``)::

    codebook: kvalitetsmodellen   # name
    version: 3
    codes:
      - id: LED
        label: Ledelse
        children:
          - id: LED.forankring_eier
            label: Forankring hos skoleeier
            description: …
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualcode.domain.errors import CodebookError, InputFileError
from qualcode.domain.text import nfc
from qualcode.importers.reading import YAML_LIMIT, read_file
from qualcode.importers.safe_yaml import LineDict, load_yaml

TOP_KEYS = {"codebook", "version", "title", "language", "description", "codes"}
CODE_KEYS = {
    "id", "label", "gloss", "family", "criterion", "description", "include", "exclude",
    "examples", "keywords", "source", "refs", "colour", "exclusive", "children", "parent",
    "was", "archived",
}
# Levels of the code tree, top-level codes being level 1. Reports, matrices and exports
# walk the tree recursively; a framework rarely needs more than four levels.
MAX_CODE_DEPTH = 32
SOURCES = {"framework", "finding", "extra", "inductive"}
ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*$")
COLOUR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
# Fields compared when syncing a codebook into a project (besides parent and archived).
SYNCED_FIELDS = ("label", "gloss", "family", "criterion", "description", "include", "exclude",
                 "examples", "keywords", "refs", "source", "colour", "exclusive")


@dataclass
class Problem:
    severity: str  # "error" | "warning"
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"


@dataclass
class CodeDef:
    id: str
    label: str
    parent: str | None = None
    gloss: str | None = None
    family: str | None = None
    criterion: str | None = None
    description: str | None = None
    include: str | None = None
    exclude: str | None = None
    examples: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    source: str | None = None
    colour: str | None = None
    exclusive: bool = False
    archived: bool = False
    was: list[str] = field(default_factory=list)
    line: int | None = None
    order: int = 0

    def synced_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in SYNCED_FIELDS}


@dataclass
class Codebook:
    name: str
    version: int | None
    title: str | None
    language: str | None
    description: str | None
    codes: list[CodeDef]
    path: str
    sha256: str

    def by_id(self) -> dict[str, CodeDef]:
        return {c.id: c for c in self.codes}

    def children_of(self, code_id: str | None) -> list[CodeDef]:
        return [c for c in self.codes if c.parent == code_id]


# --- reading YAML with line numbers --------------------------------------------------

def _text(value: Any) -> str | None:
    if value is None:
        return None
    return nfc(str(value)).strip() or None


def _string_list(value: Any) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return [nfc(value).strip()]
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return [nfc(str(v)).strip() for v in value]
    return None


def _suggest(key: str, allowed: set[str]) -> str:
    close = difflib.get_close_matches(key, sorted(allowed), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def parse_codebook(text: str, path: str = "<codebook>") -> tuple[Codebook | None, list[Problem]]:
    """Parse and validate; return the codebook (None if unusable) and every problem found."""
    problems: list[Problem] = []

    def err(line: int | None, msg: str) -> None:
        problems.append(Problem("error", path, line, msg))

    def warn(line: int | None, msg: str) -> None:
        problems.append(Problem("warning", path, line, msg))

    try:
        data = load_yaml(text, path, line_numbers=True)
    except InputFileError as exc:
        err(exc.line, exc.reason)
        return None, problems
    if not isinstance(data, dict):
        err(1, "a codebook is a YAML mapping with 'codebook:' (its name) and 'codes:'")
        return None, problems
    for key, line in data.key_lines.get("__duplicates__", []):
        err(line, f"key '{key}' appears twice")
    for key in data:
        if key not in TOP_KEYS:
            err(data.line_of(key), f"unknown key '{key}'{_suggest(str(key), TOP_KEYS)}")
    name = _text(data.get("codebook"))
    if not name:
        err(1, "missing 'codebook:' (a short name, e.g. kvalitetsmodellen)")
    version = data.get("version")
    if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
        err(data.line_of("version"), "'version' must be a whole number")
        version = None
    raw_codes = data.get("codes")
    if not isinstance(raw_codes, list) or not raw_codes:
        err(data.line_of("codes"), "'codes:' must be a non-empty list of codes")
        return None, problems

    codes: list[CodeDef] = []
    first_line: dict[str, int] = {}

    def walk(items: Any, parent: str | None, line: int) -> None:
        if not isinstance(items, list):
            err(line, "'children:' must be a list of codes")
            return
        for item in items:
            if not isinstance(item, dict):
                err(line, f"each code must be a mapping with id: and label:, got {item!r}")
                continue
            code = _read_code(item, parent, err, warn)
            if code is None:  # still check what is below it
                if "children" in item:
                    walk(item["children"], None, item.line_of("children"))
                continue
            if code.id in first_line:
                err(code.line, f"code id '{code.id}' is used twice (first at line "
                    f"{first_line[code.id]})")
            else:
                first_line[code.id] = code.line or 0
                code.order = len(codes)
                codes.append(code)
            if "children" in item:
                walk(item["children"], code.id, item.line_of("children"))

    walk(raw_codes, None, data.line_of("codes"))
    _check_references(codes, err, warn)
    if any(p.severity == "error" for p in problems) or not name:
        return None, problems
    return Codebook(
        name=name, version=version, title=_text(data.get("title")),
        language=_text(data.get("language")), description=_text(data.get("description")),
        codes=codes, path=path, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    ), problems


def _read_code(item: LineDict, nesting_parent: str | None, err, warn) -> CodeDef | None:
    line = item.line
    for key, kline in item.key_lines.get("__duplicates__", []):
        err(kline, f"key '{key}' appears twice in one code")
    for key in item:
        if key not in CODE_KEYS:
            err(item.line_of(key), f"unknown key '{key}'{_suggest(str(key), CODE_KEYS)}")
    code_id = _text(item.get("id"))
    if not code_id:
        err(line, "code without 'id:'")
        return None
    if not ID_PATTERN.match(code_id):
        err(item.line_of("id"), f"id '{code_id}' must be ASCII letters, digits, '_' and '.', "
            "starting with a letter (write å as aa, ø as o, æ as ae)")
    label = _text(item.get("label"))
    if not label:
        err(line, f"code '{code_id}' has no label")
    description = _text(item.get("description"))
    if not description:
        warn(line, f"code '{code_id}' has an empty description")
    explicit_parent = _text(item.get("parent"))
    if explicit_parent and nesting_parent and explicit_parent != nesting_parent:
        err(item.line_of("parent"), f"'{code_id}' is nested under '{nesting_parent}' but says "
            f"parent: {explicit_parent}")
    lists = {}
    for key in ("examples", "keywords", "refs"):
        value = _string_list(item.get(key))
        if value is None:
            err(item.line_of(key), f"'{key}' of '{code_id}' must be a list of strings")
            value = []
        lists[key] = value
    was = _string_list(item.get("was"))
    if was is None:
        err(item.line_of("was"), f"'was' of '{code_id}' must be an id or a list of ids")
        was = []
    source = _text(item.get("source"))
    if source and source not in SOURCES:
        err(item.line_of("source"), f"source '{source}' is not one of {', '.join(sorted(SOURCES))}")
    colour = _text(item.get("colour"))
    if colour and not COLOUR_PATTERN.match(colour):
        err(item.line_of("colour"), f"colour '{colour}' must look like #1f77b4")
    flags = {}
    for key in ("exclusive", "archived"):
        value = item.get(key, False)
        if not isinstance(value, bool):
            err(item.line_of(key), f"'{key}' of '{code_id}' must be true or false")
            value = False
        flags[key] = value
    return CodeDef(
        id=code_id, label=label or code_id, parent=nesting_parent or explicit_parent,
        gloss=_text(item.get("gloss")), family=_text(item.get("family")),
        criterion=_text(item.get("criterion")), description=description,
        include=_text(item.get("include")), exclude=_text(item.get("exclude")),
        examples=lists["examples"], keywords=lists["keywords"], refs=lists["refs"],
        source=source, colour=colour, exclusive=flags["exclusive"], archived=flags["archived"],
        was=was, line=line,
    )


def _check_references(codes: list[CodeDef], err, warn) -> None:
    ids = {c.id: c for c in codes}
    claimed: dict[str, str] = {}
    for code in codes:
        if code.parent and code.parent not in ids:
            err(code.line, f"'{code.id}' has parent '{code.parent}', which is not in the codebook")
        elif code.parent and not code.id.startswith(code.parent + "."):
            warn(code.line, f"'{code.id}' does not start with its parent's id '{code.parent}.'")
        for old in code.was:
            if old in ids:
                err(code.line, f"'{code.id}' says was: {old}, but '{old}' is still in the "
                    "codebook (remove it, or drop the was:)")
            elif old in claimed:
                err(code.line, f"'{old}' is claimed by both '{claimed[old]}' and '{code.id}' "
                    "in was:")
            else:
                claimed[old] = code.id
    # cycles through explicit parent: references, and trees deeper than MAX_CODE_DEPTH
    for code in codes:
        seen = {code.id}
        parent = code.parent
        while parent and parent in ids:
            if parent in seen:
                err(code.line, f"'{code.id}' is its own ancestor (parent cycle)")
                break
            seen.add(parent)
            parent = ids[parent].parent
        else:
            if len(seen) == MAX_CODE_DEPTH + 1:  # once per branch, at its first code too deep
                err(code.line, f"'{code.id}' is {len(seen)} levels deep; a code tree has at "
                    f"most {MAX_CODE_DEPTH} levels")


def read_codebook(path: Path) -> tuple[Codebook | None, list[Problem]]:
    try:
        raw = read_file(path, YAML_LIMIT)
    except InputFileError as exc:
        raise CodebookError(str(exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, [Problem("error", str(path), line, "the codebook is not UTF-8 (byte "
                              f"0x{raw[exc.start]:02X} cannot be decoded)")]
    return parse_codebook(text, str(path))


def load_codebook(path: Path) -> Codebook:
    """Read a codebook or raise with the first error (all errors: ``codebook validate``)."""
    codebook, problems = read_codebook(path)
    errors = [p for p in problems if p.severity == "error"]
    if codebook is None or errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise CodebookError(f"{errors[0]}{more}" if errors else f"{path}: unusable codebook",
                            hint=f"run `qualcode codebook validate {path}` to see every problem")
    return codebook


# --- sync planning -------------------------------------------------------------------

@dataclass(frozen=True)
class ExistingCode:
    """A code as the project has it, with how many codings use it (per coder)."""

    id: str
    parent: str | None
    archived: bool
    values: dict[str, Any]
    codings_by_coder: dict[str, int]

    @property
    def n_codings(self) -> int:
        return sum(self.codings_by_coder.values())


@dataclass
class SyncPlan:
    added: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (old, new)
    merged: list[tuple[str, str, int]] = field(default_factory=list)  # (old, into, n codings)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)  # (id, field names)
    archived: list[str] = field(default_factory=list)
    unarchived: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # absent from file, no codings
    blocked: list[ExistingCode] = field(default_factory=list)  # absent, but coded

    @property
    def is_noop(self) -> bool:
        return not (self.added or self.renamed or self.merged or self.changed or self.archived
                    or self.unarchived or self.removed)


def plan_sync(codebook: Codebook, existing: list[ExistingCode]) -> SyncPlan:
    """What loading ``codebook`` into a project holding ``existing`` codes would do."""
    plan = SyncPlan()
    have = {c.id: c for c in existing}
    in_file = codebook.by_id()
    accounted: set[str] = set()
    for code in codebook.codes:
        target_exists = code.id in have
        for old in code.was:
            if old not in have:
                continue  # already renamed by an earlier load
            accounted.add(old)
            if not target_exists:
                plan.renamed.append((old, code.id))
                target_exists = True
            else:
                plan.merged.append((old, code.id, have[old].n_codings))
    renamed_to = {new: old for old, new in plan.renamed}
    for code in codebook.codes:
        source = have.get(code.id) or have.get(renamed_to.get(code.id, ""))
        if source is None:
            plan.added.append(code.id)
            continue
        diff = [k for k, v in code.synced_values().items() if source.values.get(k) != v]
        if source.parent != code.parent:
            diff.append("parent")
        if diff:
            plan.changed.append((code.id, diff))
        if code.archived and not source.archived:
            plan.archived.append(code.id)
        elif source.archived and not code.archived:
            plan.unarchived.append(code.id)
    for old in existing:
        if old.id in in_file or old.id in accounted:
            continue
        if old.n_codings:
            plan.blocked.append(old)
        else:
            plan.removed.append(old.id)
    return plan


def blocked_message(plan: SyncPlan, path: str) -> str:
    parts = []
    for code in plan.blocked:
        per = ", ".join(f"{coder} {n}" for coder, n in sorted(code.codings_by_coder.items()))
        parts.append(f"{code.id} ({code.n_codings} codings: {per})")
    return (f"{path} leaves out code(s) that have codings: {'; '.join(parts)}")


BLOCKED_HINT = ("nothing was changed; keep the code in the file with `archived: true`, or "
                "merge it by adding `was: OLD_ID` to the code that should take its codings")
