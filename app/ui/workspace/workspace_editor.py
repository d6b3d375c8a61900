"""The workspace's editor column and how it follows the grid: open, move, close, keep the draft, follow changes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from nicegui import ui

from app.container import AppServices
from app.errors import CaptionForgeError, NotFound
from app.ui.workspace.editor.caption_editor import CaptionEditor
from app.ui.workspace.workspace_panels import close_button
from app.ui.workspace.workspace_state import RowsChange, WorkspaceState

if TYPE_CHECKING:
    from app.ui.workspace.grid.thumb_grid import ThumbGrid

log = logging.getLogger("app.ui.workspace")


class WorkspaceEditor:
    """The caption editor of one page visit; the grid's focus and selection follow the image it shows."""

    def __init__(
        self,
        services: AppServices,
        state: WorkspaceState,
        grid: ThumbGrid,
        *,
        on_shown: Callable[[bool], None],
        on_saved: Callable[[dict[str, Any]], None],
        on_selection_changed: Callable[[], None],
    ) -> None:
        """on_shown(bool): an image opened or the editor closed (tablets slide the editor panel)."""
        self.services, self.state, self.grid = services, state, grid
        self.on_shown, self._on_saved = on_shown, on_saved
        self._on_selection_changed = on_selection_changed

    def build(self) -> None:
        """The editor column: its title, the close control and the editor."""
        with ui.row().classes("w-full items-center no-wrap gap-1"):
            ui.label("Caption editor").classes("text-base font-semibold")
            ui.space()
            close_button("editor-close", "Close the editor", self.back_to_grid)
        self.caption_editor = CaptionEditor(
            self.services,
            on_move=self.move,
            on_saved=self._on_saved,
            on_escape=self.back_to_grid,
        )

    async def leave(self) -> bool:
        """Before showing something else: save or ask about the draft. False means stay on this image."""
        return await self.caption_editor.leave()

    def clear(self) -> None:
        """Show no image (another dataset or caption set is shown)."""
        self.caption_editor.close()
        self.state.file_id = None

    async def open_file(self, file_id: str) -> None:
        """Show a file in the editor, after the current draft is saved (or the user chose to stay)."""
        if self.state.caption_set_id is None:
            ui.notify("This dataset has no caption set yet: create one in the left column", type="warning")
            return
        if file_id == self.state.file_id:
            self.grid.focus_file(file_id, scroll=False)
            return
        previous = self.state.file_id
        if not await self.caption_editor.leave():
            if previous:
                self.grid.follow_open(file_id, previous)  # a click on the tile had selected it: undo that
                self.grid.focus_file(previous)
            return
        started = time.perf_counter()
        try:
            await self.caption_editor.open(self.state.caption_set_id, file_id)
        except NotFound as exc:
            ui.notify(str(exc), type="negative")
            return
        self.state.file_id = file_id
        self.on_shown(True)
        self.grid.follow_open(previous, file_id)
        self.grid.focus_file(file_id)
        self._on_selection_changed()
        log.debug("workspace: opened %s in %.1f ms", file_id, (time.perf_counter() - started) * 1000)

    def back_to_grid(self) -> None:
        """Esc or the close control: back to the grid (on a tablet or phone the editor panel slides away)."""
        self.on_shown(False)
        self.grid.focus_grid()

    async def move(self, step: int) -> None:
        """Previous (-1) or next (+1) image in the grid's order."""
        target = self.grid.neighbour(self.state.file_id, step)
        if target is None:
            ui.notify("That was the last image" if step > 0 else "That was the first image", timeout=900)
            return
        await self.open_file(target)

    async def follow(self, change: RowsChange, changed_ids: set[str]) -> None:
        """The refresh path's editor step: close on a removed image, reload a caption changed elsewhere."""
        editor = self.caption_editor
        if self.state.file_id in change.removed:
            editor.close()
            self.state.file_id = None
            self.grid.focus_file(None)
        if change.event is not None:
            await editor.external_change(change.event)  # its own save, or one being edited, stays
        if not change.captions:
            return
        if editor.file_id in changed_ids and editor.caption_set_id and not editor.dirty:
            await editor.open(editor.caption_set_id, editor.file_id)
        tag_tools = getattr(editor, "tag_tools", None)
        if tag_tools is not None:
            await tag_tools.refresh_vocabulary()

    async def save_on_close(self) -> None:
        """The tab closed or lost its connection: store the draft rather than lose it."""
        editor = self.caption_editor
        if not editor.dirty:
            return
        try:
            await editor.save(interactive=False)
        except CaptionForgeError as exc:
            # A newer caption exists (or the text is invalid): keep theirs, log ours so it can be recovered.
            log.warning(
                "Unsaved caption of file %s not stored on close (%s); the draft was: %r",
                editor.file_id,
                exc,
                editor.text.value,
            )
