"""The grid's filter language, evaluated over `datasets.list_dataset_files` rows.

    tag:smile  -tag:hat  caption:"red dress"  name:IMG_  folder:shoot1  flag:blurry
    quality<0.5  tokens>75  chars>200  width>=1024  uncaptioned  edited  red dress
    duration>2.5  fps:24  frames<81      (videos; an image has none of these, so never matches them)
    (tag:smile OR tag:grin) AND NOT flag:blurry

Bare words and quoted phrases search the caption and the file name. Text matching ignores case.
`tag:` matches one comma-separated part of the caption exactly (`*` is a wildcard: `tag:red*`).
`tokens` is the CLIP token count without the start/end tokens (see app/services/tokens.py).
A row with no quality score never satisfies a quality comparison. `fps=N` (or `fps:N`) with a whole N also
matches the NTSC rates near it (fps:30 finds 29.97).

`filter_rows` evaluates a whole list a condition at a time (query_columns); `compile_query` gives the
one-row predicate (query_rows), the reference both must agree with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar, cast

from app.services.grid.query_columns import matching_rows
from app.services.grid.query_rows import RowView, compile_test
from app.services.grid.query_syntax import QueryError, format_query, parse_query

__all__ = ["QueryError", "compile_query", "filter_rows", "format_query", "parse_query", "query_error"]

Row = dict[str, Any]
AnyRow = TypeVar("AnyRow", bound=Mapping[str, Any])  # a member row of any typed shape


def compile_query(text: str | None) -> Callable[[Row], bool]:
    """A predicate over grid rows for the query text; an empty query matches every row. Raises QueryError."""
    node = parse_query(text or "")
    if node is None:
        return lambda row: True
    test = compile_test(node)
    return lambda row: test(RowView(row))


def filter_rows(rows: Iterable[AnyRow], text: str | None) -> list[AnyRow]:
    """The rows that match the query, in their order (a whole column at a time). Raises QueryError."""
    node = parse_query(text or "")
    listed = list(rows)
    return listed if node is None else cast(list[AnyRow], matching_rows(cast(list[Row], listed), node))


def query_error(text: str | None) -> QueryError | None:
    """The error a query would raise, or None when it is valid (for inline feedback under a search box)."""
    try:
        parse_query(text or "")
    except QueryError as error:
        return error
    return None
