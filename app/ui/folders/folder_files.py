"""A folder's images as selectable thumbnail tiles: plain <img loading=lazy>, paged so thousands stay light.

Thumbnails come from the app's one cached route (/api/files/{id}/thumbnail?v=key), never from ui.image.
A click selects (shift: a range, ctrl/cmd: toggle); the (i) button or a double-click opens the file
details. Tiles drag onto a dataset (the dragged tile, or the whole selection when it is part of it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import run, ui

from app.db import Database
from app.services.folders import folders
from app.services.folders.folder_shapes import Folder, FolderFile
from app.ui.a11y import labelled
from app.ui.datasets.add_to_dataset import AddToDatasetDialog
from app.ui.datasets.dataset_list import DRAG_TYPE
from app.ui.folders.folder_file_dialog import FileDetailsDialog
from app.ui.folders.folder_selection import FileSelection

PAGE = 120
SELECTED = "cf-folder-selected"
_CSS = f".{SELECTED} {{ outline: 3px solid #f59e0b; outline-offset: -3px; background: #fffbeb; }}"
_DRAGSTART_JS = f"""(e) => {{ const tile = e.currentTarget;
  const grid = tile.closest(".cf-folder-grid");
  const ids = tile.classList.contains("{SELECTED}") && grid
    ? [...grid.querySelectorAll(".{SELECTED}")].map((t) => t.dataset.fileId) : [tile.dataset.fileId];
  e.dataTransfer.setData("{DRAG_TYPE}", JSON.stringify(ids)); e.dataTransfer.effectAllowed = "copy"; }}"""
# The (i) button inside a tile opens details and must not also select.
_CLICK_JS = """(e) => { if (e.target.closest(".cf-tile-info")) return;
  emit({ shiftKey: e.shiftKey, ctrlKey: e.ctrlKey, metaKey: e.metaKey }); }"""


class FolderFiles(ui.column):
    """Shows one folder at a time; `show(folder)` switches, `reload()` refreshes after a scan."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.classes("w-full gap-2").mark("folder-files")
        self.folder: Folder | None = None
        self.shown = 0
        self.generation = 0  # a newer reload makes the pages still being fetched for an older one stale
        self.selection = FileSelection()
        self.tiles: dict[str, ui.element] = {}
        ui.add_css(_CSS)
        with self:
            with ui.row().classes("w-full items-center"):
                self.title = ui.label("Open a folder to see its images.").classes("text-base font-semibold")
                ui.space()
                self.count = ui.label("").classes("text-sm text-gray-600").mark("folder-files-count")
            with ui.row().classes("w-full items-center gap-1") as self.toolbar:
                ui.button("Select all", icon="select_all", on_click=self.select_all).props(
                    "flat dense no-caps"
                ).mark("folder-select-all")
                ui.button("Clear", icon="deselect", on_click=self.clear_selection).props(
                    "flat dense no-caps"
                ).mark("folder-select-clear")
                self.add_button = (
                    ui.button("Add selection to dataset", icon="playlist_add", on_click=self.add_selection)
                    .props("dense no-caps")
                    .mark("folder-add-selection")
                )
                self.selected_label = ui.label("").classes("text-sm text-gray-600").mark("folder-selected")
                ui.label("Click to select, shift/ctrl-click for more; drag onto a dataset.").classes(
                    "text-xs text-gray-500"
                )
            self.toolbar.set_visibility(False)
            self.grid = ui.element("div").classes("cf-folder-grid w-full flex flex-wrap gap-2 content-start")
            self.more = (
                ui.button("Show more", on_click=self._next_page)
                .props("flat no-caps")
                .mark("folder-files-more")
            )
            self.more.set_visibility(False)
        self._show_selection()

    async def show(self, folder: Folder) -> None:
        if self.folder is None or self.folder["id"] != folder["id"]:
            self.selection.clear()
        self.folder = folder
        await self.reload()

    async def reload(self) -> None:
        if self.folder is None:
            return
        self.generation += 1
        self.title.set_text(self.folder["name"])
        self.toolbar.set_visibility(True)
        self.grid.clear()
        self.tiles = {}
        self.shown = 0
        await self._next_page()

    def close(self) -> None:
        """Show no folder (the open one was removed)."""
        self.folder = None
        self.generation += 1
        self.grid.clear()
        self.tiles = {}
        self.selection.clear()
        self.title.set_text("Open a folder to see its images.")
        self.count.set_text("")
        self.toolbar.set_visibility(False)
        self.more.set_visibility(False)

    # ---- selection ----
    def click(self, file_id: str, *, shift: bool = False, toggle: bool = False) -> None:
        self.selection.click(file_id, shift=shift, toggle=toggle)
        self._show_selection()

    def select_all(self) -> None:
        self.selection.select_all()
        self._show_selection()

    def clear_selection(self) -> None:
        self.selection.clear()
        self._show_selection()

    async def add_selection(self) -> None:
        ids = self.selection.ids()
        if not ids:
            ui.notify("Select images first: click a tile, shift-click for a range.", type="warning")
            return
        with self:
            dialog = AddToDatasetDialog(
                self.db, ids, suggested_name=self.folder["name"] if self.folder else ""
            )
        try:
            await dialog
        finally:
            if not dialog.is_deleted:
                dialog.delete()

    def _show_selection(self) -> None:
        for file_id, tile in self.tiles.items():
            if file_id in self.selection.selected:
                tile.classes(add=SELECTED)
            else:
                tile.classes(remove=SELECTED)
        count = len(self.selection.selected)
        self.selected_label.set_text(f"{count} selected" if count else "")
        self.add_button.set_enabled(count > 0)

    def _on_click(self, file_id: str, args: Any) -> None:
        if isinstance(args, list) and args:
            args = args[0]
        args = args if isinstance(args, dict) else {}
        self.click(
            file_id,
            shift=bool(args.get("shiftKey")),
            toggle=bool(args.get("ctrlKey") or args.get("metaKey")),
        )

    async def _next_page(self) -> None:
        generation, folder_id = self.generation, self.folder["id"]
        files = await run.io_bound(
            folders.list_folder_files, self.db, folder_id, offset=self.shown, limit=PAGE
        )
        if generation != self.generation:
            return  # another reload (or folder) started meanwhile and shows its own pages
        with self.grid:
            for file in files:
                self.tiles[file["id"]] = self._tile(file)
        self.selection.show(list(self.tiles))
        self._show_selection()
        self.shown += len(files)
        total = self.folder.get("total_files", self.shown)
        self.count.set_text(f"{self.shown} of {max(total, self.shown)} files shown")
        self.more.set_visibility(len(files) == PAGE)

    def _tile(self, file: FolderFile) -> ui.element:
        opacity = "" if file["exists"] else " opacity-40"
        tile = (
            ui.element("div")
            .classes(
                "relative w-32 rounded bg-slate-100 flex flex-col overflow-hidden cursor-pointer" + opacity
            )
            .on("click", lambda e, i=file["id"]: self._on_click(i, e.args), js_handler=_CLICK_JS)
            .on("dblclick", lambda i=file["id"]: self._details(i))
            .on("dragstart", js_handler=_DRAGSTART_JS)
            .mark("folder-tile")
        )
        tile.props["title"] = _tile_title(file)  # a plain attribute: the name is text, never HTML
        tile.props["draggable"] = "true"
        tile.props["data-file-id"] = file["id"]
        with tile:
            _tile_preview(file)
            # Below the image, not over it: a portrait thumbnail keeps its bottom visible.
            ui.label(file["filename"]).classes("px-1 text-[10px] leading-4 truncate text-slate-700").mark(
                "folder-tile-name"
            )
            _tile_badges(file, self._details)
        return tile

    def _details(self, file_id: str) -> None:
        FileDetailsDialog(self.db, file_id).open()


