"""Pick a folder on the machine the app runs on: the native dialog in a window, else a server-side browser.

    chosen = await FolderPicker(settings, title="Add a folder")   # -> absolute path, or None: cancelled

The server-side browser lists only folders inside the allowed roots (app.services.paths), with typed-path
entry, an Up button and the recently picked folders. Folder names are shown as text, never as HTML.
"""

from __future__ import annotations

import logging
from pathlib import Path

from nicegui import run, ui

from app.config import Settings
from app.errors import CaptionForgeError
from app.services.folders import browse
from app.services.folders.folder_shapes import DirectoryListing
from app.services.paths import allowed_roots
from app.ui.a11y import labelled
from app.ui.native import is_native, native_folder_dialog

log = logging.getLogger("app.ui.folder_picker")


class FolderPicker(ui.dialog):
    """A modal folder chooser; awaiting it returns the chosen folder's path or None."""

    def __init__(self, settings: Settings, title: str = "Choose a folder", start: str | None = None) -> None:
        super().__init__()
        self.roots = allowed_roots(settings)
        self.data_dir = settings.data_dir
        self.start = start
        self.listing: DirectoryListing | None = None
        self.requests = 0  # only the newest listing request may render (clicks can outrun the disk)
        with self, ui.card().classes("w-[680px] max-w-[96vw] gap-2").mark("folder-picker"):
            ui.label(title).classes("text-lg font-semibold")
            with ui.row().classes("w-full items-center no-wrap gap-1"):
                labelled(
                    ui.button(icon="arrow_upward", on_click=self._up).props("flat round dense"),
                    "Up one folder",
                ).mark("folder-picker-up")
                self.path_input = (
                    ui.input("Folder path", placeholder="/home/me/Pictures")
                    .props("dense clearable")
                    .classes("grow")
                    .mark("folder-picker-path")
                )
                self.path_input.on("keydown.enter", self._go_typed)
                ui.button("Go", on_click=self._go_typed).props("flat no-caps").mark("folder-picker-go")
            self.recent_row = ui.row().classes("w-full gap-1 items-center")
            self.error = ui.label("").classes("text-sm text-red-700").mark("folder-picker-error")
            self.entries = (
                ui.list().props("dense separator").classes("w-full h-72 overflow-auto border rounded")
            )
            self.info = ui.label("").classes("text-sm text-gray-600").mark("folder-picker-info")
            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=lambda: self.submit(None)).props("flat no-caps").mark(
                    "folder-picker-cancel"
                )
                ui.button("Use this folder", icon="check", on_click=self._choose).props("no-caps").mark(
                    "folder-picker-select"
                )

    def __await__(self):
        return self._pick().__await__()

    async def _pick(self) -> str | None:
        chosen = await _native_choice(self.start or "")
        if chosen is not False:
            return chosen
        await self._show(self.start)
        await self._show_recent()
        return await _Opened(self)

    async def _show(self, path: str | None) -> None:
        self.requests += 1
        request = self.requests
        try:
            listing = await run.io_bound(browse.list_directory, path, self.roots)
        except CaptionForgeError as exc:
            if request == self.requests:
                self.error.set_text(str(exc))
            return
        if request != self.requests:
            return
        self.listing = listing
        self.error.set_text("")
        self.path_input.set_value(listing.path)
        self.entries.clear()
        with self.entries:
            if not listing.entries:
                ui.item("No subfolders here.").classes("text-gray-500")
            for entry in listing.entries:
                with ui.item(on_click=lambda p=entry.path: self._show(p)).mark("folder-picker-entry"):
                    with ui.item_section().props("avatar"):
                        ui.icon("folder", color="amber-7")
                    ui.item_section(entry.name)
        images = listing.images
        more = " (list cut short)" if listing.truncated else ""
        self.info.set_text(f"{images} image{'s' if images != 1 else ''} directly in this folder{more}")

    async def _show_recent(self) -> None:
        recent = await run.io_bound(browse.recent_folders, self.data_dir, self.roots)
        self.recent_row.clear()
        if not recent:
            return
        with self.recent_row:
            ui.label("Recent:").classes("text-sm text-gray-600")
            for path in recent[:6]:
                ui.chip(Path(path).name or path, icon="history", on_click=lambda p=path: self._show(p)).props(
                    "dense clickable outline"
                ).tooltip(path).mark("folder-picker-recent")

    async def _up(self) -> None:
        if self.listing and self.listing.parent:
            await self._show(self.listing.parent)

    async def _go_typed(self) -> None:
        await self._show((self.path_input.value or "").strip())

    async def _choose(self) -> None:
        typed = (self.path_input.value or "").strip()
        if not self.listing or typed != self.listing.path:
            await self._show(typed)  # a typed path must be checked before it is accepted
            if not self.listing or self.listing.path != str(Path(typed).expanduser().resolve()):
                return
        self.submit(self.listing.path)


class _Opened:
    """Awaits the dialog the way ui.dialog does (open, wait for submit, close)."""

    def __init__(self, dialog: ui.dialog) -> None:
        self.dialog = dialog

    def __await__(self):
        return ui.dialog.__await__(self.dialog)


async def _native_choice(start: str) -> str | None | bool:
    """The native dialog's answer (a path or None when cancelled); False when there is no native window."""
    if not is_native():
        return False
    try:
        return await native_folder_dialog(start)
    except Exception as exc:  # a broken native dialog must not block adding folders: use the browser
        log.warning("Native folder dialog failed (%s); using the built-in folder browser", exc)
        return False
