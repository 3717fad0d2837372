"""The query language: codes and attribute conditions combined into one question.

    query     := either ('OR' either)*
    either    := near (('AND' 'NOT'? | 'NOT') near)*
    near      := inside ('NEAR' N inside)*
    inside    := atom ('IN' atom)*
    atom      := '(' query ')' | condition | CODE
    condition := NAME ('=' | '!=' | '<' | '>' | '<=' | '>=') VALUE
               | NAME 'in' '(' VALUE (',' VALUE)* ')'

Operators are written in capitals or lower case, with one exception: a lower-case ``in``
followed by a parenthesised list of values is an attribute's value list
(``rolle in (rektor, radgiver)``), while ``IN`` in capitals always means "inside"
(``LED IN (ORG)``). Values are words, numbers or quoted text ("Nordvik skole").

Pure: it parses text into a tree and knows nothing of a project. Positions are 1-based
columns, so an error can say where it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qualcode.domain.errors import QualcodeError

HELP = "see qualcode query --help"
COMPARISONS = ("!=", "<=", ">=", "=", "<", ">")
KEYWORDS = {"AND", "OR", "NOT", "NEAR", "IN"}


class QuerySyntaxError(QualcodeError):
    """A query that does not parse; ``column`` is where (1-based) it stops making sense."""

    def __init__(self, column: int, reason: str, text: str = "") -> None:
        super().__init__(f"query: at {column}: {reason}", hint=HELP)
        self.column = column
        self.reason = reason
        self.text = text

    def caret(self) -> str:
        """The query with a caret under the column, for a reader who wants to see it."""
        return f"{self.text}\n{' ' * (self.column - 1)}^"


@dataclass(frozen=True)
class Code:
    code_id: str
    column: int


@dataclass(frozen=True)
class Condition:
    name: str
    op: str  # one of COMPARISONS, or "in"
    values: tuple[str, ...]
    column: int


@dataclass(frozen=True)
class Combine:
    op: str  # AND, OR, NOT, NEAR, IN
    left: Node
    right: Node
    column: int
    distance: int = 0  # turns, for NEAR


Node = Code | Condition | Combine


@dataclass(frozen=True)
class Token:
    kind: str  # word, value (quoted or number), op, punct, end
    text: str
    column: int


_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<quoted>"[^"]*"|'[^']*')
  | (?P<op>!=|<=|>=|=|<|>)
  | (?P<punct>[(),])
  | (?P<word>[^\s()",'=!<>]+)
""", re.VERBOSE)


