"""Editing a codebook YAML file in place, keeping its comments, order and layout.

When a code is renamed, merged, moved or archived in a project, the same change is made
to the codebook file (a round-trip edit with ruamel.yaml), so the file stays the single
source of truth a research group keeps in version control. Pure: text in, text out.
"""

from __future__ import annotations

import io
from typing import Any

from qualcode.domain.errors import CodebookError


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _load(text: str) -> Any:
    data = _yaml().load(text)
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise CodebookError("the codebook file has no 'codes:' list to edit")
    return data


def _dump(data: Any) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def _walk(codes: list, parent: dict | None = None):
    """Yield (code mapping, the list holding it, its nesting parent mapping)."""
    for item in codes:
        if isinstance(item, dict):
            yield item, codes, parent
            if isinstance(item.get("children"), list):
                yield from _walk(item["children"], item)


def _find(data: Any, code_id: str) -> tuple[dict, list, dict | None]:
    for item, holder, parent in _walk(data["codes"]):
        if str(item.get("id")) == code_id:
            return item, holder, parent
    raise CodebookError(f"code '{code_id}' is not in the codebook file")


def _add_was(item: dict, old: str) -> None:
    was = item.get("was")
    if was is None:
        item["was"] = old
    elif isinstance(was, list):
        if old not in was:
            was.append(old)
    elif was != old:
        item["was"] = [was, old]


def _bump_version(data: Any) -> None:
    if isinstance(data.get("version"), int):
        data["version"] += 1


def rename(text: str, old: str, new: str) -> str:
    data = _load(text)
    item, _, _ = _find(data, old)
    item["id"] = new
    _add_was(item, old)
    for other, _, _ in _walk(data["codes"]):
        if other.get("parent") == old:
            other["parent"] = new
    _bump_version(data)
    return _dump(data)


def archive(text: str, code_id: str) -> str:
    data = _load(text)
    item, _, _ = _find(data, code_id)
    item["archived"] = True
    _bump_version(data)
    return _dump(data)


def move(text: str, code_id: str, new_parent: str | None) -> str:
    data = _load(text)
    item, holder, _ = _find(data, code_id)
    holder.remove(item)
    item.pop("parent", None)  # nesting says where it belongs
    if new_parent is None:
        data["codes"].append(item)
    else:
        target, _, _ = _find(data, new_parent)
        target.setdefault("children", []).append(item)
    _bump_version(data)
    return _dump(data)


def merge(text: str, sources: list[str], into: str) -> str:
    data = _load(text)
    target, _, _ = _find(data, into)
    for source in sources:
        item, holder, _ = _find(data, source)
        holder.remove(item)
        for child in item.get("children") or []:
            child.pop("parent", None)
            target.setdefault("children", []).append(child)
        _add_was(target, source)
    _bump_version(data)
    return _dump(data)
