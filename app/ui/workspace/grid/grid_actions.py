"""SelectionBar: "Selected: N (M hidden)", all / none / invert, and the batch actions on the grid's selection.

A selection partly hidden by the filter is said so, and every batch action asks first whether it should
act on the hidden images too (or only on the ones shown).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import run, ui

from app.db import Database
from app.errors import CaptionForgeError
from app.services.captions import caption_sets
from app.services.datasets import dataset_members
from app.ui.a11y import labelled
from app.ui.datasets.add_to_dataset import AddToDatasetDialog
from app.ui.workspace.crop.centre_crop_dialog import CentreCropDialog
from app.ui.workspace.editor.editor_dialogs import answer
from app.ui.workspace.grid.thumb_grid import ThumbGrid
from app.ui.workspace.workspace_state import WorkspaceState

FilesHandler = Callable[[list[str]], Awaitable[None]]
FLAT = "flat dense no-caps size=sm"
PatchHandler = Callable[[dict[str, dict[str, Any]]], Awaitable[None]]  # file_id -> the row's new values


class SelectionBar(ui.row):
    """Acts on `grid.selected_ids`; tells the page what changed through the callbacks: rows removed, rows to
    re-read, rows whose new values are known."""

    def __init__(
        self,
        grid: ThumbGrid,
        state: WorkspaceState,
        *,
        db: Database,
        on_removed: FilesHandler,
        on_rows_changed: FilesHandler,
        on_rows_patched: PatchHandler,
        on_caption_selection: FilesHandler | None = None,
    ) -> None:
        super().__init__()
        self.classes("w-full items-center gap-x-1 gap-y-0 cf-selection-bar").mark("selection-bar")
        self.grid, self.state, self.db = grid, state, db
        self._on_removed, self._on_rows_changed = on_removed, on_rows_changed
        self._on_rows_patched = on_rows_patched
        with self:
            self._build_count(grid, state)
            self._build_actions(state, on_caption_selection)

    def _build_count(self, grid: ThumbGrid, state: WorkspaceState) -> None:
        """The selection count, the open-image note and All / None / Invert."""
        ui.label().bind_text_from(state, "selected_count", lambda _: self.count_text()).bind_text_from(
            state, "hidden_selected_count", lambda _: self.count_text()
        ).classes("text-sm font-medium mr-1 whitespace-nowrap").mark("selected-count")
        ui.label("· the open image is not in the selection").bind_visibility_from(
            state, "open_unselected"
        ).classes("text-xs text-amber-700 mr-1").mark("open-not-selected")
        ui.button("All", on_click=grid.select_all).props(FLAT).mark("select-all")
        ui.button("None", on_click=grid.select_none).props(FLAT).mark("select-none")
        ui.button("Invert", on_click=grid.invert_selection).props(FLAT).mark("select-invert")
        ui.element("div").classes("w-px h-5 bg-slate-300 mx-1")

    def _build_actions(self, state: WorkspaceState, on_caption_selection: FilesHandler | None) -> None:
        """The batch actions on the selection (enabled while something is selected)."""
        actions = [
            ("Add to dataset…", "playlist_add", self.add_to_dataset, "batch-add"),
            ("Remove", "remove_circle_outline", self.remove, "batch-remove"),
            ("Exclude", "block", lambda: self.set_excluded(True), "batch-exclude"),
            ("Include", "check_circle_outline", lambda: self.set_excluded(False), "batch-include"),
            ("Copy imported captions", "file_copy", self.copy_imported, "batch-copy-imported"),
            ("Centre-crop…", "crop", lambda: self._with_targets(self.centre_crop), "batch-centre-crop"),
        ]
        if on_caption_selection is not None:
            caption = on_caption_selection
            actions.append(
                (
                    "Caption with vision model",
                    "auto_awesome",
                    lambda: self._with_targets(caption),
                    "batch-caption",
                )
            )
        for label, icon, handler, marker in actions:
            # Icons with tooltips on a laptop; the words as well on a wide screen.
            with ui.button(icon=icon, on_click=handler).props(FLAT).mark(marker) as button:
                ui.label(label).classes(
                    "max-2xl:hidden ml-1"
                )  # Quasar's !important .hidden would win over 2xl:inline
            labelled(button, label).bind_enabled_from(state, "selected_count", bool)

    async def centre_crop(self, file_ids: list[str]) -> None:
        """Centre-crop the selection to an aspect (preview, apply, undo in the dialog)."""
        with self:
            dialog = CentreCropDialog(self.db, self.state.dataset_id, file_ids)
        await dialog.load()  # the preview, before it shows
        await dialog  # open until closed
        dialog.delete()

    def count_text(self) -> str:
        hidden = self.state.hidden_selected_count
        text = f"Selected: {self.state.selected_count}"
        return f"{text} ({hidden} hidden)" if hidden else text

    async def targets(self) -> list[str] | None:
        """The images a batch action works on: the selection, after asking when the filter hides some."""
        file_ids = self.grid.selected_ids
        hidden = set(self.grid.hidden_selected)
        if not hidden:
            return file_ids
        with self:
            choice = await answer(_HiddenDialog(len(file_ids), len(hidden)))
        if choice == "all":
            return file_ids
        if choice == "shown":
            return [file_id for file_id in file_ids if file_id not in hidden]
        return None

    async def _with_targets(self, action: FilesHandler) -> None:
        file_ids = await self.targets()
        if file_ids:
            await action(file_ids)

    async def add_to_dataset(self) -> None:
        """Put the selection into another dataset (the dialog adds and notifies)."""
        file_ids = await self.targets()
        if file_ids:
            with self:
                await answer(AddToDatasetDialog(self.db, file_ids, exclude_dataset_id=self.state.dataset_id))

    async def remove(self) -> None:
        file_ids = await self.targets()
        if not file_ids:
            return
        with self:
            confirmed = await answer(
                _Confirm(
                    f"Remove {len(file_ids)} image(s) from this dataset?",
                    "The files stay on disk and in other datasets; their captions come back if you add them again.",
                )
            )
        if not confirmed:
            return
        removed = await self._call(
            file_ids, dataset_members.remove_files, self.db, self.state.dataset_id, file_ids
        )
        if removed is not None:
            await self._on_removed(file_ids)
            ui.notify(f"Removed {removed} image(s) from the dataset", type="positive")

    async def set_excluded(self, excluded: bool) -> None:
        file_ids = await self.targets()
        if file_ids is None:
            return
        changed = await self._call(
            file_ids, dataset_members.set_excluded, self.db, self.state.dataset_id, file_ids, excluded
        )
        if changed is not None:
            await self._on_rows_patched({file_id: {"excluded": excluded} for file_id in file_ids})
            what = "excluded from exports" if excluded else "included in exports again"
            ui.notify(f"{len(file_ids)} image(s) {what}", type="positive")

    async def copy_imported(self) -> None:
        file_ids = await self.targets()
        if file_ids is None:
            return
        report = await self._call(
            file_ids, caption_sets.import_captions, self.db, self.state.caption_set_id, file_ids
        )
        if report is None:
            return
        await self._on_rows_changed(file_ids)
        parts = [f"Copied {report.imported} imported caption(s)"]
        if report.skipped_existing:
            parts.append(f"{report.skipped_existing} kept their existing caption")
        if report.skipped_too_long:
            parts.append(f"{report.skipped_too_long} were longer than the set allows")
        ui.notify("; ".join(parts), type="positive", multi_line=True)

    async def _call(self, file_ids: list[str], function, *args):
        if not file_ids:  # the ids, not args[-1]: Include's last argument is False
            ui.notify("Select some images first", type="warning")
            return None
        try:
            return await run.io_bound(function, *args)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return None


class _HiddenDialog(ui.dialog):
    """Awaited: "all", "shown" or None (cancel) when the filter hides part of the selection."""

    def __init__(self, selected: int, hidden: int) -> None:
        super().__init__()
        with self, ui.card().classes("w-96").mark("hidden-selection-dialog"):
            ui.label("Some selected images are hidden").classes("text-base font-semibold")
            ui.label(f"{hidden} of the {selected} selected images are hidden by the current filter.").classes(
                "text-sm text-gray-600"
            )
            with ui.row().classes("w-full justify-end gap-1"):
                ui.button("Cancel", on_click=lambda: self.submit(None)).props("flat").mark("hidden-cancel")
                ui.button(f"Only the {selected - hidden} shown", on_click=lambda: self.submit("shown")).props(
                    "flat no-caps"
                ).mark("hidden-shown")
                ui.button(f"All {selected}", on_click=lambda: self.submit("all")).props("no-caps").mark(
                    "hidden-all"
                )


class _Confirm(ui.dialog):
    """Awaited: True when the user confirms."""

    def __init__(self, title: str, detail: str) -> None:
        super().__init__()
        with self, ui.card().classes("w-96").mark("confirm-dialog"):
            ui.label(title).classes("text-base font-semibold")
            ui.label(detail).classes("text-sm text-gray-600")
            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=lambda: self.submit(False)).props("flat")
                ui.button("Remove", on_click=lambda: self.submit(True)).props("color=negative").mark(
                    "confirm-yes"
                )
