"""The filter language evaluated one row at a time: the AST as nested closures over a RowView.

This is the reference meaning of every condition (app/services/grid/query.py describes the language);
query_columns evaluates whole lists of rows faster and must give the same answers.
"""

from __future__ import annotations

import fnmatch
import operator
import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from app.services.buckets import nearest_bucket
from app.services.crop_box import cropped_size
from app.services.grid.query_syntax import And, Compare, Field, Keyword, Node, Not, Or, Text
from app.services.tokens import clip_token_count

Row = dict[str, Any]

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
}


class RowView:
    """One row with the derived values the query needs, each computed at most once."""

    __slots__ = ("row", "_caption", "_caption_lower", "_name_lower", "_folder_lower", "_tags", "_flags")

    def __init__(self, row: Row) -> None:
        self.row = row
        self._caption: str | None = None
        self._caption_lower: str | None = None
        self._name_lower: str | None = None
        self._folder_lower: str | None = None
        self._tags: frozenset[str] | None = None
        self._flags: list[str] | None = None

    def caption(self) -> str:
        if self._caption is None:
            self._caption = self.row.get("caption_text") or ""
        return self._caption

    def caption_lower(self) -> str:
        if self._caption_lower is None:
            self._caption_lower = self.caption().lower()
        return self._caption_lower

    def name_lower(self) -> str:
        if self._name_lower is None:
            self._name_lower = (self.row.get("filename") or "").lower()
        return self._name_lower

    def folder_lower(self) -> str:
        if self._folder_lower is None:
            parts = [self.row.get("folder_name") or "", os.path.dirname(self.row.get("file_path") or "")]
            self._folder_lower = "\n".join(parts).lower()
        return self._folder_lower

    def tags(self) -> frozenset[str]:
        if self._tags is None:
            self._tags = tag_set(self.caption_lower())
        return self._tags

    def flags(self) -> list[str]:
        if self._flags is None:
            self._flags = [str(flag).lower() for flag in self.row.get("quality_flags") or []]
        return self._flags

    def number(self, name: str) -> float | None:
        if name == "quality":
            return self.row.get("quality_score")
        if name == "tokens":
            return clip_token_count(self.caption())
        if name == "chars":
            return len(self.caption())
        if name == "duration":
            return self.row.get("duration_seconds")
        if name == "frames":
            return self.row.get("frame_count")
        return self.row.get(name)  # width, height, fps


@lru_cache(maxsize=1 << 18)  # every filter pass over a big dataset splits the same captions again
def tag_set(caption_lower: str) -> frozenset[str]:
    return frozenset(part.strip() for part in caption_lower.split(",")) - {""}  # = split_tags, lower


Test = Callable[[RowView], bool]


def compile_test(node: Node) -> Test:
    """The AST as nested closures: the tree is walked once per query, not once per row."""
    if isinstance(node, (And, Or)):
        return (
            _all([compile_test(item) for item in node.items])
            if isinstance(node, And)
            else _any([compile_test(item) for item in node.items])
        )
    if isinstance(node, Not):
        inner = compile_test(node.item)
        return lambda view: not inner(view)
    if isinstance(node, Text):
        needle = node.value.lower()
        return lambda view: needle in view.caption_lower() or needle in view.name_lower()
    if isinstance(node, Field):
        return _field_test(node.name, node.value.lower())
    if isinstance(node, Compare):
        compare, name, number = OPERATORS[node.op], node.name, node.number
        if name == "fps" and node.op == "=" and number.is_integer():
            compare = same_rate

        def test(view: RowView) -> bool:
            value = view.number(name)
            return value is not None and compare(value, number)

        return test
    return _keyword_test(node)


def same_rate(value: float, number: float) -> bool:
    """fps=30 is 30 and 29.97 (30000/1001); fps=24 is 24 and 23.976."""
    return abs(value - number) < 0.05 or abs(value - number * 1000 / 1001) < 0.01


def _all(tests: list[Test]) -> Test:
    def test(view: RowView) -> bool:
        for item in tests:  # noqa: SIM110  (a plain loop: all() with a generator costs 2x per row)
            if not item(view):
                return False
        return True

    return test


def _any(tests: list[Test]) -> Test:
    def test(view: RowView) -> bool:
        for item in tests:  # noqa: SIM110
            if item(view):
                return True
        return False

    return test


def _field_test(name: str, value: str) -> Test:
    if name == "tag":
        if "*" in value or "?" in value:
            return lambda view: any(fnmatch.fnmatchcase(tag, value) for tag in view.tags())
        return lambda view: value in view.tags()
    if name == "caption":
        return lambda view: value in view.caption_lower()
    if name == "name":
        return lambda view: value in view.name_lower()
    if name == "folder":
        return lambda view: value in view.folder_lower() or value == (view.row.get("folder_id") or "").lower()
    if name == "bucket":  # the SDXL aspect bucket, e.g. bucket:832x1216
        return lambda view: _bucket(view.row) == value
    return lambda view: value in view.flags()  # flag


def _bucket(row: dict) -> str | None:
    """The bucket of the image as exported (after the member's crop), as the health chart counts it."""
    width, height = row.get("width"), row.get("height")
    if not width or not height:
        return None
    return nearest_bucket(*cropped_size(width, height, row.get("crop")))


def _keyword_test(node: Keyword) -> Test:
    if node.name == "uncaptioned":
        return lambda view: not view.caption().strip()
    if node.name == "captioned":
        return lambda view: bool(view.caption().strip())
    if node.name == "excluded":
        return lambda view: bool(view.row.get("excluded"))
    state = node.name  # edited, generated, imported
    return lambda view: (view.row.get("caption_state") or "none") == state
