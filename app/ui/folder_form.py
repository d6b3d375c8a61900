"""The add-folder and edit-folder dialog: path (add only, with the folder picker), options, notes.

Awaited, it returns {"path"?, "name"?, "recursive", "max_depth", "notes"} or None when cancelled.
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.config import Settings
from app.ui.folder_picker import FolderPicker


class FolderFormDialog(ui.dialog):
    """`folder` None = add a new folder; a folder dict = edit that folder's name and options."""

    def __init__(self, settings: Settings, folder: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.settings, self.folder = settings, folder
        with self, ui.card().classes("w-[560px] max-w-[96vw] gap-3").mark("folder-form"):
            ui.label("Edit folder" if folder else "Add a folder").classes("text-lg font-semibold")
            if folder is None:
                with ui.row().classes("w-full items-center no-wrap"):
                    self.path = (
                        ui.input("Folder", placeholder="Browse or type the full path")
                        .classes("grow")
                        .mark("folder-form-path")
                    )
                    ui.button("Browse", icon="folder_open", on_click=self._browse).props("flat no-caps").mark(
                        "folder-form-browse"
                    )
                ui.label("Images stay where they are: CaptionForge only reads them.").classes(
                    "text-sm text-gray-600"
                )
            else:
                ui.label(folder["path"]).classes("text-sm text-gray-600 break-all")
                self.name = ui.input("Name", value=folder["name"]).classes("w-full").mark("folder-form-name")
            with ui.row().classes("items-center gap-6"):
                self.recursive = ui.switch(
                    "Include subfolders", value=folder["recursive"] if folder else True
                ).mark("folder-form-recursive")
                self.depth = (
                    ui.number("Max depth", value=folder["max_depth"] if folder else 3, min=0, max=32, step=1)
                    .classes("w-28")
                    .mark("folder-form-depth")
                )
                self.depth.bind_enabled_from(self.recursive, "value")
            self.follow_links = ui.checkbox(
                "Follow links inside the folder", value=bool((folder or {}).get("follow_links"))
            ).mark("folder-form-follow-links")
            self.follow_links.tooltip("Links that lead outside the folder are never followed.")
            self.notes = (
                ui.textarea("Notes", value=(folder or {}).get("notes") or "")
                .props("autogrow")
                .classes("w-full")
                .mark("folder-form-notes")
            )
            self.error = ui.label("").classes("text-sm text-red-700").mark("folder-form-error")
            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=lambda: self.submit(None)).props("flat")
                ui.button("Save" if folder else "Add and scan", on_click=self._save).mark("folder-form-save")

    async def _browse(self) -> None:
        chosen = await FolderPicker(
            self.settings, "Choose the folder to track", start=self.path.value or None
        )
        if chosen:
            self.path.set_value(chosen)

    def _save(self) -> None:
        values: dict[str, Any] = {
            "recursive": bool(self.recursive.value),
            "max_depth": int(self.depth.value or 0),
            "notes": (self.notes.value or "").strip(),
            "follow_links": bool(self.follow_links.value),
        }
        if self.folder is None:
            path = (self.path.value or "").strip()
            if not path:
                self.error.set_text("Choose a folder first (Browse, or type its full path).")
                return
            values["path"] = path
        else:
            values["name"] = (self.name.value or "").strip() or self.folder["name"]
        self.submit(values)
