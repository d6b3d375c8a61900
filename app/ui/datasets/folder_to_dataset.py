"""Putting a folder's images into a dataset from the workspace: a tracked one, or one tracked right now.

folder = await track_new_folder(services)    # the folder form; the folder is tracked, its scan started
added = await fill_from_folder(services, dataset, folder["id"])  # after a running scan: adds every image
"""

from __future__ import annotations

from typing import Any

from nicegui import run, ui

from app.container import AppServices
from app.db import Database
from app.errors import CaptionForgeError
from app.services.datasets import dataset_members
from app.services.datasets.dataset_shapes import Dataset
from app.services.folders import browse, folders
from app.services.paths import allowed_roots
from app.ui.folder_form import FolderFormDialog


async def tracked_folder_options(db: Database) -> dict[str, str]:
    rows = await run.io_bound(folders.list_folders, db)
    return {row["id"]: f"{row['name']} ({row['file_count']} images)" for row in rows}


async def track_new_folder(services: AppServices) -> dict[str, Any] | None:
    """The folder-tracking flow (the Folders page's Add folder too): the folder, its scan running; or None."""
    values = await FolderFormDialog(services.settings)
    if not values:
        return None
    try:
        folder = await run.io_bound(
            folders.add_folder,
            services.db,
            values["path"],
            values["recursive"],
            values["max_depth"],
            values["notes"],
            allowed_roots(services.settings),
            values["follow_links"],
        )
    except CaptionForgeError as exc:
        ui.notify(str(exc), type="negative", multi_line=True)
        return None
    await run.io_bound(browse.remember_folder, services.settings.data_dir, folder["path"])
    services.scans.start_scan(folder["id"])
    ui.notify(f"Tracking {folder['path']}: scanning now.", type="positive")
    return folder


async def fill_from_folder(services: AppServices, dataset: Dataset, folder_id: str) -> int | None:
    """Every image of the folder into the dataset, after its scan when one runs; notifies either way."""
    try:
        if services.scans.is_scanning(folder_id):
            ui.notify("Adding the folder's images when its scan is done…")
            await services.scans.scan_and_wait(folder_id)
        added = await run.io_bound(dataset_members.add_folder, services.db, dataset.id, folder_id)
    except CaptionForgeError as exc:
        ui.notify(str(exc), type="negative", multi_line=True)
        return None
    ui.notify(f'Added {added} image(s) to "{dataset.name}"', type="positive")
    return added


class PickFolderDialog(ui.dialog):
    """Awaited: a tracked folder's id, or None."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        with self, ui.card().classes("w-96 gap-2").mark("pick-folder-dialog"):
            ui.label("Add a tracked folder").classes("text-base font-semibold")
            self.choice = (
                ui.select({}, label="Folder")
                .props("outlined dense")
                .classes("w-full")
                .mark("pick-folder-select")
            )
            self.none = ui.label("No tracked folders yet: track a new folder instead.").classes(
                "text-sm text-gray-500"
            )
            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=lambda: self.submit(None)).props("flat")
                ui.button("Add", on_click=lambda: self.submit(self.choice.value)).mark("pick-folder-confirm")
        ui.timer(0, self._load, once=True)

    async def _load(self) -> None:
        options = await tracked_folder_options(self.db)
        self.choice.set_options(options, value=next(iter(options), None))
        self.none.set_visibility(not options)


class EmptyDatasetActions(ui.column):
    """The empty dataset's two ways in: a tracked folder, or a new one. `dataset()` gives the shown dataset."""

    def __init__(self, services: AppServices, dataset, on_added) -> None:
        super().__init__()
        self.services, self._dataset, self._on_added = services, dataset, on_added
        self.classes("gap-2 items-start").mark("dataset-empty-actions")
        with self, ui.row().classes("gap-2"):
            ui.button("Add a tracked folder", icon="folder", on_click=self._tracked).props("no-caps").mark(
                "empty-add-tracked"
            )
            ui.button("Track a new folder", icon="create_new_folder", on_click=self._new).props(
                "no-caps outline"
            ).mark("empty-track-new")

    async def _tracked(self) -> None:
        with self:
            dialog = PickFolderDialog(self.services.db)
        try:
            folder_id = await dialog
        finally:
            dialog.delete()
        await self._fill(folder_id)

    async def _new(self) -> None:
        folder = await track_new_folder(self.services)
        await self._fill(folder and folder["id"])

    async def _fill(self, folder_id: str | None) -> None:
        dataset = await self._dataset()
        if folder_id and dataset and await fill_from_folder(self.services, dataset, folder_id) is not None:
            await self._on_added()
