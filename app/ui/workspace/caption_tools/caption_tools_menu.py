"""CaptionToolsMenu: the grid's "Caption tools" button: batch edit, find and replace, recent changes (undo)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from app.db import Database
from app.services.captions.caption_shapes import BatchApplied
from app.ui.workspace.caption_tools.batch_edit_dialog import BatchEditDialog
from app.ui.workspace.caption_tools.batch_preview import GridScope
from app.ui.workspace.caption_tools.find_replace_dialog import FindReplaceDialog
from app.ui.workspace.caption_tools.recent_changes import RecentChangesDialog

ScopeSource = Callable[[], GridScope | None]
ChangedHandler = Callable[[list[str] | None], Awaitable[None]]  # None: re-read every row


class CaptionToolsMenu(ui.button):
    """`scope()` says what the grid holds now; `on_changed(file_ids)` runs after captions changed."""

    def __init__(self, db: Database, scope: ScopeSource, on_changed: ChangedHandler) -> None:
        super().__init__("Caption tools", icon="edit_note")
        self.props("flat dense no-caps").mark("caption-tools")
        self.db, self._scope, self._on_changed = db, scope, on_changed
        with self, ui.menu():
            ui.menu_item("Batch edit…", self.batch_edit).mark("open-batch-edit")
            ui.menu_item("Find and replace…", self.find_replace).mark("open-find-replace")
            ui.menu_item("Recent changes (undo)…", self.recent_changes).mark("open-recent-changes")

    async def batch_edit(self) -> None:
        if scope := self._current():
            await self._applied(await BatchEditDialog(self.db, scope))

    async def find_replace(self) -> None:
        if scope := self._current():
            await self._applied(await FindReplaceDialog(self.db, scope))

    async def recent_changes(self) -> None:
        if (scope := self._current()) and await RecentChangesDialog(self.db, scope.caption_set_id).choose():
            await self._on_changed(None)

    async def _applied(self, result: BatchApplied | None) -> None:
        if result and result.changed:
            await self._on_changed(result.file_ids)

    def _current(self) -> GridScope | None:
        scope = self._scope()
        if scope is None:
            ui.notify("Pick a dataset with a caption set first", type="warning")
        return scope
