"""The editor's note when the .txt/.caption beside the open image changed on disk, with "Take the file's text"."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable

from nicegui import ui

from app.services.captions.caption_shapes import CaptionFileChange


class FileChangeNote(ui.column):
    """Hidden until `show(change)` gets a row of caption_file_changes; `on_take()` saves the file's text."""

    def __init__(self, on_take: Callable[[], Awaitable[None]]) -> None:
        super().__init__()
        self.classes("w-full gap-1 rounded border border-amber-300 bg-amber-50 p-2").mark("file-change-note")
        with self:
            self.title = ui.label().classes("text-xs font-semibold text-amber-900").mark("file-change-title")
            self.file_text = (
                ui.label().classes("text-xs whitespace-pre-wrap break-words w-full").mark("file-change-text")
            )
            ui.button("Take the file's text", icon="file_download_done", on_click=on_take).props(
                "flat dense size=sm no-caps color=amber-10"
            ).mark("take-file-text")
        self.set_visibility(False)

    def show(self, change: CaptionFileChange | None) -> None:
        """The note for this change, or nothing when the file beside the image did not change."""
        self.set_visibility(change is not None)
        if change is None:
            return
        extension = os.path.splitext(change.caption_path or "")[1] or ".txt"
        self.title.text = f"The {extension} beside the image changed on disk. It now says:"
        self.file_text.text = change.file_text  # plain text: a label never renders HTML
