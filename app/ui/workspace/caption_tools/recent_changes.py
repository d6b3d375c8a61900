"""RecentChangesDialog: the caption set's recent batch edits, each undoable as a whole.

An undo is itself a batch (listed as "Undo of ..."), so undoing it redoes the edit. Captions edited
again since a batch are left as they are, and the message says how many.
"""

from __future__ import annotations

from datetime import datetime

from nicegui import run, ui

from app.db import Database
from app.errors import CaptionForgeError
from app.services.captions import batch_edits
from app.services.captions.caption_shapes import Batch


class RecentChangesDialog(ui.dialog):
    """`await RecentChangesDialog(db, id).choose()`: True when a batch was undone (the grid should re-read its rows)."""

    def __init__(self, db: Database, caption_set_id: str) -> None:
        super().__init__()
        self.db = db
        self.caption_set_id = caption_set_id
        self.changed = False
        with self, ui.card().classes("w-[40rem] max-w-full gap-2"):
            ui.label("Recent changes").classes("text-lg font-semibold")
            self.list = ui.column().classes("w-full gap-1 max-h-[60vh] overflow-auto").mark("recent-batches")
            with ui.row().classes("w-full justify-end"):
                ui.button("Close", on_click=lambda: self.submit(self.changed)).props("flat no-caps")

    async def choose(self) -> bool:
        """Load the list, open the dialog and wait until it is closed; True when something was undone."""
        await self.refresh()
        return bool(await self)

    async def refresh(self) -> None:
        batches = await run.io_bound(batch_edits.recent_batches, self.db, self.caption_set_id)
        self.list.clear()
        with self.list:
            if not batches:
                ui.label("No batch edits in this caption set yet.").classes("text-sm text-gray-500")
            for batch in batches:
                self._row(batch)

    def _row(self, batch: Batch) -> None:
        with (
            ui.row()
            .classes("w-full items-center gap-2 no-wrap border-b border-gray-200 py-1")
            .mark("recent-batch")
        ):
            with ui.column().classes("grow gap-0 min-w-0"):
                ui.label(batch.label).classes("text-sm break-words").mark("recent-batch-label")
                when = datetime.fromisoformat(batch.created_date).strftime("%Y-%m-%d %H:%M")
                ui.label(f"{batch.count} captions · {when} UTC").classes("text-xs text-gray-500")
            if batch.undone:
                ui.label("undone").classes("text-xs text-gray-500").mark("recent-batch-undone")
            else:
                ui.button("Undo", icon="undo", on_click=lambda _, b=batch: self._undo(b)).props(
                    "flat dense no-caps"
                ).mark("recent-batch-undo")

    async def _undo(self, batch: Batch) -> None:
        try:
            result = await run.io_bound(batch_edits.undo_batch, self.db, batch.batch_id)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        self.changed = True
        message = f"Undone: {result.restored} captions restored"
        if result.skipped:
            message += f"; {result.skipped} edited since were left as they are"
        ui.notify(message, type="positive", multi_line=True)
        await self.refresh()
