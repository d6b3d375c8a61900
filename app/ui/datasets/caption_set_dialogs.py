"""Dialogs for caption sets: create/edit (style, length, trigger phrase, model, prompt), duplicate, delete."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.core import current
from app.services.captions import caption_sets
from app.ui.service_dialog import ServiceDialog

STYLE_LABELS = {
    "natural_simple": "Natural, simple",
    "natural_detailed": "Natural, detailed",
    "tags": "Tags",
    "custom": "Custom prompt",
}


class CaptionSetDialog(ServiceDialog):
    """Awaited: the created or updated caption set dict, or None."""

    def __init__(self, dataset_id: str, caption_set: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.dataset_id, self.caption_set = dataset_id, caption_set
        values = caption_set or {}
        with self, ui.card().classes("w-[30rem] max-w-full gap-2").mark("caption-set-dialog"):
            ui.label("Edit caption set" if caption_set else "New caption set").classes(
                "text-base font-semibold"
            )
            self._build_naming(values)
            self._build_trigger(values)
            self._build_generation(values)
            self.init_imported = None
            if caption_set is None:
                self.init_imported = ui.checkbox("Start from the images' imported .txt captions").mark(
                    "caption-set-init-imported"
                )
            self.error_line("caption-set-dialog-error")
            self.buttons("Save" if caption_set else "Create", self.save, "caption-set-save")

    def _build_naming(self, values: dict[str, Any]) -> None:
        """Name, style and description."""
        self.name = (
            ui.input("Name", value=values.get("name", ""))
            .props("outlined dense autofocus")
            .classes("w-full")
            .mark("caption-set-name-input")
        )
        self.style_select = (
            ui.select(STYLE_LABELS, value=values.get("style", "natural_simple"), label="Style")
            .props("outlined dense")
            .classes("w-full")
            .mark("caption-set-style-input")
        )
        self.description = (
            ui.input("Description", value=values.get("description") or "")
            .props("outlined dense")
            .classes("w-full")
        )

    def _build_trigger(self, values: dict[str, Any]) -> None:
        """Max length, trigger phrase and whether every caption starts with it."""
        with ui.row().classes("w-full no-wrap gap-2"):
            self.max_length = (
                ui.number("Max length (characters)", value=values.get("max_length"), min=1, precision=0)
                .props("outlined dense clearable")
                .classes("w-1/2")
                .mark("caption-set-max-length-input")
            )
            self.trigger = (
                ui.input("Trigger phrase", value=values.get("trigger_phrase") or "")
                .props("outlined dense")
                .classes("w-1/2")
                .tooltip("Put at the start of generated captions, e.g. 'Nova Chorus, a woman'")
                .mark("caption-set-trigger-input")
            )
        self.ensure_trigger = ui.switch(
            "Every caption starts with the trigger phrase (on save and at export)",
            value=bool(values.get("ensure_trigger", True)),
        ).mark("caption-set-ensure-trigger")

    def _build_generation(self, values: dict[str, Any]) -> None:
        """The vision model and the custom prompt (shown for the custom style)."""
        self.model = (
            ui.input(
                "Vision model (empty: the default from Settings)", value=values.get("vision_model") or ""
            )
            .props("outlined dense")
            .classes("w-full")
        )
        self.prompt = (
            ui.textarea("Custom generation prompt", value=values.get("generation_prompt") or "")
            .props("outlined dense autogrow")
            .classes("w-full")
            .mark("caption-set-prompt-input")
        )
        self.prompt.bind_visibility_from(self.style_select, "value", lambda style: style == "custom")

    async def save(self) -> None:
        fields = {
            "name": self.name.value or "",
            "style": self.style_select.value,
            "description": self.description.value,
            "max_length": int(self.max_length.value) if self.max_length.value else None,
            "trigger_phrase": self.trigger.value,
            "vision_model": self.model.value,
            "generation_prompt": self.prompt.value,
            "ensure_trigger": bool(self.ensure_trigger.value),
        }
        db = current().db
        if self.caption_set is None:
            init = bool(self.init_imported and self.init_imported.value)
            ok, result = await self.attempt(
                caption_sets.create_caption_set, db, self.dataset_id, init_from_imported=init, **fields
            )
        else:
            ok, result = await self.attempt(
                caption_sets.update_caption_set, db, self.caption_set["id"], **fields
            )
        if not ok:
            return
        if result.get("over_max_length"):
            ui.notify(
                f"{result['over_max_length']} caption(s) are longer than the new maximum; they are kept as they are",
                type="warning",
            )
        if result.get("skipped_too_long"):
            ui.notify(
                f"{result['skipped_too_long']} imported caption(s) were too long and left out", type="warning"
            )
        self.submit(result)


class DuplicateSetDialog(ServiceDialog):
    """Awaited: the copy's dict, or None."""

    def __init__(self, caption_set: dict[str, Any]) -> None:
        super().__init__()
        self.caption_set = caption_set
        with self, ui.card().classes("w-96 gap-2").mark("caption-set-duplicate-dialog"):
            ui.label(f'Duplicate "{caption_set["name"]}"').classes("text-base font-semibold")
            ui.label("The copy gets the same settings and a copy of every caption.").classes("text-sm")
            self.name = (
                ui.input("Name of the copy", value=f"{caption_set['name']} (copy)")
                .props("outlined dense autofocus")
                .classes("w-full")
                .mark("caption-set-duplicate-name")
            )
            self.error_line("caption-set-duplicate-error")
            self.buttons("Duplicate", self.save, "caption-set-duplicate-save")

    async def save(self) -> None:
        ok, copy = await self.attempt(
            caption_sets.duplicate_caption_set, current().db, self.caption_set["id"], self.name.value or ""
        )
        if ok:
            self.submit(copy)


class DeleteSetDialog(ServiceDialog):
    """Awaited: the deletion summary, or None."""

    def __init__(self, caption_set: dict[str, Any]) -> None:
        super().__init__()
        self.caption_set = caption_set
        with self, ui.card().classes("w-96 gap-2").mark("caption-set-delete-dialog"):
            ui.label(f'Delete caption set "{caption_set["name"]}"?').classes("text-base font-semibold")
            ui.label(
                f"Its {caption_set['caption_count']} caption(s) and their history are deleted. "
                "Images and other caption sets stay."
            ).classes("text-sm")
            self.error_line("caption-set-delete-error")
            self.buttons("Delete", self.confirm, "caption-set-delete-confirm", icon="delete", danger=True)

    async def confirm(self) -> None:
        ok, result = await self.attempt(caption_sets.delete_caption_set, current().db, self.caption_set["id"])
        if ok:
            self.submit(result)
