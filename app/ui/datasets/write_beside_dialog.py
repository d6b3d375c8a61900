"""WriteBesideDialog: "Write .txt beside the originals": the preview, Confirm, then the result with Undo.

Opened from a caption set's menu with the plan already made (caption_files_beside.plan_write_beside).
Awaited: the write's summary (or None when cancelled or undone).
"""

from __future__ import annotations

from nicegui import ui

from app.container import AppServices
from app.services.captions.caption_shapes import WriteBesidePlan, WriteBesideResult
from app.services.exports import caption_files_beside as beside
from app.ui.datasets.write_beside_history import WriteBesideHistory, undo_message
from app.ui.service_dialog import ServiceDialog

SHOWN = 200  # at most this many files listed; the rest as "and N more"


class WriteBesideDialog(ServiceDialog):
    def __init__(self, services: AppServices, plan: WriteBesidePlan) -> None:
        super().__init__()
        self.services, self.plan = services, plan
        self.result: WriteBesideResult | None = None
        with self, ui.card().classes("w-[36rem] max-w-full gap-2").mark("write-beside-dialog") as self.card:
            self._preview()

    def _preview(self) -> None:
        plan, counts = self.plan, self.plan.counts
        ext = plan.extension
        ui.label(f"Write {ext} beside the originals").classes("text-base font-semibold")
        ui.label(
            f"The captions of “{plan.caption_set_name}” are written as <image name>{ext} in the "
            "images' own folders. Files it overwrites are backed up first, and you can undo."
        ).classes("text-sm text-gray-600")
        ui.label(
            f"{counts.write} to write: {counts.create} new, {counts.overwrite} overwritten; "
            f"{counts.skipped} skipped"
        ).classes("text-sm font-medium").mark("write-beside-counts")
        overwritten = [w for w in plan.writes if w.exists]
        if overwritten:
            ui.label("These files will be overwritten:").classes("text-sm")
            with ui.scroll_area().classes("w-full h-40 border rounded").mark("write-beside-overwrites"):
                for item in overwritten[:SHOWN]:
                    ui.label(f"{item.target} (now: {_short(item.current_text)})").classes(
                        "text-xs font-mono break-all"
                    )
                _more(len(overwritten))
        if plan.skipped:
            with ui.expansion(f"Skipped ({counts.skipped})").classes("w-full text-sm"):
                with ui.column().classes("gap-0").mark("write-beside-skipped"):
                    for item in plan.skipped[:SHOWN]:
                        ui.label(f"{item.filename}: {item.reason}").classes("text-xs break-all")
                    _more(len(plan.skipped))
        with ui.expansion("Earlier writes of this set").classes("w-full text-sm"):
            WriteBesideHistory(self.services.settings, plan.caption_set_id)
        self.error_line("write-beside-error")
        if counts.write:
            self.buttons(f"Write {counts.write} files", self._confirm, "write-beside-confirm", icon="save")
        else:
            ui.label("Nothing to write.").classes("text-sm").mark("write-beside-nothing")
            self.buttons("Close", lambda: self.submit(None), "write-beside-close")

    async def _confirm(self) -> None:
        settings = self.services.settings
        ok, result = await self.attempt(
            beside.write_beside,
            self.services.db,
            settings.data_dir,
            self.plan.caption_set_id,
            self.plan.extension,
            keep=settings["export"]["caption_backups_kept"],
        )
        if not ok:
            return
        self.result = result
        message = f"Wrote {result.written} caption files ({result.overwritten} overwritten, backed up)"
        ui.notify(message, type="positive", multi_line=True)
        self.card.clear()
        with self.card:
            ui.label(message).classes("text-sm").mark("write-beside-done")
            ui.label(f"Backup: caption-backups/{result.backup_id} in the data folder").classes(
                "text-xs text-gray-500"
            )
            self.error_line("write-beside-error")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Undo", icon="undo", on_click=self._undo).props("flat").mark("write-beside-undo")
                ui.button("Close", on_click=lambda: self.submit(self.result)).mark("write-beside-close")

    async def _undo(self) -> None:
        backup_id = self.result.backup_id if self.result else ""
        ok, undone = await self.attempt(beside.undo_write_beside, self.services.settings.data_dir, backup_id)
        if not ok:
            return
        ui.notify(undo_message(undone), type="positive", multi_line=True)
        self.submit(None)


def _short(text: str | None, limit: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _more(total: int) -> None:
    if total > SHOWN:
        ui.label(f"… and {total - SHOWN} more").classes("text-xs text-gray-500")
