"""CentreCropDialog: "centre-crop the selection to <aspect>", with a preview of the cropped thumbnails and
an Undo once applied (the batch is kept in crop_revisions, like a caption batch edit)."""

from __future__ import annotations

from nicegui import run, ui

from app.db import Database
from app.errors import CaptionForgeError
from app.services.crops import crops
from app.services.thumbnails import thumbnail_url
from app.ui.workspace.crop.crop_dialog import aspect_options

PREVIEW_TILES = 12


class CentreCropDialog(ui.dialog):
    """Preview, apply and undo the centre-crop of `file_ids` in a dataset (the crops service tells open grids)."""

    def __init__(self, db: Database, dataset_id: str, file_ids: list[str]) -> None:
        super().__init__()
        self.db, self.dataset_id, self.file_ids = db, dataset_id, list(file_ids)
        self.batch_id: str | None = None
        options = {k: v for k, v in aspect_options(0, 0).items() if k != "free"}
        with self, ui.card().classes("min-w-[24rem] max-w-[90vw]").mark("centre-crop-dialog"):
            ui.label(f"Centre-crop {len(self.file_ids)} selected images").classes("text-base font-semibold")
            self.aspect = (
                ui.select(options, value="1:1", label="Aspect", on_change=self.load)
                .props("dense outlined options-dense")
                .classes("w-56")
                .mark("centre-crop-aspect")
            )
            self.summary = ui.label().classes("text-sm").mark("centre-crop-summary")
            self.tiles = ui.row().classes("w-full gap-1").mark("centre-crop-preview")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Close", on_click=self.close).props("flat no-caps").mark("centre-crop-close")
                self.undo_button = (
                    ui.button("Undo", icon="undo", on_click=self._undo)
                    .props("flat no-caps")
                    .mark("centre-crop-undo")
                )
                self.apply_button = (
                    ui.button("Apply", icon="crop", on_click=self._apply)
                    .props("no-caps")
                    .mark("centre-crop-apply")
                )
        self.undo_button.set_visibility(False)

    async def load(self) -> None:
        """Show what the chosen aspect would change (nothing is stored)."""
        try:
            preview = await run.io_bound(
                crops.preview_centre_crop,
                self.db,
                self.dataset_id,
                self.file_ids,
                self.aspect.value,
                PREVIEW_TILES,
            )
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative")
            return
        skipped = f"; {len(preview.skipped)} skipped (size unknown)" if preview.skipped else ""
        self.summary.text = f"{preview.label}: {preview.total} of {len(self.file_ids)} images change{skipped}"
        self.apply_button.set_enabled(preview.total > 0)
        self.tiles.clear()
        with self.tiles:
            for sample in preview.samples:
                tile = ui.image(thumbnail_url(sample.file_id, None, sample.after))
                tile.classes("w-20 h-20 bg-slate-100 rounded").props("fit=contain")
                tile.props["alt"] = f"{sample.filename}, cropped"  # a prop value, never parsed as markup

    async def _apply(self) -> None:
        try:
            result = await run.io_bound(
                crops.apply_centre_crop, self.db, self.dataset_id, self.file_ids, self.aspect.value
            )
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative")
            return
        self.batch_id = result.batch_id
        self.summary.text = f"{result.label}: {result.changed} crops changed (Undo puts them back)"
        self.apply_button.set_visibility(False)
        self.undo_button.set_visibility(bool(self.batch_id))
        ui.notify(f"{result.changed} images centre-cropped", type="positive", timeout=1200)

    async def _undo(self) -> None:
        if not self.batch_id:
            return
        try:
            result = await run.io_bound(crops.undo_crop_batch, self.db, self.batch_id)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative")
            return
        kept = f", {result.skipped} cropped again since were kept" if result.skipped else ""
        self.summary.text = f"Undone: {result.restored} crops put back{kept}"
        self.undo_button.set_visibility(False)
        self.batch_id = None
