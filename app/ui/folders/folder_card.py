"""One tracked folder in the Folders page list: counts, status, live scan progress and its actions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from app.services.folders.folder_shapes import Folder

Action = Callable[[str, Folder], Awaitable[None] | None]
FINISHED = ("done", "error", "cancelled")


class FolderCard(ui.card):
    """Calls `on_action(name, folder)` with name in open, scan, remeasure, stop, toggle, edit, remove,
    new_dataset (create a dataset from the folder), add_to_dataset."""

    def __init__(self, folder: Folder, on_action: Action, selected: bool = False) -> None:
        super().__init__()
        self.folder = folder
        self.on_action = on_action
        self.classes("w-full gap-1 p-3" + (" ring-2 ring-amber-400" if selected else "")).mark("folder-card")
        with self:
            self._build_heading()
            self._build_status()
            self._build_dataset_buttons()
            self._build_folder_buttons()

    def _build_heading(self) -> None:
        """The folder icon, name and path (a click opens it) and the enabled switch."""
        folder = self.folder
        with ui.row().classes("w-full items-center no-wrap gap-2"):
            ui.icon("folder" if folder["enabled"] else "folder_off", color="amber-7").classes("text-2xl")
            with (
                ui.column()
                .classes("gap-0 grow min-w-0 cursor-pointer")
                .on("click", lambda: self._act("open"))
            ):
                ui.label(folder["name"]).classes("font-semibold truncate").mark("folder-name")
                ui.label(folder["path"]).classes("text-xs text-gray-500 truncate").tooltip(folder["path"])
            ui.switch(value=folder["enabled"], on_change=lambda: self._act("toggle")).props("dense").tooltip(
                "Enabled"
            ).mark("folder-enabled")

    def _build_status(self) -> None:
        """The counts, the last scan's error, and the (hidden until a scan runs) progress bar."""
        folder = self.folder
        self.summary = ui.label(_summary(folder)).classes("text-sm text-gray-700").mark("folder-summary")
        if folder["last_scan_error"]:
            ui.label(folder["last_scan_error"]).classes("text-sm text-red-700").mark("folder-scan-error")
        with ui.column().classes("w-full gap-0") as self.progress_box:
            self.bar = ui.linear_progress(value=0, show_value=False).props("instant-feedback")
            self.progress_text = ui.label("").classes("text-xs text-gray-600").mark("folder-progress")
        self.progress_box.set_visibility(False)

    def _build_dataset_buttons(self) -> None:
        with ui.row().classes("gap-1"):
            ui.button(
                "Create dataset from this folder",
                icon="library_add",
                on_click=lambda: self._act("new_dataset"),
            ).props("dense no-caps color=primary").mark("folder-new-dataset")
            ui.button(
                "Add to dataset…", icon="playlist_add", on_click=lambda: self._act("add_to_dataset")
            ).props("flat dense no-caps").mark("folder-add-to-dataset")

    def _build_folder_buttons(self) -> None:
        """Open, Rescan, Re-measure, Stop (while scanning), Edit and Remove."""
        with ui.row().classes("gap-1"):
            ui.button("Open", icon="photo_library", on_click=lambda: self._act("open")).props(
                "flat dense no-caps"
            ).mark("folder-open")
            self.scan_button = (
                ui.button("Rescan", icon="sync", on_click=lambda: self._act("scan"))
                .props("flat dense no-caps")
                .mark("folder-rescan")
            )
            self.scan_button.set_enabled(self.folder["enabled"])
            ui.button("Re-measure", icon="insights", on_click=lambda: self._act("remeasure")).props(
                "flat dense no-caps"
            ).mark("folder-remeasure").tooltip(
                "Recompute quality for every file (after changing quality settings)"
            )
            self.stop_button = (
                ui.button("Stop", icon="stop", on_click=lambda: self._act("stop"))
                .props("flat dense no-caps")
                .mark("folder-stop")
            )
            self.stop_button.set_visibility(False)
            ui.button("Edit", icon="edit", on_click=lambda: self._act("edit")).props(
                "flat dense no-caps"
            ).mark("folder-edit")
            ui.button("Remove", icon="delete_outline", on_click=lambda: self._act("remove")).props(
                "flat dense no-caps color=negative"
            ).mark("folder-remove")

    def show_progress(self, payload: dict[str, Any]) -> None:
        """Live scan progress: a bar while files are processed, the final counts when done."""
        phase = payload.get("phase", "")
        self.progress_box.set_visibility(True)
        total, processed = payload.get("to_process", 0), payload.get("processed", 0)
        self.bar.set_value(processed / total if total else (1.0 if phase in FINISHED else 0.0))
        self.bar.set_visibility(phase not in FINISHED)
        self.scan_button.set_enabled(phase in FINISHED and self.folder["enabled"])
        self.stop_button.set_visibility(phase not in FINISHED)
        self.progress_text.set_text(progress_text(payload))

    def _act(self, name: str):
        return self.on_action(name, self.folder)


def progress_text(payload: dict[str, Any]) -> str:
    """One line a person can read: where the scan is and what it found so far."""
    phase = payload.get("phase", "")
    counts = (
        f"{payload.get('seen', 0)} seen · {payload.get('new', 0)} new · {payload.get('changed', 0)} changed · "
        f"{payload.get('unchanged', 0)} unchanged · {payload.get('broken', 0)} broken"
        + (
            f" · {payload['captions_changed']} caption files changed"
            if payload.get("captions_changed")
            else ""
        )
        + f" · {payload.get('captions_imported', 0)} captions imported"
    )
    if phase == "walking":
        return "Looking for images…"
    if phase == "processing":
        done, total = payload.get("processed", 0), payload.get("to_process", 0)
        return f"Scanning {done}/{total} · {counts} · {payload.get('rate', 0):.1f} files/s"
    if phase == "done":
        extra = f" · {payload['missing']} missing" if payload.get("missing") else ""
        if payload.get("ignored"):
            extra += f" · {payload['ignored']} other files ignored (not images, hidden or system files)"
        return f"Scan done in {payload.get('elapsed', 0):.1f} s: {counts}{extra}"
    if phase == "cancelled":
        return f"Scan stopped: {counts}"
    return f"Scan failed: {payload.get('error') or 'unknown error'}"


def _summary(folder: Folder) -> str:
    parts = [f"{folder['file_count']} images", f"{folder['total_size_mb']:.1f} MB"]
    if folder["missing_files"]:
        parts.append(f"{folder['missing_files']} missing")
    if folder["broken_files"]:
        parts.append(f"{folder['broken_files']} unreadable")
    parts.append(f"subfolders to depth {folder['max_depth']}" if folder["recursive"] else "this folder only")
    parts.append(
        "never scanned"
        if not folder["last_scanned"]
        else f"scanned {folder['last_scanned'][:16].replace('T', ' ')} UTC"
    )
    if not folder["enabled"]:
        parts.append("disabled")
    return " · ".join(parts)