def _tile_title(file: FolderFile) -> str:
    """The tile's hover text: the name, then what is wrong with or special about the file."""
    title = file["filename"] + (f" — {file['scan_error']}" if file["scan_error"] else "")
    title += "" if file["exists"] else " — missing on disk"
    twins = file["duplicate_count"]
    title += f" — same bytes as {twins} other file{'s' if twins != 1 else ''}" if twins else ""
    title += " — has a caption file beside it" if file["has_paired_caption"] else ""
    return title


def _tile_preview(file: FolderFile) -> None:
    """The lazy thumbnail, or a broken-image icon with the reason."""
    with ui.element("div").classes("w-32 h-32 flex items-center justify-center"):
        if file["thumbnail_url"]:
            image = ui.element("img").classes("max-w-full max-h-full object-contain")
            image.props["src"] = file["thumbnail_url"]
            image.props["loading"] = "lazy"
            image.props["alt"] = file["filename"]
            image.props["draggable"] = "false"
        else:
            with ui.column().classes("items-center gap-0 p-1"):
                ui.icon("broken_image", color="red-4").classes("text-3xl")
                ui.label(file["scan_error"] or "no preview").classes("text-[10px] text-center text-red-700")


def _tile_badges(file: FolderFile, open_details: Callable[[str], None]) -> None:
    """The details button, and the caption-file and same-bytes marks."""
    labelled(
        ui.button(icon="info", on_click=lambda i=file["id"]: open_details(i)).props(
            "flat round dense size=xs"
        ),
        f"Details of {file['filename']}",
    ).classes("cf-tile-info absolute top-0 left-0 bg-white/70").mark("folder-tile-info")
    if file["has_paired_caption"]:
        ui.icon("notes", color="teal-7").classes("absolute bottom-5 right-1 bg-white/80 rounded").mark(
            "folder-tile-caption"
        ).tooltip("Has a caption file (.txt/.caption) beside it")
    if twins := file["duplicate_count"]:
        ui.badge(f"x{twins + 1}", color="purple").classes("absolute top-1 right-1").mark(
            "folder-tile-duplicate"
        )
