"""What the image grid shows: filter and sort a dataset's rows (from datasets.list_dataset_files) in Python.

Pure functions over plain row dicts, so a 10,000-row dataset is filtered and sorted in a few milliseconds
without touching the database again; the filter language (app.services.grid.query) runs a column at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.services.grid.query import filter_rows as query_filter_rows

Row = dict[str, Any]

SORTS: dict[str, str] = {
    "order": "Dataset order",
    "name": "Name",
    "date": "Date added",
    "quality": "Quality",
    "caption_length": "Caption length",
    "size": "File size",
}
SHOWS: dict[str, str] = {
    "all": "All images",
    "uncaptioned": "Uncaptioned",
    "captioned": "Captioned",
    "edited": "Edited by hand",
    "flagged": "Flagged",
    "excluded": "Excluded",
}
CAPTION_STATES = ("none", "imported", "generated", "edited")


@dataclass
class GridOptions:
    """The grid's current view: one `show` choice, an optional quality ceiling and a text search."""

    sort: str = "order"
    descending: bool = False
    show: str = "all"
    quality_below: float | None = None  # 0..1; rows without a measured quality are kept
    search: str = ""
    # The filter language (app.services.grid.query); a bad query raises QueryError (a ValueError).
    query: str = ""


def apply_view(rows: Iterable[Row], options: GridOptions) -> list[Row]:
    """The rows the grid shows, filtered and sorted as `options` say."""
    return sort_rows(filter_rows(rows, options), options)


def filter_rows(rows: Iterable[Row], options: GridOptions) -> list[Row]:
    """Rows matching the `show` choice, the quality ceiling and every word of the search (name or caption)."""
    if options.show not in SHOWS:
        raise ValueError(f"Unknown filter {options.show!r}; choose one of {', '.join(SHOWS)}")
    keep_show = _SHOW_TESTS[options.show]
    words = options.search.casefold().split()
    ceiling = options.quality_below
    rows = query_filter_rows(rows, options.query)  # a bad query raises QueryError here
    if options.show == "all" and ceiling is None and not words:
        return rows  # nothing else to test: 100,000 rows through three no-op checks cost ~60 ms
    result = []
    for row in rows:
        if not keep_show(row):
            continue
        score = row.get("quality_score")
        if ceiling is not None and score is not None and score >= ceiling:
            continue
        if words and not _matches_words(row, words):
            continue
        result.append(row)
    return result


def sort_rows(rows: list[Row], options: GridOptions) -> list[Row]:
    """Rows in the order the `sort` option names; ties and missing values keep the dataset order."""
    if options.sort not in SORTS:
        raise ValueError(f"Unknown sort {options.sort!r}; choose one of {', '.join(SORTS)}")
    key = _SORT_KEYS[options.sort]
    values = [key(row) for row in rows]  # each key once (100,000 rows: the key calls were most of the time)
    present = [index for index, value in enumerate(values) if value is not None]
    missing = [index for index, value in enumerate(values) if value is None]
    present.sort(key=values.__getitem__, reverse=options.descending)  # stable, reversed too
    return [rows[index] for index in present + missing]  # rows without a value (no quality yet) go last


def caption_length(row: Row) -> int:
    """Characters in the row's caption in the current set (0 without one)."""
    return len(row.get("caption_text") or "")


def _matches_words(row: Row, words: list[str]) -> bool:
    haystack = f"{row.get('filename') or ''}\n{row.get('caption_text') or ''}".casefold()
    return all(word in haystack for word in words)


def _has_caption(row: Row) -> bool:
    return bool((row.get("caption_text") or "").strip())


def _date_key(row: Row) -> str | None:
    value = row.get("date_added")
    if value is None:
        return None
    return value.isoformat() if isinstance(value, datetime) else str(value)


_SHOW_TESTS: dict[str, Callable[[Row], bool]] = {
    "all": lambda row: True,
    "uncaptioned": lambda row: not _has_caption(row),
    "captioned": _has_caption,
    "edited": lambda row: row.get("caption_state") == "edited",
    "flagged": lambda row: bool(row.get("quality_flags")),
    "excluded": lambda row: bool(row.get("excluded")),
}
_SORT_KEYS: dict[str, Callable[[Row], Any]] = {
    "order": lambda row: row.get("order_index") if row.get("order_index") is not None else 0,
    "name": lambda row: (row.get("filename") or "").casefold(),
    "date": _date_key,
    "quality": lambda row: row.get("quality_score"),
    "caption_length": caption_length,
    "size": lambda row: row.get("file_size_mb"),
}