def tokenize(text: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise QuerySyntaxError(pos + 1, f"unexpected {text[pos]!r}", text)
        kind = m.lastgroup
        if kind == "quoted":
            tokens.append(Token("value", m.group()[1:-1], pos + 1))
        elif kind != "space":
            tokens.append(Token(kind, m.group(), pos + 1))
        pos = m.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def fail(self, reason: str, token: Token | None = None) -> QuerySyntaxError:
        return QuerySyntaxError((token or self.tok).column, reason, self.text)

    def keyword(self, *words: str) -> bool:
        return self.tok.kind == "word" and self.tok.text.upper() in words

    def advance(self) -> Token:
        token = self.tok
        self.i += 1
        return token

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise self.fail("the query is empty: expected a code or '('")
        node = self.query()
        if self.tok.kind != "end":
            raise self.fail(f"expected AND, OR, NOT, NEAR or IN, not {self.tok.text!r}")
        return node

    def query(self) -> Node:
        node = self.either()
        while self.keyword("OR"):
            op = self.advance()
            node = Combine("OR", node, self.either(), op.column)
        return node

    def either(self) -> Node:
        node = self.near()
        while self.keyword("AND", "NOT"):
            op = self.advance()
            name = op.text.upper()
            if name == "AND" and self.keyword("NOT"):
                self.advance()
                name = "NOT"
            node = Combine(name, node, self.near(), op.column)
        return node

    def near(self) -> Node:
        node = self.inside()
        while self.keyword("NEAR"):
            op = self.advance()
            if not (self.tok.kind == "word" and self.tok.text.isdigit()):
                raise self.fail("expected a number of turns after NEAR (e.g. NEAR 2)")
            distance = int(self.advance().text)
            node = Combine("NEAR", node, self.inside(), op.column, distance)
        return node

    def inside(self) -> Node:
        node = self.atom()
        while self.keyword("IN"):
            op = self.advance()
            node = Combine("IN", node, self.atom(), op.column)
        return node

    def atom(self) -> Node:
        token = self.tok
        if token.kind == "punct" and token.text == "(":
            self.advance()
            node = self.query()
            if not (self.tok.kind == "punct" and self.tok.text == ")"):
                raise self.fail("expected ')' to close the '(' at " f"{token.column}")
            self.advance()
            return node
        if token.kind != "word" or token.text.upper() in KEYWORDS:
            what = "the end" if token.kind == "end" else repr(token.text)
            raise self.fail(f"expected a code or '(', not {what}")
        after = self.peek()
        if after.kind == "op":
            self.advance()
            op = self.advance().text
            value = self.value()
            return Condition(token.text, op, (value,), token.column)
        if after.kind == "word" and after.text == "in" and self._value_list_follows():
            self.advance()
            self.advance()
            return Condition(token.text, "in", self.values(), token.column)
        self.advance()
        return Code(token.text, token.column)

    def _value_list_follows(self) -> bool:
        """After a lower-case ``in``: "(" then values, and either a comma or a quoted value,
        or one plain value closed at once (``rolle in (rektor)``)."""
        opening, first, then = self.peek(2), self.peek(3), self.peek(4)
        if not (opening.kind == "punct" and opening.text == "("):
            return False
        if first.kind == "value":
            return True
        return (first.kind == "word" and first.text.upper() not in KEYWORDS
                and then.kind == "punct" and then.text in (",", ")"))

    def value(self) -> str:
        token = self.tok
        if token.kind == "value" or (token.kind == "word" and token.text.upper() not in KEYWORDS):
            self.advance()
            return token.text
        what = "the end" if token.kind == "end" else repr(token.text)
        raise self.fail(f"expected a value, not {what}")

    def values(self) -> tuple[str, ...]:
        self.advance()  # "(", checked by _value_list_follows
        found = [self.value()]
        while self.tok.kind == "punct" and self.tok.text == ",":
            self.advance()
            found.append(self.value())
        if not (self.tok.kind == "punct" and self.tok.text == ")"):
            raise self.fail("expected ',' or ')' in the list of values")
        self.advance()
        return tuple(found)


def parse(text: str) -> Node:
    """The tree of a query, or :class:`QuerySyntaxError` saying where it goes wrong."""
    return _Parser(text).parse()


def codes_in(node: Node) -> list[Code]:
    """The codes a query names, left to right."""
    if isinstance(node, Code):
        return [node]
    if isinstance(node, Combine):
        return codes_in(node.left) + codes_in(node.right)
    return []


def conditions_in(node: Node) -> list[Condition]:
    if isinstance(node, Condition):
        return [node]
    if isinstance(node, Combine):
        return conditions_in(node.left) + conditions_in(node.right)
    return []


def describe(node: Node) -> str:
    """The query written back in one canonical form (saved queries and the report show
    it), with parentheses wherever an operator nests."""
    if isinstance(node, Code):
        return node.code_id
    if isinstance(node, Condition):
        shown = [_quote(v) for v in node.values]
        if node.op == "in":
            return f"{node.name} in ({', '.join(shown)})"
        return f"{node.name} {node.op} {shown[0]}"

    def part(child: Node) -> str:
        text = describe(child)
        return f"({text})" if isinstance(child, Combine) else text

    op = f"NEAR {node.distance}" if node.op == "NEAR" else node.op
    return f"{part(node.left)} {op} {part(node.right)}"


def _quote(value: str) -> str:
    if re.fullmatch(r"""[^\s()",'=!<>]+""", value) and value.upper() not in KEYWORDS:
        return value
    return f'"{value}"'
