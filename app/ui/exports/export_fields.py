"""The option inputs of the export dialog, written into one dict of flat option values (ExportOptions names)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

FORMATS = {"original": "Keep format", "jpeg": "JPEG", "png": "PNG", "webp": "WebP"}
MISSING = {
    "skip": "Skip the image",
    "empty": "Export an empty caption",
    "imported": "Use the imported caption",
}
MANIFESTS = {"none": "No manifest", "json": "manifest.json", "csv": "manifest.csv"}


class ExportFields(ui.column):
    """Every export option; `values` is updated in place and `on_change()` called after each edit."""

    def __init__(self, values: dict[str, Any], on_change: Callable[[], Any]) -> None:
        super().__init__()
        self.values = values
        self.on_change = on_change
        self.classes("w-full gap-2")
        with self:
            self.layout_box = ui.column().classes("w-full gap-1")
            self.render_layout()
            with ui.expansion("Naming", icon="pin").classes("w-full").mark("export-naming"):
                with ui.row().classes("items-center gap-3"):
                    self._select("naming", {"numbered": "Numbered", "original": "Original names"}, "Names")
                    self._number("numbering_start", "Start at", 0).mark("export-numbering-start")
                    self._number("numbering_padding", "Digits", 1).mark("export-numbering-padding")
            with ui.expansion("Images", icon="image").classes("w-full").mark("export-images"):
                with ui.row().classes("items-center gap-3"):
                    self._select("image_format", FORMATS, "Format").mark("export-format")
                    self._number("target_resolution", "Long side px", 0).props(
                        'hint="empty: keep the size"'
                    ).mark("export-resolution")
                    self._check("upscale", "Upscale smaller images")
                with ui.row().classes("items-center gap-3"):
                    self._number("jpeg_quality", "JPEG/WebP quality", 1)
                    self._number("png_compression", "PNG compression (0-9)", 0)
                    ui.color_input(
                        "Background for JPEG",
                        value=self.values["background"],
                        on_change=lambda e: self._set("background", e.value),
                    ).classes("w-48")
                ui.label(
                    "Metadata (EXIF, XMP, comments) is always removed; colours are converted to sRGB."
                ).classes("text-xs text-gray-500")
            with ui.expansion("Captions and filters", icon="notes").classes("w-full").mark("export-captions"):
                with ui.row().classes("items-center gap-3"):
                    self._select("caption_extension", {"txt": ".txt", "caption": ".caption"}, "Caption files")
                    self._select("missing_caption", MISSING, "Images without a caption").mark(
                        "export-missing"
                    )
                    self._check("single_line", "One line per caption")
                with ui.row().classes("items-center gap-3"):
                    self._number("min_quality_score", "Minimum quality (0-1)", 0, step=0.05).mark(
                        "export-min-quality"
                    )
                    flags = ui.input(
                        "Leave out flags (comma separated)", value=", ".join(values["exclude_flags"])
                    )
                    flags.on_value_change(lambda e: self._set("exclude_flags", _split(e.value)))
                    flags.classes("w-64").mark("export-exclude-flags")
                    self._select("manifest", MANIFESTS, "Manifest").mark("export-manifest")

    def render_layout(self) -> None:
        """The preset's layout fields (kohya folder name, OneTrainer concept); rebuilt when the preset changes."""
        self.layout_box.clear()
        with self.layout_box:
            layout = self.values["layout"]
            if layout == "kohya":
                with ui.row().classes("items-center gap-3"):
                    self._number("repeats", "Repeats", 1).classes("w-24").mark("export-repeats")
                    self._input("trigger", "Trigger word").props('hint="empty: the caption set\'s"').mark(
                        "export-trigger"
                    )
                    self._input("class_tokens", "Class").props('hint="e.g. woman"').mark("export-class")
                    self._check("kohya_toml", "Also write dataset.toml")
            elif layout == "onetrainer":
                with ui.row().classes("items-center gap-3"):
                    self._input("concept_name", "Concept folder").mark("export-concept")
                    self._number("repeats", "Repeats", 1).classes("w-24").mark("export-repeats")

    def _set(self, key: str, value: Any) -> None:
        self.values[key] = value
        self.on_change()

    def _select(self, key: str, options: dict[str, str], label: str) -> ui.select:
        return ui.select(
            options, label=label, value=self.values[key], on_change=lambda e: self._set(key, e.value)
        ).classes("min-w-40")

    def _number(self, key: str, label: str, minimum: float, step: float = 1) -> ui.number:
        def changed(e) -> None:
            value = e.value
            if value is not None and step == 1:
                value = int(value)
            self._set(key, value)

        return ui.number(label, value=self.values[key], min=minimum, step=step, on_change=changed).classes(
            "w-40"
        )

    def _input(self, key: str, label: str) -> ui.input:
        return ui.input(label, value=self.values[key], on_change=lambda e: self._set(key, e.value))

    def _check(self, key: str, label: str) -> ui.checkbox:
        return ui.checkbox(label, value=self.values[key], on_change=lambda e: self._set(key, e.value))


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]
