"""The workspace page's state: what is selected where, the shown dataset's rows, and what a change touched.

One of each per page visit, never module-level. The rows stay here, so sorting and filtering run in Python
(app.services.grid.grid_view) and only a new order of indices goes to the browser.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from nicegui import binding, run

from app.db import Database
from app.services.captions import caption_sets
from app.services.captions.caption_shapes import CaptionSet
from app.services.datasets import dataset_members, datasets
from app.services.datasets.dataset_shapes import Dataset
from app.services.grid.grid_view import GridOptions, apply_view

Row = dict[str, Any]  # a dataset member row as the datasets service returns it (10,000s of them)


@binding.bindable_dataclass
class WorkspaceState:
    """Selected dataset and caption set, the file in the editor and the grid's selection size."""

    dataset_id: str | None = None
    caption_set_id: str | None = None
    file_id: str | None = None
    selected_count: int = 0
    hidden_selected_count: int = 0  # selected, but hidden by the filter
    open_unselected: bool = False  # the editor shows an image outside a selection made on purpose
    shown_count: int = 0
    total_count: int = 0


@dataclass(frozen=True)
class RowsChange:
    """What changed in the shown dataset: the workspace's one refresh path reads it to update rows, grid,
    editor and tags. Build it with the class methods below, one per kind of change."""

    file_ids: frozenset[str] = frozenset()  # rows known to have changed (their tiles repaint)
    patch: dict[str, Row] = field(default_factory=dict)  # new values already known: no re-read
    reread: bool = False  # read the rows again (and repaint those whose caption changed)
    removed: frozenset[str] = frozenset()  # left the dataset
    reload: bool = False  # members added or removed elsewhere: show the dataset afresh
    captions: bool = False  # captions changed in bulk: the view, the open caption and the tags follow
    event: dict[str, Any] | None = None  # one caption's caption_changed payload, for the editor

    @classmethod
    def captions_changed(cls, file_ids: Iterable[str] | None) -> RowsChange:
        """Captions changed in bulk (batch edit, tag rename, undo, another tab's huge batch)."""
        return cls(file_ids=frozenset(file_ids or ()), reread=True, captions=True)

    @classmethod
    def tiles(cls, file_ids: Iterable[str]) -> RowsChange:
        """Captions or flags of these rows changed: re-read them and repaint those tiles."""
        return cls(file_ids=frozenset(file_ids), reread=True)

    @classmethod
    def caption(cls, payload: dict[str, Any]) -> RowsChange:
        """One caption changed (saved here, in another tab, or by a job): its caption_changed payload."""
        fields = {
            "caption_text": payload.get("caption_text"),
            "caption_state": payload.get("caption_state") or "none",
            "caption_modified": payload.get("modified_date"),
        }
        return cls(
            file_ids=frozenset([payload["file_id"]]), patch={payload["file_id"]: fields}, event=payload
        )

    @classmethod
    def patched(cls, changes_by_id: dict[str, Row]) -> RowsChange:
        """These rows changed to values already known (e.g. excluded from exports)."""
        return cls(file_ids=frozenset(changes_by_id), patch=changes_by_id)

    @classmethod
    def rows_removed(cls, file_ids: Iterable[str]) -> RowsChange:
        """These images left the dataset."""
        return cls(removed=frozenset(file_ids))

    @classmethod
    def members(cls) -> RowsChange:
        """Images were added to or removed from the dataset elsewhere."""
        return cls(reload=True)


class GridRows:
    """The shown dataset's rows through its caption set, and the grid's sort and filter options."""

    def __init__(self, options: GridOptions) -> None:
        self.options = options
        self.rows: list[Row] = []

    def view(self) -> list[Row]:
        """The rows as the options sort and filter them (ValueError for a query that does not parse)."""
        return apply_view(self.rows, self.options)

    def has(self, file_id: str) -> bool:
        return any(row["file_id"] == file_id for row in self.rows)

    def replace(self, fresh: list[Row]) -> set[str]:
        """Take freshly read rows; returns the ids whose caption changed since the last read."""
        before = {row["file_id"]: row.get("caption_modified") for row in self.rows}
        self.rows = fresh
        return {row["file_id"] for row in fresh if before.get(row["file_id"]) != row.get("caption_modified")}

    def patch(self, changes_by_id: dict[str, Row]) -> None:
        """Change some rows in place with values already known."""
        for row in self.rows:
            changes = changes_by_id.get(row["file_id"])
            if changes:
                row.update(changes)

    def remove(self, file_ids: Iterable[str]) -> None:
        gone = set(file_ids)
        self.rows = [row for row in self.rows if row["file_id"] not in gone]


class WorkspaceReads:
    """What the workspace reads from the database (off the event loop)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def rows(self, dataset_id: str, caption_set_id: str | None, limit: int | None = None) -> list[Row]:
        """The member rows of a dataset through a caption set (only the first `limit`, when given)."""
        return await run.io_bound(
            partial(dataset_members.list_dataset_files, limit=limit), self.db, dataset_id, caption_set_id
        )

    async def datasets(self) -> list[Dataset]:
        return await run.io_bound(datasets.list_datasets, self.db)

    async def dataset(self, dataset_id: str) -> Dataset:
        return await run.io_bound(datasets.get_dataset, self.db, dataset_id)

    async def caption_sets(self, dataset_id: str) -> list[CaptionSet]:
        return await run.io_bound(caption_sets.list_caption_sets, self.db, dataset_id)
