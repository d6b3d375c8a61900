"""The grid filter language: a hand-written recursive-descent parser (tokens from query_tokens) into an AST.

Grammar (AND binds tighter than OR; juxtaposition is AND; operators are upper case):
    query    := [or_expr] EOF
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := not_expr (["AND"] not_expr)*
    not_expr := ("NOT" | "-") not_expr | atom
    atom     := "(" or_expr ")" | WORD ":" value | WORD op NUMBER | keyword | WORD | STRING
`format_query` writes an AST back as text that parses to the same AST.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from app.services.grid.query_tokens import RESERVED, QueryError, Token, is_bare_word, tokenize

TEXT_FIELDS = ("tag", "caption", "name", "folder", "flag", "bucket")
NUMBER_FIELDS = ("quality", "tokens", "chars", "width", "height", "duration", "fps", "frames")
# Number fields that also take `name:N`, read as `name=N` (fps:24 is the natural way to ask for a rate).
COLON_NUMBER_FIELDS = ("fps", "frames", "duration")
KEYWORDS = ("uncaptioned", "captioned", "edited", "generated", "imported", "excluded")
OPERATORS = ("<=", ">=", "<", ">", "=")
MAX_DEPTH = 64  # nesting of parentheses and NOTs; deeper input is refused, not a RecursionError


@dataclass(frozen=True)
class Text:
    """A bare word or quoted phrase: matches the caption or the file name."""

    value: str


@dataclass(frozen=True)
class Field:
    """`name:value` on a text field (tag, caption, name, folder, flag)."""

    name: str
    value: str


@dataclass(frozen=True)
class Compare:
    """`name<op>number` on a number field (quality, tokens, chars, width, height)."""

    name: str
    op: str
    number: float


@dataclass(frozen=True)
class Keyword:
    """A state word such as `uncaptioned` or `edited`."""

    name: str


@dataclass(frozen=True)
class Not:
    item: Node


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


Node = Text | Field | Compare | Keyword | Not | And | Or


def parse_query(text: str) -> Node | None:
    """Parse a query into its AST; None for an empty query (matches everything). Raises QueryError."""
    return _Parser(tokenize(text)).parse()


def format_query(node: Node | None) -> str:
    """Write an AST as query text; `parse_query(format_query(n)) == n` for every AST the parser makes."""
    if node is None:
        return ""
    if isinstance(node, Text):
        return _format_value(node.value, bare_ok=not _is_reserved_word(node.value))
    if isinstance(node, Field):
        return f"{node.name}:{_format_value(node.value, bare_ok=True)}"
    if isinstance(node, Compare):
        return f"{node.name}{node.op}{_format_number(node.number)}"
    if isinstance(node, Keyword):
        return node.name
    if isinstance(node, Not):
        return f"NOT {_format_child(node.item)}"
    joiner = " " if isinstance(node, And) else " OR "
    return joiner.join(_format_child(item) for item in node.items)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    def parse(self) -> Node | None:
        if self._peek().kind == "end":
            return None
        node = self._or_expr()
        token = self._peek()
        if token.kind == "rparen":
            raise QueryError("This ')' has no matching '('", token.position)
        if token.kind != "end":  # pragma: no cover - every other token starts an AND term
            raise QueryError(f"Unexpected '{token.text}'", token.position)
        return node

    def _or_expr(self) -> Node:
        items = [self._and_expr()]
        while self._is_operator("OR"):
            self._advance()
            items.append(self._and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def _and_expr(self) -> Node:
        items = [self._not_expr()]
        while True:
            if self._is_operator("AND"):
                self._advance()
            elif not self._starts_operand():
                break
            items.append(self._not_expr())
        return items[0] if len(items) == 1 else And(tuple(items))

    def _not_expr(self) -> Node:
        token = self._peek()
        if token.kind == "minus" or self._is_operator("NOT"):
            self._advance()
            self._enter(token)
            item = self._not_expr()
            self.depth -= 1
            return Not(item)
        return self._atom()

    def _atom(self) -> Node:
        token = self._advance()
        if token.kind == "lparen":
            if self._peek().kind == "rparen":
                raise QueryError("Empty parentheses: put a condition inside", token.position)
            self._enter(token)
            node = self._or_expr()
            self.depth -= 1
            if self._peek().kind != "rparen":
                raise QueryError("This '(' is never closed: add ')'", token.position)
            self._advance()
            return node
        if token.kind == "string":
            return Text(token.text)
        if token.kind == "word":
            if token.text in RESERVED:
                raise QueryError(f"'{token.text}' needs a condition on both sides", token.position)
            return self._word(token)
        if token.kind == "end":
            raise QueryError("The query ends too early: a condition is missing", token.position)
        if token.kind == "rparen":
            raise QueryError("This ')' has no matching '('", token.position)
        raise QueryError(f"Unexpected '{token.text}': put a field name before it", token.position)

    def _word(self, token: Token) -> Node:
        name = token.text.lower()
        follower = self._peek()
        if follower.kind == "colon":
            return self._field(name, token)
        if follower.kind == "op":
            return self._compare(name, token)
        if name in KEYWORDS:
            return Keyword(name)
        return Text(token.text)

    def _field(self, name: str, token: Token) -> Node:
        if name in COLON_NUMBER_FIELDS:
            return self._compare(name, token)
        colon = self._advance()
        if name not in TEXT_FIELDS:
            hint = f"; write {name}>N, {name}<N or {name}=N" if name in NUMBER_FIELDS else ""
            raise QueryError(
                f"Unknown field '{token.text}'; fields are {', '.join(TEXT_FIELDS)}{hint}"
                " (quote text that contains ':')",
                token.position,
            )
        value = self._advance()
        if value.kind not in ("word", "string"):
            raise QueryError(f"'{name}:' needs a value, e.g. {name}:something", colon.position)
        return Field(name, value.text)

    def _compare(self, name: str, token: Token) -> Node:
        op = self._advance()
        if name not in NUMBER_FIELDS:
            raise QueryError(
                f"'{token.text}' cannot be compared; comparable fields are {', '.join(NUMBER_FIELDS)}",
                token.position,
            )
        value = self._advance()
        number = _to_number(value.text) if value.kind == "word" else None
        if number is None:
            raise QueryError(f"'{name}{op.text}' needs a number, e.g. {name}{op.text}0.5", op.position)
        return Compare(name, "=" if op.kind == "colon" else op.text, number)

    def _starts_operand(self) -> bool:
        token = self._peek()
        if token.kind in ("word", "string", "lparen", "minus", "colon", "op"):
            return not self._is_operator("OR")
        return False

    def _is_operator(self, word: str) -> bool:
        token = self._peek()
        return token.kind == "word" and token.text == word

    def _enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError(f"The query nests deeper than {MAX_DEPTH} levels", token.position)

    def _peek(self) -> Token:
        return self.tokens[self.index]

    def _advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token


def _to_number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _is_reserved_word(value: str) -> bool:
    return value.lower() in KEYWORDS


def _format_value(value: str, *, bare_ok: bool) -> str:
    if bare_ok and is_bare_word(value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _format_number(number: float) -> str:
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def _format_child(node: Node) -> str:
    text = format_query(node)
    return f"({text})" if isinstance(node, (And, Or)) else text
