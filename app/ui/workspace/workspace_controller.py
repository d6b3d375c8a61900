"""The workspace's center and right columns and how they work together: grid, toolbar, selection, editor.

State (what is selected, the rows) is in workspace_state, the editor's side in workspace_editor, the
toolbar's dialogs in workspace_actions. Every change to the shown rows, made here, in another tab or by a
job, goes through `refresh(RowsChange)`: rows cache, then grid, view, editor and tags.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from nicegui import background_tasks, ui

from app.container import AppServices
from app.errors import CaptionForgeError
from app.services.captions import captions
from app.services.grid.grid_view import GridOptions
from app.ui.count_refresh import counts
from app.ui.datasets.folder_to_dataset import EmptyDatasetActions
from app.ui.workspace.caption_tools.batch_preview import GridScope
from app.ui.workspace.caption_tools.workspace_caption_tools import WorkspaceCaptionTools
from app.ui.workspace.grid.first_screen import first_screen_limit, is_first_screen, load_the_rest
from app.ui.workspace.grid.grid_actions import FilesHandler, SelectionBar
from app.ui.workspace.grid.grid_toolbar import GridToolbar
from app.ui.workspace.grid.thumb_grid import ThumbGrid
from app.ui.workspace.preferences import preference, remember, remembered_sort
from app.ui.workspace.workspace_actions import WorkspaceActions
from app.ui.workspace.workspace_editor import WorkspaceEditor
from app.ui.workspace.workspace_state import GridRows, Row, RowsChange, WorkspaceReads, WorkspaceState

DEFAULT_TILE_SIZE = 160
TAG_PANEL_DELAY = 1.5  # seconds
NO_DATASET = "Select a dataset on the left to see its images here."
Shown = tuple[list[dict[str, Any]], dict[str, Any] | None, str | None, list[Row]]  # datasets, one, set, rows


class WorkspaceController:
    """One per page visit. `select(dataset_id, caption_set_id)` is what the datasets panel calls."""

    def __init__(
        self,
        services: AppServices,
        state: WorkspaceState,
        on_caption_selection: FilesHandler | None = None,
        on_editor_shown: Callable[[bool], None] | None = None,
    ) -> None:
        """on_editor_shown(bool): an image opened or the editor closed (tablets slide the editor panel)."""
        self.services, self.state = services, state
        self.reads = WorkspaceReads(services.db)
        self._on_editor_shown = on_editor_shown or (lambda shown: None)
        self.rows = GridRows(GridOptions(**remembered_sort()))
        self._on_caption_selection = on_caption_selection
        self.caption_tools = WorkspaceCaptionTools(
            services.db,
            scope=self.grid_scope,
            on_changed=self.captions_changed,
            dataset_id=lambda: self.state.dataset_id,
            caption_set_id=lambda: self.state.caption_set_id,
        )
        self.actions = WorkspaceActions(
            services,
            state,
            on_rows_changed=self.refresh_rows,
            on_query=lambda text: self.toolbar.set_query(text),
        )

    # ---- building ----
    def build_center(self) -> None:
        """The grid column: toolbar, selection bar, the grid (or the empty-state hint)."""
        tile_size = int(preference("tile_size", DEFAULT_TILE_SIZE))
        self.toolbar = GridToolbar(
            self.rows.options,
            on_dataset=lambda dataset_id: self.select(dataset_id),
            on_caption_set=self.select_caption_set,
            on_view_change=self.apply_view,
            on_tile_size=self._set_tile_size,
            tile_size=tile_size,
            actions=self.actions.buttons(),
        )
        selection_slot = ui.element("div").classes("w-full")
        self.grid_empty = ui.label(NO_DATASET).classes("text-gray-500").mark("grid-empty")
        self.empty_actions = EmptyDatasetActions(self.services, self._shown_dataset, self._reselect)
        self.empty_actions.set_visibility(False)
        self.grid = ThumbGrid(
            tile_size=tile_size,
            on_open=lambda file_id: self.editor.open_file(file_id),
            on_selection_change=self._selection_changed,
        )
        self.grid.classes("w-full").mark("thumb-grid")
        with selection_slot:
            self.selection_bar = SelectionBar(
                self.grid,
                self.state,
                db=self.services.db,
                on_removed=lambda file_ids: self.refresh(RowsChange.rows_removed(file_ids)),
                on_rows_changed=self.refresh_rows,
                on_rows_patched=lambda changes: self.refresh(RowsChange.patched(changes)),
                on_caption_selection=self._on_caption_selection,
            )
        self.caption_tools.build_menu(self.selection_bar, self.toolbar)

    def build_right(self) -> None:
        """The editor column, with the tag panel under it."""
        self.editor = WorkspaceEditor(
            self.services,
            self.state,
            self.grid,
            on_shown=self._on_editor_shown,
            on_saved=self._caption_saved,
            on_selection_changed=self._selection_changed,
        )
        self.editor.build()
        self.caption_tools.build_tag_panel(self.toolbar)

    def subscribe(self) -> None:
        """Live updates from other tabs and jobs; dropped with this page's client."""
        events = self.services.events
        events.caption_changed.subscribe(self._caption_changed)
        events.datasets_changed.subscribe(self._datasets_changed)
        events.scan_progress.subscribe(self.editor.caption_editor.scan_progress)
        # The caption-set choice shows counts too: it follows the page's one count path (count_refresh).
        self._counts = counts(events)
        self._counts.follow(self._refresh_set_counts)
        ui.context.client.on_disconnect(self.editor.save_on_close)

    # ---- what the grid shows ----
    def prefetch(self, dataset_id: str | None, caption_set_id: str | None) -> None:
        """While the browser starts up, read the dataset from the URL (else the one used last)."""
        remembered = preference("workspace", {}) or {}
        wanted = (
            dataset_id or remembered.get("dataset_id"),
            caption_set_id or remembered.get("caption_set_id"),
        )
        self._prefetched = background_tasks.create(self._read(*wanted), name="workspace prefetch")

    async def start(self) -> None:
        """Show what `prefetch` read (once the page is connected)."""
        await self._show(await self._prefetched)

    async def select(self, dataset_id: str | None, caption_set_id: str | None = None) -> None:
        """Show a dataset through one of its caption sets (its default, else the first, when not given)."""
        if not await self.editor.leave():
            self.toolbar.show_datasets(await self.reads.datasets(), self.state.dataset_id)
            return
        await self._show(await self._read(dataset_id, caption_set_id))

    async def _read(self, dataset_id: str | None, caption_set_id: str | None) -> Shown:
        all_datasets = await self.reads.datasets()
        dataset = next((d for d in all_datasets if d.id == dataset_id), None)
        if dataset is None:
            return all_datasets, None, None, []
        set_ids = [s.id for s in dataset.caption_sets]
        if caption_set_id not in set_ids:
            default = dataset.default_caption_set_id
            caption_set_id = default if default in set_ids else (set_ids[0] if set_ids else None)
        limit = first_screen_limit(self.rows.options)  # the rest follows the first screen (load_the_rest)
        return all_datasets, dataset, caption_set_id, await self.reads.rows(dataset.id, caption_set_id, limit)

    async def _show(self, shown: Shown) -> None:
        all_datasets, dataset, caption_set_id, rows = shown
        self.toolbar.show_datasets(all_datasets, dataset.id if dataset else None)
        self.editor.clear()
        self._on_editor_shown(False)
        if dataset is None:
            self._show_nothing()
            return
        self.toolbar.show_caption_sets(dataset.caption_sets, caption_set_id)
        self.state.dataset_id, self.state.caption_set_id = dataset.id, caption_set_id
        remember("workspace", {"dataset_id": dataset.id, "caption_set_id": caption_set_id})
        await self.load_rows(rows)

    async def select_caption_set(self, caption_set_id: str | None) -> None:
        """Show the same dataset through another caption set; the editor follows with the same image."""
        if caption_set_id == self.state.caption_set_id:
            return  # putting the choice back after "Stay" is not a new choice
        file_id = self.state.file_id
        if not await self.editor.leave():
            self.toolbar.set_select.value = self.state.caption_set_id
            return
        self.state.caption_set_id = caption_set_id
        remember("workspace", {"dataset_id": self.state.dataset_id, "caption_set_id": caption_set_id})
        await self.load_rows()
        self.editor.clear()
        if file_id and caption_set_id and self.rows.has(file_id):
            await self.editor.open_file(file_id)

    async def apply_view(self) -> None:
        """Sort and filter the rows as the toolbar says and send the new order."""
        try:
            view = self.rows.view()
        except ValueError as exc:
            ui.notify(str(exc), type="negative")
            return
        options = self.rows.options
        self.grid.set_order([row["file_id"] for row in view])
        remember("grid_sort", {"sort": options.sort, "descending": options.descending})
        self._selection_changed()
        self.state.shown_count = len(view)
        self.toolbar.show_count(len(view), len(self.rows.rows))

    def grid_scope(self) -> GridScope | None:
        """What the grid holds now, for the caption tools (None without a caption set)."""
        if not self.state.caption_set_id:
            return None
        return GridScope(
            self.state.caption_set_id,
            selected_ids=list(self.grid.selected_ids),
            shown_ids=list(self.grid.order),
            query=self.rows.options.query,
        )

    # ---- the one refresh path ----
    async def refresh(self, change: RowsChange) -> None:
        """Every change to the shown rows (made here, in another tab, or by a job) comes through here:
        the rows cache first, then the grid's tiles and view, the editor, and the tags."""
        if self.state.dataset_id is None:
            return
        if change.reload:
            await self.load_rows()
            return
        changed = set(change.file_ids)
        if change.removed:
            self.rows.remove(change.removed)
            self.grid.remove_rows(change.removed)
            self.state.total_count = len(self.rows.rows)
        if change.patch:
            self.rows.patch(change.patch)
            self.grid.update_rows(change.patch)
        if change.reread:
            changed |= self.rows.replace(await self._fetch_rows())
            self.grid.update_rows(
                {row["file_id"]: row for row in self.rows.rows if row["file_id"] in changed}
            )
        if change.removed or change.captions:
            await self.apply_view()
        await self.editor.follow(change, changed)
        if change.captions:
            await self.caption_tools.refresh()

    async def captions_changed(self, file_ids: list[str] | None) -> None:
        """Captions changed in bulk here (batch edit, tag rename, undo): this page's counts follow too."""
        self._counts.mark()  # other tabs hear of it from the caption service
        await self.refresh(RowsChange.captions_changed(file_ids))

    async def refresh_rows(self, file_ids: list[str]) -> None:
        """Re-read rows whose captions or flags changed in bulk and repaint those tiles."""
        await self.refresh(RowsChange.tiles(file_ids))

    def _caption_saved(self, caption: dict[str, Any]) -> None:
        """The editor saved a caption: this page follows at once (other tabs hear the caption service)."""
        payload = captions.caption_changed_payload(caption, caption["caption_set_id"], caption["file_id"])
        self._counts.mark()
        background_tasks.create(self._caption_changed(payload), name="caption saved")

    async def _caption_changed(self, payload: dict[str, Any]) -> None:
        if payload.get("caption_set_id") != self.state.caption_set_id:
            return
        if payload.get("file_id") is None:  # a batch too big for one event per caption: re-read the set
            await self.refresh(RowsChange.captions_changed(None))
            return
        await self.refresh(RowsChange.caption(payload))

    async def _datasets_changed(self, payload: dict[str, Any]) -> None:
        all_datasets = await self.reads.datasets()
        self.toolbar.show_datasets(all_datasets, self.state.dataset_id)
        if payload.get("dataset_id") != self.state.dataset_id:
            return
        dataset = next((d for d in all_datasets if d.id == self.state.dataset_id), None)
        if dataset is None:  # deleted elsewhere
            self.editor.caption_editor.close()
            self._show_nothing()
        elif dataset.file_count != len(self.rows.rows):  # members added or removed elsewhere
            await self.refresh(RowsChange.members())
        elif payload.get("file_ids"):  # members changed (e.g. cropped): repaint those tiles
            await self.refresh(RowsChange.tiles(payload["file_ids"]))

    async def load_rows(self, rows: list[Row] | None = None) -> None:
        """Show `rows` (or the rows read again) in the grid, with the counts and the tags after them."""
        self.rows.rows = rows if rows is not None else await self._fetch_rows()
        count = len(self.rows.rows)
        self.grid_empty.set_visibility(not count)
        self.empty_actions.set_visibility(not count)
        if not count:
            self.grid_empty.text = (
                "This dataset has no images yet: add a folder of images, or drag images onto it."
            )
        view = self.rows.view()
        self.grid.set_rows(self.rows.rows, [row["file_id"] for row in view])
        self.state.total_count, self.state.shown_count = count, len(view)
        self.toolbar.show_count(len(view), count)
        if is_first_screen(self.rows.rows):
            background_tasks.create(load_the_rest(self, self.rows.rows), name="rest of the rows")
        # The tag counts read every caption of the set (seconds at 10,000): after the first screen's thumbnails.
        background_tasks.create(self._tags_after_first_screen(), name="tag panel")

    # ---- private ----
    async def _tags_after_first_screen(self) -> None:
        await asyncio.sleep(TAG_PANEL_DELAY)
        if not self.grid.is_deleted:
            await self.caption_tools.set_changed()

    async def _fetch_rows(self) -> list[Row]:
        assert self.state.dataset_id is not None  # the refresh path returns early without a dataset
        return await self.reads.rows(self.state.dataset_id, self.state.caption_set_id)

    def _show_nothing(self) -> None:
        self.state.dataset_id = self.state.caption_set_id = None
        self.rows.rows = []
        self.grid.set_rows([], [])
        self.toolbar.show_caption_sets([], None)
        self.toolbar.show_count(0, 0)
        self.grid_empty.text = NO_DATASET
        self.grid_empty.set_visibility(True)
        self.empty_actions.set_visibility(False)

    async def _shown_dataset(self) -> dict[str, Any] | None:
        return await self.reads.dataset(self.state.dataset_id) if self.state.dataset_id else None

    async def _reselect(self) -> None:
        await self.select(self.state.dataset_id, self.state.caption_set_id)

    def _selection_changed(self) -> None:
        selected = self.grid.selection.selected
        self.state.selected_count = len(selected)
        self.state.hidden_selected_count = len(self.grid.hidden_selected)
        self.state.open_unselected = bool(selected) and self.state.file_id not in selected

    def _set_tile_size(self, size: int) -> None:
        self.grid.set_tile_size(size)
        remember("tile_size", int(size))

    async def _refresh_set_counts(self) -> None:
        if not self.state.dataset_id:
            return
        try:
            sets = await self.reads.caption_sets(self.state.dataset_id)
        except CaptionForgeError:
            return  # the dataset went away: datasets_changed handles that
        self.toolbar.show_caption_sets(sets, self.state.caption_set_id)
