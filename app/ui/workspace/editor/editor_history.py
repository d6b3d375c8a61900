"""EditorHistory: a caption's revisions, newest first, each with Restore."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import run, ui

from app.db import Database
from app.errors import CaptionForgeError
from app.services.captions import captions
from app.services.captions.caption_shapes import CaptionRevision

CHANGE_LABELS = {
    "manual": "edited",
    "generated": "generated",
    "batch": "batch edit",
    "import": "imported",
    "revert": "restored",
    "delete": "deleted",
}


class EditorHistory(ui.expansion):
    """Lists the revisions of the caption shown in the editor; `on_restore(caption)` after a restore."""

    def __init__(self, db: Database, on_restore: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        super().__init__("History", icon="history")
        self.classes("w-full").props("dense header-class='px-0'").mark("editor-history")
        self.db, self._on_restore = db, on_restore
        self._caption_id: str | None = None
        self.on_value_change(self._opened)
        with self:
            self._list = ui.column().classes("w-full gap-1")

    async def show(self, caption_id: str | None) -> None:
        """Follow another caption; the list loads when the panel is open."""
        self._caption_id = caption_id
        if self.value:
            await self.reload()
        else:
            self._list.clear()

    async def reload(self) -> None:
        self._list.clear()
        if self._caption_id is None:
            with self._list:
                ui.label("No caption saved yet, so no history.").classes("text-xs text-gray-500")
            return
        revisions = await run.io_bound(captions.list_revisions, self.db, self._caption_id)
        with self._list:
            if not revisions:
                ui.label("No changes recorded yet.").classes("text-xs text-gray-500")
            for index, revision in enumerate(revisions):
                self._revision_row(revision, is_current=index == 0)

    def _revision_row(self, revision: CaptionRevision, *, is_current: bool) -> None:
        when = revision.created_date[:19].replace("T", " ")
        label = CHANGE_LABELS.get(revision.change_type, revision.change_type)
        with ui.column().classes("w-full gap-0 border-b pb-1").mark("history-revision"):
            with ui.row().classes("w-full items-center no-wrap gap-1"):
                ui.label(f"{when} · {label}" + (" · current" if is_current else "")).classes(
                    "text-xs text-gray-500 grow"
                )
                if not is_current:
                    ui.button("Restore", on_click=lambda r=revision: self._restore(r.id)).props(
                        "flat dense size=sm no-caps"
                    ).mark("history-restore")
            ui.label(revision.new_text or "(empty)").classes("text-xs whitespace-pre-wrap line-clamp-3")

    async def _opened(self) -> None:
        if self.value:
            await self.reload()

    async def _restore(self, revision_id: str) -> None:
        if self._caption_id is None:
            return
        try:
            caption = await run.io_bound(captions.revert_caption, self.db, self._caption_id, revision_id)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative")
            return
        await self._on_restore(caption.model_dump())
        await self.reload()
