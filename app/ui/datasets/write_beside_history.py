"""Past writes of a caption set beside the images: when, how many files, and Undo for each still undoable."""

from __future__ import annotations

from datetime import datetime

from nicegui import run, ui

from app.config import Settings
from app.errors import CaptionForgeError
from app.services.captions.caption_shapes import BesideUndone, BesideWriteRecord
from app.services.exports import caption_files_beside as beside


class WriteBesideHistory(ui.column):
    """The list, newest first; Undo restores that write's backup and refreshes the list."""

    def __init__(self, settings: Settings, caption_set_id: str) -> None:
        super().__init__()
        self.settings, self.caption_set_id = settings, caption_set_id
        self.classes("w-full gap-1").mark("write-beside-history")
        self.refresh()

    def refresh(self) -> None:
        settings = self.settings
        writes = beside.list_writes(settings.data_dir, self.caption_set_id)
        self.clear()
        with self:
            if not writes:
                ui.label("No earlier writes of this set.").classes("text-xs text-gray-500")
                return
            kept = settings["export"]["caption_backups_kept"]
            ui.label(f"Earlier writes (the backups of the last {kept} are kept)").classes("text-sm")
            for write in writes:
                self._row(write)

    def _row(self, write: BesideWriteRecord) -> None:
        with (
            ui.row().classes("w-full items-center no-wrap gap-2").mark(f"write-beside-past-{write.backup_id}")
        ):
            text = f"{_when(write.created)}: {write.files} files ({write.overwritten} overwritten)"
            ui.label(text + (" · undone" if write.undone else "")).classes("text-xs grow")
            if write.can_undo:
                ui.button("Undo", on_click=lambda: self._undo(write.backup_id)).props(
                    "flat dense no-caps size=sm"
                ).mark(f"write-beside-past-undo-{write.backup_id}")

    async def _undo(self, backup_id: str) -> None:
        try:
            undone = await run.io_bound(beside.undo_write_beside, self.settings.data_dir, backup_id)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        ui.notify(undo_message(undone), type="positive", multi_line=True)
        self.refresh()


def undo_message(undone: BesideUndone) -> str:
    """What an undo did, in one line (the dialog's Undo and the list's say the same)."""
    message = f"Undone: {undone.restored} files restored, {undone.removed} removed"
    if undone.kept:
        message += f"; {len(undone.kept)} changed since were left as they are"
    return message


def _when(created: str) -> str:
    """The local date and time of an ISO timestamp, or the text as stored when it is not one."""
    try:
        return datetime.fromisoformat(created).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return created or "unknown time"
