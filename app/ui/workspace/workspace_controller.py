"""The workspace's center and right columns and how they work together: grid, toolbar, selection, editor.

The rows of the selected dataset (datasets.list_dataset_files) stay here, so sorting and filtering run
in Python (app.services.grid.grid_view) and only a new order of indices goes to the browser.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from nicegui import background_tasks, run, ui

from app.core import current
from app.errors import CaptionForgeError, NotFound
from app.services.captions import captions
from app.services.datasets import datasets
from app.services.grid.grid_view import GridOptions, apply_view
from app.ui.count_refresh import counts
from app.ui.datasets.duplicates_dialog import DuplicatesDialog
from app.ui.datasets.folder_to_dataset import EmptyDatasetActions
from app.ui.datasets.health_panel import HealthPanel
from app.ui.exports.export_dialog import ExportDialog
from app.ui.workspace.caption_tools.batch_preview import GridScope
from app.ui.workspace.caption_tools.workspace_caption_tools import WorkspaceCaptionTools, emit_caption_changes
from app.ui.workspace.editor.caption_editor import CaptionEditor
from app.ui.workspace.grid.first_screen import first_screen_limit, is_first_screen, load_the_rest
from app.ui.workspace.grid.grid_actions import SelectionBar
from app.ui.workspace.grid.grid_toolbar import GridToolbar
from app.ui.workspace.grid.thumb_grid import ThumbGrid
from app.ui.workspace.preferences import preference, remember, remembered_sort
from app.ui.workspace.workspace_panels import close_button
from app.ui.workspace.workspace_state import WorkspaceState

DEFAULT_TILE_SIZE = 160
TAG_PANEL_DELAY = 1.5  # seconds
log = logging.getLogger("app.ui.workspace")


class WorkspaceController:
    """One per page visit. `select(dataset_id, caption_set_id)` is what the datasets panel calls."""

    def __init__(self, state: WorkspaceState, on_caption_selection=None, on_editor_shown=None) -> None:
        """on_editor_shown(bool): an image opened or the editor closed (tablets slide the editor panel)."""
        self.state = state
        self._on_editor_shown = on_editor_shown or (lambda shown: None)
        self.options = GridOptions(**remembered_sort())
        self.rows: list[dict[str, Any]] = []
        self._on_caption_selection = on_caption_selection
        self.caption_tools = WorkspaceCaptionTools(
            scope=self.grid_scope,
            on_changed=self.captions_changed,
            dataset_id=lambda: self.state.dataset_id,
            caption_set_id=lambda: self.state.caption_set_id,
        )

    # ---- building ----
    def build_center(self) -> None:
        """The grid column: toolbar, selection bar, the grid (or the empty-state hint)."""
        tile_size = int(preference("tile_size", DEFAULT_TILE_SIZE))
        self.toolbar = GridToolbar(
            self.options,
            on_dataset=lambda dataset_id: self.select(dataset_id),
            on_caption_set=self.select_caption_set,
            on_view_change=self.apply_view,
            on_tile_size=self._set_tile_size,
            tile_size=tile_size,
            actions=(
                ("ios_share", "Export this dataset through the caption set", "grid-export", self._export),
                (
                    "monitor_heart",
                    "Dataset health: click a bar to filter the grid",
                    "grid-health",
                    self._health,
                ),
                (
                    "content_copy",
                    "Duplicates: keep the best of each group",
                    "grid-duplicates",
                    self._duplicates,
                ),
            ),
        )
        selection_slot = ui.element("div").classes("w-full")
        self.grid_empty = (
            ui.label("Select a dataset on the left to see its images here.")
            .classes("text-gray-500")
            .mark("grid-empty")
        )
        self.empty_actions = EmptyDatasetActions(self._shown_dataset, self._reselect)
        self.empty_actions.set_visibility(False)
        self.grid = ThumbGrid(
            tile_size=tile_size, on_open=self.open_file, on_selection_change=self._selection_changed
        )
        self.grid.classes("w-full").mark("thumb-grid")
        with selection_slot:
            self.selection_bar = SelectionBar(
                self.grid,
                self.state,
                on_removed=self._rows_removed,
                on_rows_changed=self.refresh_rows,
                on_caption_selection=self._on_caption_selection,
            )
        self.caption_tools.build_menu(self.selection_bar, self.toolbar)

    def build_right(self) -> None:
        """The editor column."""
        with ui.row().classes("w-full items-center no-wrap gap-1"):
            ui.label("Caption editor").classes("text-base font-semibold")
            ui.space()
            close_button("editor-close", "Close the editor", self.close_editor)
        self.editor = CaptionEditor(
            on_move=self.move,
            on_saved=self._caption_saved,
            on_escape=self.close_editor,
        )
        self.caption_tools.build_tag_panel(self.toolbar)

    def subscribe(self) -> None:
        """Live updates from other tabs and jobs; dropped with this page's client."""
        events = current().events
        events.caption_changed.subscribe(self._caption_changed)
        events.datasets_changed.subscribe(self._datasets_changed)
        events.scan_progress.subscribe(self.editor.scan_progress)
        # The caption-set choice shows counts too: it follows the page's one count path (count_refresh).
        counts().follow(self._refresh_set_counts)
        ui.context.client.on_disconnect(self.save_on_close)

    def _export(self) -> None:
        if not self.state.dataset_id:
            ui.notify("Choose a dataset to export first.")
            return
        ExportDialog(self.state.dataset_id, self.state.caption_set_id).open()

    async def _health(self) -> None:
        if not self.state.dataset_id:
            ui.notify("Choose a dataset first.")
            return
        panel = HealthPanel(
            self.state.dataset_id, self.state.caption_set_id, on_filter=self.toolbar.set_query
        )
        panel.open()
        unfollow = counts().follow(panel.load)  # its coverage bars are counts too, while it is open
        panel.on("hide", unfollow)
        await panel.load()

    async def _duplicates(self) -> None:
        if not self.state.dataset_id:
            ui.notify("Choose a dataset first.")
            return
        dialog = DuplicatesDialog(self.state.dataset_id, on_change=self.refresh_rows)
        dialog.open()
        await dialog.load()

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
        all_datasets, dataset, caption_set_id, rows = await self._prefetched
        await self._show(all_datasets, dataset, caption_set_id, rows)

    async def select(self, dataset_id: str | None, caption_set_id: str | None = None) -> None:
        """Show a dataset through one of its caption sets (its default, else the first, when not given)."""
        if not await self.editor.leave():
            self.toolbar.show_datasets(await self._datasets(), self.state.dataset_id)
            return
        await self._show(*await self._read(dataset_id, caption_set_id))

    async def _read(self, dataset_id: str | None, caption_set_id: str | None) -> tuple:
        all_datasets = await self._datasets()
        dataset = next((d for d in all_datasets if d["id"] == dataset_id), None)
        if dataset is None:
            return all_datasets, None, None, []
        set_ids = [s["id"] for s in dataset["caption_sets"]]
        if caption_set_id not in set_ids:
            default = dataset.get("default_caption_set_id")
            caption_set_id = default if default in set_ids else (set_ids[0] if set_ids else None)
        limit = first_screen_limit(self.options)  # the rest follows the first screen (load_the_rest)
        rows = await run.io_bound(
            datasets.list_dataset_files, current().db, dataset["id"], caption_set_id, limit=limit
        )
        return all_datasets, dataset, caption_set_id, rows

    async def _show(
        self, all_datasets: list, dataset: dict | None, caption_set_id: str | None, rows: list
    ) -> None:
        self.toolbar.show_datasets(all_datasets, dataset["id"] if dataset else None)
        self.editor.close()
        self._on_editor_shown(False)
        self.state.file_id = None
        if dataset is None:
            self._show_nothing()
            return
        self.toolbar.show_caption_sets(dataset["caption_sets"], caption_set_id)
        self.state.dataset_id, self.state.caption_set_id = dataset["id"], caption_set_id
        remember("workspace", {"dataset_id": dataset["id"], "caption_set_id": caption_set_id})
        await self._load_rows(rows)

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
        await self._load_rows()
        self.editor.close()
        self.state.file_id = None
        if file_id and caption_set_id and any(r["file_id"] == file_id for r in self.rows):
            await self.open_file(file_id)

    async def apply_view(self) -> None:
        """Sort and filter the rows as the toolbar says and send the new order."""
        try:
            view = apply_view(self.rows, self.options)
        except ValueError as exc:
            ui.notify(str(exc), type="negative")
            return
        self.grid.set_order([row["file_id"] for row in view])
        remember("grid_sort", {"sort": self.options.sort, "descending": self.options.descending})
        self._selection_changed()
        self.state.shown_count = len(view)
        self.toolbar.show_count(len(view), len(self.rows))

    def grid_scope(self) -> GridScope | None:
        """What the grid holds now, for the caption tools (None without a caption set)."""
        if not self.state.caption_set_id:
            return None
        return GridScope(
            self.state.caption_set_id,
            selected_ids=list(self.grid.selected_ids),
            shown_ids=list(self.grid.order),
            query=self.options.query,
        )

    async def captions_changed(self, file_ids: list[str] | None, tell_other_tabs: bool = True) -> None:
        """Captions changed in bulk (batch edit, tag rename, undo): re-read rows, repaint, refresh tags and editor.

        Other tabs (and this page's counts) hear of it through caption_changed, unless the news came from one.
        """
        if self.state.dataset_id is None:
            return
        fresh = await self._fetch_rows()
        before = {row["file_id"]: row.get("caption_modified") for row in self.rows}
        changed = [row for row in fresh if before.get(row["file_id"]) != row.get("caption_modified")]
        wanted = {row["file_id"] for row in changed} | set(file_ids or [])
        self.rows = fresh
        if tell_other_tabs:
            emit_caption_changes(self.state.caption_set_id, changed)
        self.grid.update_rows({row["file_id"]: row for row in fresh if row["file_id"] in wanted})
        await self.apply_view()
        editor = self.editor
        if editor.file_id in wanted and editor.caption_set_id and not editor.dirty:
            await editor.open(editor.caption_set_id, editor.file_id)
        await self.caption_tools.refresh()
        tag_tools = getattr(editor, "tag_tools", None)
        if tag_tools is not None:
            await tag_tools.refresh_vocabulary()

    async def refresh_rows(self, file_ids: list[str]) -> None:
        """Re-read rows whose captions or flags changed in bulk and repaint those tiles only."""
        fresh = await self._fetch_rows()
        wanted = set(file_ids)
        self.grid.update_rows({row["file_id"]: row for row in fresh if row["file_id"] in wanted})

    # ---- the editor ----
    async def open_file(self, file_id: str) -> None:
        """Show a file in the editor, after the current draft is saved (or the user chose to stay)."""
        if self.state.caption_set_id is None:
            ui.notify("This dataset has no caption set yet: create one in the left column", type="warning")
            return
        if file_id == self.state.file_id:
            self.grid.focus_file(file_id, scroll=False)
            return
        previous = self.state.file_id
        if not await self.editor.leave():
            if previous:
                self.grid.follow_open(file_id, previous)  # a click on the tile had selected it: undo that
                self.grid.focus_file(previous)
            return
        started = time.perf_counter()
        try:
            await self.editor.open(self.state.caption_set_id, file_id)
        except NotFound as exc:
            ui.notify(str(exc), type="negative")
            return
        self.state.file_id = file_id
        self._on_editor_shown(True)
        self.grid.follow_open(previous, file_id)
        self.grid.focus_file(file_id)
        self._selection_changed()
        log.debug("workspace: opened %s in %.1f ms", file_id, (time.perf_counter() - started) * 1000)

    def close_editor(self) -> None:
        """Esc or the close control: back to the grid (on a tablet or phone the editor panel slides away)."""
        self._on_editor_shown(False)
        self.grid.focus_grid()

    async def move(self, step: int) -> None:
        """Previous (-1) or next (+1) image in the grid's order."""
        target = self.grid.neighbour(self.state.file_id, step)
        if target is None:
            ui.notify("That was the last image" if step > 0 else "That was the first image", timeout=900)
            return
        await self.open_file(target)

    async def save_on_close(self) -> None:
        """The tab closed or lost its connection: store the draft rather than lose it."""
        if not self.editor.dirty:
            return
        try:
            await self.editor.save(interactive=False)
        except CaptionForgeError as exc:
            # A newer caption exists (or the text is invalid): keep theirs, log ours so it can be recovered.
            log.warning(
                "Unsaved caption of file %s not stored on close (%s); the draft was: %r",
                self.editor.file_id,
                exc,
                self.editor.text.value,
            )

    # ---- private ----
    async def _load_rows(self, rows: list[dict[str, Any]] | None = None) -> None:
        self.rows = rows if rows is not None else await self._fetch_rows()
        self.grid_empty.set_visibility(not self.rows)
        self.empty_actions.set_visibility(not self.rows)
        if not self.rows:
            self.grid_empty.text = (
                "This dataset has no images yet: add a folder of images, or drag images onto it."
            )
        view = apply_view(self.rows, self.options)
        self.grid.set_rows(self.rows, [row["file_id"] for row in view])
        self.state.total_count, self.state.shown_count = len(self.rows), len(view)
        self.toolbar.show_count(len(view), len(self.rows))
        if is_first_screen(self.rows):
            background_tasks.create(load_the_rest(self, self.rows), name="rest of the rows")
        # The tag counts read every caption of the set (seconds at 10,000): after the first screen's thumbnails.
        background_tasks.create(self._tags_after_first_screen(), name="tag panel")

    async def _tags_after_first_screen(self) -> None:
        await asyncio.sleep(TAG_PANEL_DELAY)
        if not self.grid.is_deleted:
            await self.caption_tools.set_changed()

    async def _fetch_rows(self) -> list[dict[str, Any]]:
        return await run.io_bound(
            datasets.list_dataset_files, current().db, self.state.dataset_id, self.state.caption_set_id
        )

    async def _datasets(self) -> list[dict[str, Any]]:
        return await run.io_bound(datasets.list_datasets, current().db)

    def _show_nothing(self) -> None:
        self.state.dataset_id = self.state.caption_set_id = None
        self.rows = []
        self.grid.set_rows([], [])
        self.toolbar.show_caption_sets([], None)
        self.toolbar.show_count(0, 0)
        self.grid_empty.text = "Select a dataset on the left to see its images here."
        self.grid_empty.set_visibility(True)
        self.empty_actions.set_visibility(False)

    async def _shown_dataset(self) -> dict[str, Any] | None:
        if not self.state.dataset_id:
            return None
        return await run.io_bound(datasets.get_dataset, current().db, self.state.dataset_id)

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

    def _caption_saved(self, caption: dict[str, Any]) -> None:
        payload = captions.caption_changed_payload(caption, caption["caption_set_id"], caption["file_id"])
        current().events.caption_changed.emit(payload)

    async def _refresh_set_counts(self) -> None:
        if not self.state.dataset_id:
            return
        try:
            sets = await run.io_bound(captions.list_caption_sets, current().db, self.state.dataset_id)
        except CaptionForgeError:
            return  # the dataset went away: datasets_changed handles that
        self.toolbar.show_caption_sets(sets, self.state.caption_set_id)

    async def _caption_changed(self, payload: dict[str, Any]) -> None:
        if payload.get("caption_set_id") != self.state.caption_set_id:
            return
        if payload.get("file_id") is None:  # a batch too big for one event per caption: re-read the set
            await self.captions_changed(None, tell_other_tabs=False)
            return
        self.grid.update_row(
            payload["file_id"],
            caption_text=payload.get("caption_text"),
            caption_state=payload.get("caption_state") or "none",
            caption_modified=payload.get("modified_date"),
        )
        await self.editor.external_change(payload)

    async def _datasets_changed(self, payload: dict[str, Any]) -> None:
        all_datasets = await self._datasets()
        self.toolbar.show_datasets(all_datasets, self.state.dataset_id)
        if payload.get("dataset_id") != self.state.dataset_id:
            return
        dataset = next((d for d in all_datasets if d["id"] == self.state.dataset_id), None)
        if dataset is None:  # deleted elsewhere
            self.editor.close()
            self._show_nothing()
        elif dataset["file_count"] != len(self.rows):  # members added or removed elsewhere
            await self._load_rows()
        elif payload.get("file_ids"):  # members changed (e.g. cropped): repaint those tiles
            await self.refresh_rows(payload["file_ids"])

    async def _rows_removed(self, file_ids: list[str]) -> None:
        gone = set(file_ids)
        self.rows = [row for row in self.rows if row["file_id"] not in gone]
        self.grid.remove_rows(file_ids)
        if self.state.file_id in gone:
            self.editor.close()
            self.state.file_id = None
            self.grid.focus_file(None)
        self.state.total_count = len(self.rows)
        await self.apply_view()
