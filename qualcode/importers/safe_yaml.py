"""The one YAML loader of the pure core: front matter, sidecars, sheets and codebooks.

``yaml.safe_load`` builds no objects, but it is not bounded: a few hundred bytes of
anchors and aliases can stand for a string of a billion characters once a value is turned
into text, deep nesting exhausts Python's stack, and an impossible date or a list used as
a key escapes as a Python error. This loader refuses all of these with ``file:line``:

* nesting deeper than ``MAX_DEPTH`` levels (lists and mappings);
* a document whose aliases expand it beyond ``MAX_EXPANDED`` (nodes plus characters of
  text, counting every alias as a full copy of what it refers to), or an alias inside
  the node it refers to;
* tags other than YAML's plain scalars, lists and mappings (``!!binary``, ``!!set``,
  ``!custom`` …);
* keys that are lists or mappings, and dates that do not exist (``2021-02-30``);
* control characters in text (written as escapes such as ``"\\x1b"``; YAML itself refuses
  them raw).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError

from qualcode.domain.errors import InputFileError
from qualcode.domain.text import strip_controls

MAX_DEPTH = 100  # nested lists/mappings; a 32-level code tree needs 65
MAX_EXPANDED = 20_000_000  # nodes + characters after aliases are expanded

_TAG = "tag:yaml.org,2002:"
ALLOWED_TAGS = {_TAG + name for name in
                ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge")}


class LineDict(dict):
    """A mapping that remembers the line of each key (for ``file:line`` messages)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that qualcode does not accept; carries what to do instead."""

    def __init__(self, problem: str, mark, hint: str) -> None:
        super().__init__(None, None, problem, mark)
        self.hint = hint


_PLAIN = "write plain values, lists and mappings"


class _Bounded:
    """Counts depth and expanded size while composing, and refuses what :mod:`safe_yaml`
    lists, before anything is constructed: the part of the loader that is qualcode's own,
    over either of PyYAML's parsers."""

    line_numbers = False

    def _start(self) -> None:
        self._depth = 0
        self._weight: dict[int, int] = {}  # expanded size of every finished node

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            if id(node) not in self._weight:  # its node is still being composed
                raise _Refused("an alias refers to a node that contains it",
                               event.start_mark, _PLAIN)
            return node
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nested more than {MAX_DEPTH} levels deep",
                               event.start_mark, "flatten the structure")
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if node.tag not in ALLOWED_TAGS:
            raise _Refused(f"the YAML tag '{node.tag.replace(_TAG, '!!')}' is not supported",
                           node.start_mark, _PLAIN)
        self._measure(node)
        return node

    def _measure(self, node) -> None:
        if isinstance(node, yaml.ScalarNode):
            weight = 1 + len(node.value)
        elif isinstance(node, yaml.SequenceNode):
            weight = 1 + sum(self._weight_of(child) for child in node.value)
        else:
            weight = 1 + sum(self._weight_of(k) + self._weight_of(v) for k, v in node.value)
        if weight > MAX_EXPANDED:
            raise _Refused(f"aliases expand this value beyond {MAX_EXPANDED:,} characters",
                           node.start_mark, "write the values out instead of repeating aliases")
        self._weight[id(node)] = weight

    def _weight_of(self, node) -> int:
        return self._weight[id(node)]

    # constructors -------------------------------------------------------------------

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            raise _Refused(f"'{node.value}' is not a real date", node.start_mark,
                           "write an existing date as YYYY-MM-DD") from None

    def construct_yaml_str(self, node):
        value = super().construct_yaml_str(node)
        if strip_controls(value)[1]:
            raise _Refused("control characters in a text value", node.start_mark,
                           "remove the escape (\\x1b, \\f, \\0 …) from the text")
        return value

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep=deep)
        self.flatten_mapping(node)
        mapping = LineDict() if self.line_numbers else {}
        key_lines: dict = {}
        duplicates = []
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise _Refused(f"a key must be a single value, not a {type(key).__name__}",
                               key_node.start_mark, "write the key as plain text") from None
            if key in mapping:
                duplicates.append((key, key_node.start_mark.line + 1))
            key_lines[key] = key_node.start_mark.line + 1
            mapping[key] = self.construct_object(value_node, deep=deep)
        if self.line_numbers:
            mapping.line = node.start_mark.line + 1
            mapping.key_lines = key_lines
            if duplicates:
                key_lines["__duplicates__"] = duplicates
        return mapping

    def construct_yaml_map(self, node):
        yield self.construct_mapping(node, deep=True)


class _BoundedLoader(_Bounded, yaml.SafeLoader):
    """The bounded loader on PyYAML's own parser, in Python: the reference, whose messages
    every problem is told in."""

    def __init__(self, stream: str) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self._start()


class _LineLoader(_BoundedLoader):
    line_numbers = True


_FAST = getattr(yaml, "__with_libyaml__", False)
if _FAST:
    from yaml._yaml import CParser

    class _FastLoader(_Bounded, yaml.composer.Composer, CParser, yaml.constructor.SafeConstructor,
                      yaml.resolver.Resolver):
        """The same loader on libyaml's parser (events read in C, composed and checked by
        the Python above): a front matter in a fifth of the time. It only ever answers
        for a document that loads; any problem is looked at again by the reference."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
            self._start()

    class _FastLineLoader(_FastLoader):
        line_numbers = True

    _LOADERS = [_BoundedLoader, _FastLoader]
else:
    _LOADERS = [_BoundedLoader]

for _loader in _LOADERS:
    _loader.add_constructor(_TAG + "timestamp", _Bounded.construct_yaml_timestamp)
    _loader.add_constructor(_TAG + "str", _Bounded.construct_yaml_str)
    _loader.add_constructor(_TAG + "map", _Bounded.construct_yaml_map)


def load_yaml(text: str, path: str, *, first_line: int = 1, line_numbers: bool = False) -> Any:
    """Load one YAML document within the limits above; every problem is one
    :class:`InputFileError` with ``file:line``. ``line_numbers`` gives :class:`LineDict`
    mappings; ``first_line`` is the file line the text starts on (front matter)."""
    if _FAST:
        fast = (_FastLineLoader if line_numbers else _FastLoader)(text)
        try:
            return fast.get_single_data()
        except Exception:  # noqa: BLE001  told as the reference loader tells it, below
            pass
        finally:
            fast.dispose()
    loader = None
    try:
        loader = (_LineLoader if line_numbers else _BoundedLoader)(text)
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + first_line) if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if isinstance(exc, _Refused):
            raise InputFileError(path, problem, line=line, hint=exc.hint) from None
        if isinstance(exc, ConstructorError):
            raise InputFileError(path, problem, line=line, hint=_PLAIN) from None
        raise InputFileError(path, f"YAML syntax error: {problem}", line=line,
                             hint="fix the YAML (check indentation, colons and quotes)") from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + first_line
        raise InputFileError(path, f"YAML cannot hold the character #x{exc.character:04x}",
                             line=line, hint="delete it (it is invisible in most editors)") \
            from None
    except yaml.YAMLError as exc:
        raise InputFileError(path, f"YAML syntax error: {exc}") from None
    except RecursionError:  # the limits above should make this unreachable
        raise InputFileError(path, "the YAML is nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()
