"""The Folders page: tracked folders with their actions and live scans | the open folder's thumbnails."""

from __future__ import annotations

import asyncio
from typing import Any

from nicegui import background_tasks, run, ui

from app.container import AppServices
from app.errors import CaptionForgeError
from app.services.folders import folders
from app.services.folders.folder_shapes import Folder
from app.ui.datasets.add_to_dataset import AddToDatasetDialog
from app.ui.datasets.dataset_list import DatasetPanel
from app.ui.datasets.folder_to_dataset import track_new_folder
from app.ui.folder_form import FolderFormDialog
from app.ui.folders.folder_card import FINISHED, FolderCard
from app.ui.folders.folder_files import PAGE, FolderFiles
from app.ui.layout import frame
from app.ui.page_services import with_services


def register(services: AppServices) -> None:
    """Serve the Folders page."""
    ui.page("/folders", title="Folders · CaptionForge")(with_services(folders_page, services))


def folders_page(services: AppServices) -> None:
    with frame("Folders"):
        FoldersView(services)


class FoldersView(ui.row):
    """Left: the folder list with Add; right: the open folder's images."""

    def __init__(self, services: AppServices) -> None:
        super().__init__()
        self.core = services
        self.cards: dict[str, FolderCard] = {}
        self.open_id: str | None = None
        self._live_shown = -1.0  # when the open folder's grid last refilled during a scan
        self.classes("w-full h-[calc(100vh-64px)] no-wrap gap-0 cf-split")  # stacks on a phone
        with self:
            with ui.column().classes("w-[420px] max-w-full shrink-0 h-full border-r p-3 overflow-auto gap-2"):
                with ui.row().classes("w-full items-center"):
                    ui.label("Tracked folders").classes("text-base font-semibold")
                    ui.space()
                    ui.button("Add folder", icon="create_new_folder", on_click=self._add).props(
                        "no-caps"
                    ).mark("folders-add")
                self.list = ui.column().classes("w-full gap-2").mark("folders-list")
                ui.separator()
                ui.label("Drag images onto a dataset to add them.").classes("text-xs text-gray-500")
                DatasetPanel(services, on_select=_open_dataset)
            with ui.column().classes("grow h-full p-3 overflow-auto min-w-0"):
                self.files = FolderFiles(services.db)
        self.core.events.scan_progress.subscribe(self._on_progress)
        background_tasks.create(self.reload(), name="folders-page-load")

    async def reload(self) -> None:
        rows = await run.io_bound(folders.list_folders, self.core.db)
        self.list.clear()
        self.cards = {}
        with self.list:
            if not rows:
                ui.label(
                    "No folders yet. Add a folder of images: they stay where they are, CaptionForge only reads them."
                ).classes("text-sm text-gray-500").mark("folders-empty")
            for folder in rows:
                card = FolderCard(folder, self._action, selected=folder["id"] == self.open_id)
                self.cards[folder["id"]] = card
                latest = self.core.scans.scan_status(folder["id"])
                if latest and (self.core.scans.is_scanning(folder["id"]) or latest.get("phase") in FINISHED):
                    card.show_progress(latest)
        if self.open_id in self.cards:
            self.files.folder = self.cards[self.open_id].folder

    async def _on_progress(self, payload: dict[str, Any]) -> None:
        card = self.cards.get(payload.get("folder_id"))
        if card is None:
            return
        card.show_progress(payload)
        if payload.get("phase") == "processing" and payload["folder_id"] == self.open_id:
            await self._fill_while_scanning()
        if payload.get("phase") in FINISHED:
            await self.reload()
            if payload["folder_id"] == self.open_id:
                await self.files.reload()

    async def _action(self, name: str, folder: Folder) -> None:
        try:
            if name == "open":
                self.open_id = folder["id"]
                await self.reload()
                await self.files.show(self.cards[folder["id"]].folder)
            elif name in ("scan", "remeasure"):
                await self.core.scans.request_scan(folder["id"], remeasure=name == "remeasure")
            elif name == "stop":
                self.core.scans.cancel_scan(folder["id"])
            elif name == "toggle":
                await run.io_bound(
                    folders.update_folder, self.core.db, folder["id"], enabled=not folder["enabled"]
                )
                await self.reload()
            elif name in ("new_dataset", "add_to_dataset"):
                await self._to_dataset(folder, new=name == "new_dataset")
            elif name == "edit":
                await self._edit(folder)
            elif name == "remove":
                await self._remove(folder)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative")

    async def _fill_while_scanning(self) -> None:
        """The grid fills as the scan processes files (at most every second, and only its first page)."""
        now = asyncio.get_running_loop().time()
        if now - self._live_shown < 1.0 or self.files.shown >= PAGE:
            return
        self._live_shown = now
        await self.files.reload()

    async def _to_dataset(self, folder: Folder, *, new: bool) -> None:
        """Every image of the folder into a new dataset (then open it) or an existing one."""
        with self:
            dialog = AddToDatasetDialog(
                self.core.db, folder_id=folder["id"], suggested_name=folder["name"], new=new
            )
        try:
            dataset_id = await dialog
        finally:
            if not dialog.is_deleted:
                dialog.delete()
        if dataset_id and new:
            ui.navigate.to(f"/?dataset={dataset_id}")

    async def _add(self) -> None:
        folder = await track_new_folder(self.core)
        if not folder:
            return
        self.open_id = folder["id"]
        await self.reload()
        await self.files.show(folder)

    async def _edit(self, folder: Folder) -> None:
        values = await FolderFormDialog(self.core.settings, folder)
        if values:
            await run.io_bound(folders.update_folder, self.core.db, folder["id"], **values)
            await self.reload()

    async def _remove(self, folder: Folder) -> None:
        with ui.dialog() as ask, ui.card().classes("max-w-[520px]").mark("folder-remove-dialog"):
            ui.label(f"Stop tracking {folder['name']}?").classes("text-lg font-semibold")
            ui.label(
                f"Its {folder['total_files']} files leave every dataset and caption set in CaptionForge. "
                "The files on disk stay where they are: nothing is deleted or changed."
            ).classes("text-sm")
            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=lambda: ask.submit(False)).props("flat")
                ui.button("Remove", color="negative", on_click=lambda: ask.submit(True)).mark(
                    "folder-remove-confirm"
                )
        if not await ask:
            return
        self.core.scans.cancel_scan(folder["id"])
        removed = await run.io_bound(folders.remove_folder, self.core.db, folder["id"])
        ui.notify(f"Stopped tracking {removed.path}; the files on disk are untouched.")
        if self.open_id == folder["id"]:
            self.open_id = None
            self.files.close()
        await self.reload()


def _open_dataset(dataset_id: str | None, caption_set_id: str | None) -> None:
    """Choosing a dataset in the Folders page's list opens it in the workspace."""
    if dataset_id:
        query = f"?dataset={dataset_id}" + (f"&caption_set={caption_set_id}" if caption_set_id else "")
        ui.navigate.to(f"/{query}")
