"""A folder's images as thumbnail tiles: plain <img loading=lazy>, paged so thousands stay light.

Thumbnails come from the app's one cached route (/api/files/{id}/thumbnail?v=key), never from ui.image.
Clicking a tile opens the file details.
"""

from __future__ import annotations

from typing import Any

from nicegui import run, ui

from app.core import current
from app.services import folders
from app.ui.components.folder_file_dialog import FileDetailsDialog

PAGE = 120


class FolderFiles(ui.column):
    """Shows one folder at a time; `show(folder)` switches, `reload()` refreshes after a scan."""

    def __init__(self) -> None:
        super().__init__()
        self.classes("w-full gap-2").mark("folder-files")
        self.folder: dict[str, Any] | None = None
        self.shown = 0
        self.generation = 0  # a newer reload makes the pages still being fetched for an older one stale
        with self:
            with ui.row().classes("w-full items-center"):
                self.title = ui.label("Open a folder to see its images.").classes("text-base font-semibold")
                ui.space()
                self.count = ui.label("").classes("text-sm text-gray-600").mark("folder-files-count")
            self.grid = ui.element("div").classes("w-full flex flex-wrap gap-2 content-start")
            self.more = (
                ui.button("Show more", on_click=self._next_page)
                .props("flat no-caps")
                .mark("folder-files-more")
            )
            self.more.set_visibility(False)

    async def show(self, folder: dict[str, Any]) -> None:
        self.folder = folder
        await self.reload()

    async def reload(self) -> None:
        if self.folder is None:
            return
        self.generation += 1
        self.title.set_text(self.folder["name"])
        self.grid.clear()
        self.shown = 0
        await self._next_page()

    def close(self) -> None:
        """Show no folder (the open one was removed)."""
        self.folder = None
        self.generation += 1
        self.grid.clear()
        self.title.set_text("Open a folder to see its images.")
        self.count.set_text("")
        self.more.set_visibility(False)

    async def _next_page(self) -> None:
        generation, folder_id = self.generation, self.folder["id"]
        files = await run.io_bound(
            folders.list_folder_files, current().db, folder_id, offset=self.shown, limit=PAGE
        )
        if generation != self.generation:
            return  # another reload (or folder) started meanwhile and shows its own pages
        with self.grid:
            for file in files:
                _tile(file)
        self.shown += len(files)
        total = self.folder.get("total_files", self.shown)
        self.count.set_text(f"{self.shown} of {max(total, self.shown)} files shown")
        self.more.set_visibility(len(files) == PAGE)


def _tile(file: dict[str, Any]) -> None:
    title = file["filename"] + (f" — {file['scan_error']}" if file["scan_error"] else "")
    title += "" if file["exists"] else " — missing on disk"
    twins = file["duplicate_count"]
    title += f" — same bytes as {twins} other file{'s' if twins != 1 else ''}" if twins else ""
    opacity = "" if file["exists"] else " opacity-40"
    tile = (
        ui.element("div")
        .classes(
            "relative w-32 h-32 rounded bg-slate-100 flex items-center justify-center overflow-hidden cursor-pointer"
            + opacity
        )
        .on("click", lambda f=file: FileDetailsDialog(f["id"]).open())
        .mark("folder-tile")
    )
    tile.props["title"] = title  # a plain attribute: the name is text, never HTML
    with tile:
        if file["thumbnail_url"]:
            image = ui.element("img").classes("max-w-full max-h-full object-contain")
            image.props["src"] = file["thumbnail_url"]
            image.props["loading"] = "lazy"
            image.props["alt"] = file["filename"]
        else:
            with ui.column().classes("items-center gap-0 p-1"):
                ui.icon("broken_image", color="red-4").classes("text-3xl")
                ui.label(file["scan_error"] or "no preview").classes("text-[10px] text-center text-red-700")
        ui.label(file["filename"]).classes(
            "absolute bottom-0 inset-x-0 px-1 text-[10px] leading-4 truncate bg-white/75 text-slate-700"
        ).mark("folder-tile-name")
        if twins:
            ui.badge(f"x{twins + 1}", color="purple").classes("absolute top-1 right-1").mark(
                "folder-tile-duplicate"
            )
