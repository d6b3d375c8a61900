"""File names are bytes on Linux: names that are not UTF-8 kept losslessly in the database, shown readably.

Python reads such a name with lone surrogates (\\udc80-\\udcff, PEP 383), which SQLite's UTF-8 cannot hold.
In the database each one becomes a plane-16 private-use character (U+10FC80-U+10FCFF, never produced by
decoding a real name in practice) and back again on the way out, so `open()` gets the exact bytes.
"""

from __future__ import annotations

import os

from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

_SHIFT = 0x10FC80 - 0xDC80


def to_stored(path: str) -> str:
    """The database text of a path (lossless)."""
    if path.isascii():
        return path
    return "".join(chr(ord(c) + _SHIFT) if "\udc80" <= c <= "\udcff" else c for c in path)


def from_stored(text: str) -> str:
    """The path again, with the surrogates os functions turn back into the original bytes."""
    if text.isascii():
        return text
    return "".join(chr(ord(c) - _SHIFT) if "\U0010fc80" <= c <= "\U0010fcff" else c for c in text)


def readable(path: str | None) -> str | None:
    """A path as text a person (and JSON) can take: bytes that are not UTF-8 show as U+FFFD."""
    if path is None or path.isascii():
        return path
    return os.fsencode(path).decode("utf-8", "replace")


class FsPath(TypeDecorator):
    """A Text column holding a file system path, non-UTF-8 names included."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else to_stored(value)

    def process_result_value(self, value, dialect):
        return None if value is None else from_stored(value)
