"""The grid's filter language, evaluated over `datasets.list_dataset_files` rows.

    tag:smile  -tag:hat  caption:"red dress"  name:IMG_  folder:shoot1  flag:blurry
    quality<0.5  tokens>75  chars>200  width>=1024  uncaptioned  edited  red dress
    (tag:smile OR tag:grin) AND NOT flag:blurry

Bare words and quoted phrases search the caption and the file name. Text matching ignores case.
`tag:` matches one comma-separated part of the caption exactly (`*` is a wildcard: `tag:red*`).
`tokens` is the CLIP token count without the start/end tokens (see app/services/tokens.py).
A row with no quality score never satisfies a quality comparison.
"""

from __future__ import annotations

import fnmatch
import operator
import os
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any

from app.services.caption_transforms import split_tags
from app.services.query_syntax import (
    And,
    Compare,
    Field,
    Keyword,
    Node,
    Not,
    Or,
    QueryError,
    Text,
    format_query,
    parse_query,
)
from app.services.tokens import clip_token_count

__all__ = ["QueryError", "compile_query", "filter_rows", "format_query", "parse_query", "query_error"]

Row = dict[str, Any]

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
}


def compile_query(text: str | None) -> Callable[[Row], bool]:
    """A predicate over grid rows for the query text; an empty query matches every row. Raises QueryError."""
    node = parse_query(text or "")
    if node is None:
        return lambda row: True
    return lambda row: _matches(node, _RowView(row))


def filter_rows(rows: Iterable[Row], text: str | None) -> list[Row]:
    """The rows that match the query, in their order. Raises QueryError."""
    predicate = compile_query(text)
    return [row for row in rows if predicate(row)]


def query_error(text: str | None) -> QueryError | None:
    """The error a query would raise, or None when it is valid (for inline feedback under a search box)."""
    try:
        parse_query(text or "")
    except QueryError as error:
        return error
    return None


class _RowView:
    """One row with the derived values the query needs, each computed at most once."""

    def __init__(self, row: Row) -> None:
        self.row = row

    @cached_property
    def caption(self) -> str:
        return self.row.get("caption_text") or ""

    @cached_property
    def caption_lower(self) -> str:
        return self.caption.lower()

    @cached_property
    def name_lower(self) -> str:
        return (self.row.get("filename") or "").lower()

    @cached_property
    def folder_lower(self) -> str:
        parts = [self.row.get("folder_name") or "", os.path.dirname(self.row.get("file_path") or "")]
        return "\n".join(parts).lower()

    @cached_property
    def tags(self) -> list[str]:
        return [tag.lower() for tag in split_tags(self.caption)]

    @cached_property
    def flags(self) -> list[str]:
        return [str(flag).lower() for flag in self.row.get("quality_flags") or []]

    def number(self, name: str) -> float | None:
        if name == "quality":
            return self.row.get("quality_score")
        if name == "tokens":
            return clip_token_count(self.caption)
        if name == "chars":
            return len(self.caption)
        return self.row.get(name)  # width, height


def _matches(node: Node, view: _RowView) -> bool:
    if isinstance(node, And):
        return all(_matches(item, view) for item in node.items)
    if isinstance(node, Or):
        return any(_matches(item, view) for item in node.items)
    if isinstance(node, Not):
        return not _matches(node.item, view)
    if isinstance(node, Text):
        needle = node.value.lower()
        return needle in view.caption_lower or needle in view.name_lower
    if isinstance(node, Field):
        return _field_matches(node.name, node.value.lower(), view)
    if isinstance(node, Compare):
        value = view.number(node.name)
        return value is not None and _OPERATORS[node.op](value, node.number)
    return _keyword_matches(node, view)


def _field_matches(name: str, value: str, view: _RowView) -> bool:
    if name == "tag":
        if "*" in value or "?" in value:
            return any(fnmatch.fnmatchcase(tag, value) for tag in view.tags)
        return value in view.tags
    if name == "caption":
        return value in view.caption_lower
    if name == "name":
        return value in view.name_lower
    if name == "folder":
        return value in view.folder_lower or value == (view.row.get("folder_id") or "").lower()
    return value in view.flags  # flag


def _keyword_matches(node: Keyword, view: _RowView) -> bool:
    state = view.row.get("caption_state") or "none"
    if node.name == "uncaptioned":
        return not view.caption.strip()
    if node.name == "captioned":
        return bool(view.caption.strip())
    if node.name == "excluded":
        return bool(view.row.get("excluded"))
    return state == node.name  # edited, generated, imported
