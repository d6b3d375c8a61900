"""CropDialog: drag a crop box over one image of a dataset (crop_box.js does the browser side).

Aspect presets lock the box's shape (the current box shrinks to it, on its centre); Reset is the whole image
again; Apply stores the crop for this dataset only (never in the file) and repaints the grid's thumbnail.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nicegui import run, ui

from app.db import Database
from app.errors import CaptionForgeError
from app.services.buckets import nearest_bucket
from app.services.crop_box import (
    ASPECTS,
    aspect_ratio,
    check_box,
    cropped_size,
    fit_aspect,
    is_whole,
    pixel_box,
)
from app.services.crops import crops

WHOLE = {"x": 0.0, "y": 0.0, "w": 1.0, "h": 1.0}
CSS = (Path(__file__).parent / "crop_box.css").read_text()


class CropBox(ui.element, component="crop_box.js"):
    """The image with the draggable box; `box` is normalised, `ratio` (width / height) locks the aspect."""

    def __init__(self, src: str, box: dict[str, float] | None, on_change: Callable[[dict], None]) -> None:
        super().__init__()
        self._props["src"] = src
        self._props["box"] = box or WHOLE
        self._props["ratio"] = None
        self.on("change", lambda event: on_change(event.args))

    def show(self, box: dict[str, float] | None, ratio: float | None) -> None:
        self._props["box"] = dict(box or WHOLE)
        self._props["ratio"] = ratio
        self.update()


def aspect_options(width: int, height: int) -> dict[str, str]:
    """The preset choices, the bucket one named with the bucket this image is nearest to."""
    options = {aspect: aspect for aspect in ASPECTS}
    options["free"] = "Free"
    options["bucket"] = (
        f"Nearest bucket ({nearest_bucket(width, height)})" if width and height else "Nearest bucket"
    )
    return options


def crop_button(db: Database, shown: Callable[[], dict[str, Any] | None]) -> ui.button:
    """The editor's "Crop" button; `shown()` is the open image's captions.get_caption info, or None."""
    dialog = CropDialog(db)

    async def _open() -> None:
        info = shown()
        if info:
            file = info["file"]
            await dialog.open_for(
                info["caption_set"]["dataset_id"], file["id"], file["image_url"], file["filename"]
            )

    return ui.button("Crop", icon="crop", on_click=_open).props("flat no-caps").mark("editor-crop")


class CropDialog(ui.dialog):
    """Crop one member; `open_for(dataset_id, file_id, image_url, filename)` loads and shows it. The crops
    service tells open grids of a saved crop."""

    def __init__(self, db: Database, on_saved: Callable[[str, list[str]], None] | None = None) -> None:
        super().__init__()
        ui.add_css(CSS)  # once per page: the dialog is made once, its CropBox on every open
        self.db = db
        self._on_saved = on_saved
        self.dataset_id = self.file_id = None
        self.width = self.height = 0
        self.box: dict[str, float] = dict(WHOLE)
        with self, ui.card().classes("min-w-[22rem] max-w-[90vw]").mark("crop-dialog"):
            self.title = ui.label().classes("text-base font-semibold")
            self.area = ui.element("div").classes("w-full flex justify-center")
            with ui.row().classes("w-full items-center gap-2"):
                self.aspect = (
                    ui.select({}, label="Aspect", on_change=self._aspect_changed)
                    .props("dense outlined options-dense")
                    .classes("w-56")
                    .mark("crop-aspect")
                )
                self.size_label = ui.label().classes("text-xs text-gray-600").mark("crop-size")
            ui.label("Drag to draw or move · corner resizes · arrows move · Shift+arrows resize").classes(
                "text-xs text-gray-500"
            )
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Reset", icon="crop_free", on_click=self._reset).props("flat no-caps").mark(
                    "crop-reset"
                )
                ui.button("Cancel", on_click=self.close).props("flat no-caps").mark("crop-cancel")
                ui.button("Apply", icon="crop", on_click=self._apply).props("no-caps").mark("crop-apply")
        self.editor: CropBox | None = None

    async def open_for(self, dataset_id: str, file_id: str, image_url: str, filename: str) -> None:
        try:
            info = await run.io_bound(crops.get_crop, self.db, dataset_id, file_id)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative")
            return
        self.dataset_id, self.file_id = dataset_id, file_id
        self.width, self.height = info.width or 0, info.height or 0
        self.box = dict(info.crop or WHOLE)
        self.title.text = f"Crop {filename} (this dataset only; the file is not changed)"
        self.aspect.set_options(aspect_options(self.width, self.height), value="free")
        self.area.clear()
        with self.area:
            self.editor = CropBox(image_url, self.box, self._dragged).mark("crop-editor")
        self._show_size()
        self.open()

    def _ratio(self) -> float | None:
        return aspect_ratio(self.aspect.value or "free", self.width, self.height)

    def _dragged(self, box: dict[str, Any]) -> None:
        try:
            self.box = check_box(box, self.width, self.height)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="warning")
            return
        if self.editor is not None:
            self.editor._props["box"] = dict(self.box)  # the browser has it already: no update
        self._show_size()

    def _aspect_changed(self) -> None:
        if self.editor is None:
            return
        ratio = self._ratio()
        self.box = fit_aspect(self.box, self.width, self.height, ratio)
        self.editor.show(self.box, ratio)
        self._show_size()

    def _reset(self) -> None:
        self.box = dict(WHOLE)
        self.aspect.value = "free"
        if self.editor is not None:
            self.editor.show(self.box, None)
        self._show_size()

    def _show_size(self) -> None:
        if not self.width or not self.height:
            self.size_label.text = ""
            return
        if is_whole(self.box):
            self.size_label.text = f"Whole image, {self.width} x {self.height} px"
            return
        left, top, _, _ = pixel_box(self.box, self.width, self.height)
        width, height = cropped_size(self.width, self.height, self.box)
        self.size_label.text = f"{width} x {height} px at {left}, {top} of {self.width} x {self.height}"

    async def _apply(self) -> None:
        db, dataset_id, file_id = self.db, self.dataset_id, self.file_id
        try:
            if is_whole(self.box):
                await run.io_bound(crops.clear_crop, db, dataset_id, file_id)
            else:
                await run.io_bound(crops.set_crop, db, dataset_id, file_id, self.box)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        if self._on_saved is not None:
            self._on_saved(dataset_id, [file_id])
        ui.notify("Crop saved (exports and the thumbnail use it)", type="positive", timeout=1200)
        self.close()
