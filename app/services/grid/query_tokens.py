"""The filter language's tokenizer: words, quoted strings, parentheses, a leading minus, ':' and comparisons.

A '-' is a minus (negation) only where a term starts (after a space, '(' or another minus) and a term
follows; elsewhere it is part of a word ("close-up", "quality>-1").
"""

from __future__ import annotations

from dataclasses import dataclass

SPECIAL = '()":<>='  # characters that end a word
RESERVED = ("AND", "OR", "NOT")  # operators, upper case only: "and" stays a word to search for


class QueryError(ValueError):
    """A query that cannot be parsed: `message` says why in plain words, `position` is the 0-based offset."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at character {position + 1})")
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Token:
    kind: str  # word | string | lparen | rparen | minus | colon | op | end
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    """Split a query into tokens; the last one is always an `end` token. Raises QueryError."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(Token("lparen" if char == "(" else "rparen", char, i))
            i += 1
        elif char == '"':
            value, i = _read_string(text, i)
            tokens.append(value)
        elif char == ":":
            tokens.append(Token("colon", char, i))
            i += 1
        elif char in "<>=":
            op = text[i : i + 2] if text[i : i + 2] in ("<=", ">=") else char
            tokens.append(Token("op", op, i))
            i += len(op)
        elif char == "-" and _starts_term(text, i, tokens) and i + 1 < n and _is_term_start(text[i + 1]):
            tokens.append(Token("minus", char, i))
            i += 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in SPECIAL:
                i += 1
            tokens.append(Token("word", text[start:i], start))
    tokens.append(Token("end", "", n))
    return tokens


def is_bare_word(value: str) -> bool:
    """True when `value` reads back as one word token (no quoting needed)."""
    return (
        bool(value)
        and value[0] != "-"
        and not any(c.isspace() or c in SPECIAL for c in value)
        and value not in RESERVED
    )


def _read_string(text: str, start: int) -> tuple[Token, int]:
    chars: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            chars.append(text[i + 1])
            i += 2
        elif char == '"':
            return Token("string", "".join(chars), start), i + 1
        else:
            chars.append(char)
            i += 1
    raise QueryError('This quote is never closed: add a closing "', start)


def _starts_term(text: str, i: int, tokens: list[Token]) -> bool:
    after_minus = bool(tokens) and tokens[-1].kind == "minus" and tokens[-1].position == i - 1
    return i == 0 or text[i - 1].isspace() or text[i - 1] == "(" or after_minus


def _is_term_start(char: str) -> bool:
    return not char.isspace() and char not in ")"
