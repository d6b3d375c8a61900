"""Settings → Editing and export: save-on-leave, training resolution, thumbnail size and export defaults.

Saved through app.services.system.update_config (validated, applied at once, written to settings.yaml).
"""

from __future__ import annotations

from typing import Any

from nicegui import run, ui

from app.config import Settings
from app.errors import CaptionForgeError
from app.services.system import update_config

ON_NAVIGATE = {
    "ask": "Ask (Save / Discard / Stay)",
    "save": "Save it",
    "discard": "Discard it",
}
# (section, key, label, kind, extra props): the fields of this section, in order.
FIELDS: list[tuple[str, str, str, str, dict[str, Any]]] = [
    ("image_processing", "training_resolution", "Training resolution (px)", "int", {"min": 64, "max": 8192}),
    ("thumbnails", "size", "Thumbnail size (px, new thumbnails)", "int", {"min": 64, "max": 1024}),
    ("export", "default_path", "Export folder (empty = <data dir>/exports)", "text", {}),
    ("export", "jpeg_quality", "JPEG quality", "int", {"min": 1, "max": 100}),
    ("export", "png_compression", "PNG compression (0-9)", "int", {"min": 0, "max": 9}),
    ("export", "caption_extension", "Caption file extension", "text", {}),
    ("export", "numbering_padding", "Number padding (digits)", "int", {"min": 0, "max": 12}),
    (
        "export",
        "caption_backups_kept",
        "Backups kept per caption set (writes beside images)",
        "int",
        {"min": 1},
    ),
]


class WorkspaceSettings(ui.column):
    """One form for the editor's save-on-leave choice, image sizes and export defaults, with a Save button."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.classes("gap-2 w-full").mark("workspace-settings")
        self.settings = settings
        self.inputs: dict[tuple[str, str], Any] = {}
        with self:
            ui.label("Editing and export").classes("text-lg font-semibold")
            self.on_navigate = (
                ui.select(
                    ON_NAVIGATE,
                    value=settings["editor"]["on_navigate"],
                    label="Leaving an image with an unsaved caption",
                )
                .classes("w-96 max-w-full")
                .mark("settings-on_navigate")
            )
            with ui.grid(columns=2).classes("w-full gap-2"):
                for section, key, label, kind, limits in FIELDS:
                    value = settings[section][key]
                    if kind == "int":
                        field = ui.number(label, value=value, precision=0, **limits)
                    else:
                        field = ui.input(label, value=value)
                    self.inputs[(section, key)] = field.mark(f"settings-{section}-{key}")
            ui.button("Save", icon="save", on_click=self.save).mark("workspace-settings-save")

    def patch(self) -> dict[str, dict[str, Any]]:
        """The form as a settings patch in the settings.yaml shape."""
        patch: dict[str, dict[str, Any]] = {"editor": {"on_navigate": self.on_navigate.value}}
        for (section, key), field in self.inputs.items():
            value = field.value
            if isinstance(field, ui.number):
                value = None if value is None else int(value)
            else:
                value = (value or "").strip()
            patch.setdefault(section, {})[key] = value
        return patch

    async def save(self) -> None:
        patch = self.patch()
        empty = [f"{s}.{k}" for s, entries in patch.items() for k, v in entries.items() if v is None]
        if empty:
            ui.notify(f"Enter a number for {', '.join(empty)}", type="warning")
            return
        try:
            await run.io_bound(update_config, self.settings, patch)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        ui.notify("Editing and export settings saved", type="positive")
