"""Dialogs for caption sets: create/edit (style, length, trigger phrase, model, prompt), duplicate, delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from app.container import AppServices
from app.services.captions import caption_sets
from app.services.captions.caption_shapes import CaptionSet
from app.services.datasets.dataset_shapes import CaptionSetSummary
from app.ui.service_dialog import ServiceDialog

STYLE_LABELS = {
    "natural_simple": "Natural, simple",
    "natural_detailed": "Natural, detailed",
    "tags": "Tags",
    "custom": "Custom prompt",
}
_WARNINGS = {  # counts a save may report, and what they mean for the person who saved
    "over_max_length": "{} caption(s) are longer than the new maximum; they are kept as they are",
    "skipped_too_long": "{} imported caption(s) were too long and left out",
}


class CaptionSetDialog(ServiceDialog):
    """Awaited: the created or updated CaptionSet, or None."""

    def __init__(self, services: AppServices, dataset_id: str, caption_set: CaptionSet | None = None) -> None:
        super().__init__()
        self.services, self.dataset_id, self.caption_set = services, dataset_id, caption_set
        values = caption_set.model_dump() if caption_set else {}  # the form starts from these
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
        self.name = _field(ui.input("Name", value=values.get("name", "")), "autofocus")
        self.name.mark("caption-set-name-input")
        style = values.get("style", "natural_simple")
        self.style_select = _field(ui.select(STYLE_LABELS, value=style, label="Style"))
        self.style_select.mark("caption-set-style-input")
        self.description = _field(ui.input("Description", value=values.get("description") or ""))

    def _build_trigger(self, values: dict[str, Any]) -> None:
        """Max length, trigger phrase and whether every caption starts with it."""
        with ui.row().classes("w-full no-wrap gap-2"):
            self.max_length = _field(
                ui.number("Max length (characters)", value=values.get("max_length"), min=1, precision=0),
                "clearable",
                width="w-1/2",
            ).mark("caption-set-max-length-input")
            self.trigger = (
                _field(ui.input("Trigger phrase", value=values.get("trigger_phrase") or ""), width="w-1/2")
                .tooltip("Put at the start of generated captions, e.g. 'Nova Chorus, a woman'")
                .mark("caption-set-trigger-input")
            )
        self.ensure_trigger = ui.switch(
            "Every caption starts with the trigger phrase (on save and at export)",
            value=bool(values.get("ensure_trigger", True)),
        ).mark("caption-set-ensure-trigger")

    def _build_generation(self, values: dict[str, Any]) -> None:
        """The vision model and the custom prompt (shown for the custom style)."""
        model = values.get("vision_model") or ""
        self.model = _field(ui.input("Vision model (empty: the default from Settings)", value=model))
        prompt = values.get("generation_prompt") or ""
        self.prompt = _field(ui.textarea("Custom generation prompt", value=prompt), "autogrow")
        self.prompt.mark("caption-set-prompt-input")
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
        db = self.services.db
        if self.caption_set is None:
            init = bool(self.init_imported and self.init_imported.value)
            ok, result = await self.attempt(
                caption_sets.create_caption_set, db, self.dataset_id, init_from_imported=init, **fields
            )
        else:
            ok, result = await self.attempt(
                caption_sets.update_caption_set, db, self.caption_set.id, **fields
            )
        if not ok:
            return
        for key, message in _WARNINGS.items():
            count = getattr(result, key)
            if count:
                ui.notify(message.format(count), type="warning")
        self.submit(result)


class _SetActionDialog(ServiceDialog):
    """One action on one caption set: a title, what it does, any fields (`build`), Cancel and the action.

    Awaited: what the action returned, or None.
    """

    def __init__(
        self,
        key: str,
        title: str,
        explanation: str,
        action: tuple[str, Callable[[], Any]],
        build: Callable[[], None] = lambda: None,
        *,
        icon: str | None = None,
        danger: bool = False,
    ) -> None:
        super().__init__()
        label, self._act = action
        with self, ui.card().classes("w-96 gap-2").mark(f"caption-set-{key}-dialog"):
            ui.label(title).classes("text-base font-semibold")
            ui.label(explanation).classes("text-sm")
            build()
            self.error_line(f"caption-set-{key}-error")
            confirm = f"caption-set-{key}-{'confirm' if danger else 'save'}"
            self.buttons(label, self._confirm, confirm, icon=icon, danger=danger)

    async def _confirm(self) -> None:
        ok, result = await self.attempt(self._act)
        if ok:
            self.submit(result)


class DuplicateSetDialog(_SetActionDialog):
    """Awaited: the copy (a CaptionSet), or None."""

    def __init__(self, services: AppServices, caption_set: CaptionSetSummary) -> None:
        def copy() -> CaptionSet:
            return caption_sets.duplicate_caption_set(services.db, caption_set.id, self.name.value or "")

        def build() -> None:
            self.name = _field(
                ui.input("Name of the copy", value=f"{caption_set.name} (copy)"), "autofocus"
            ).mark("caption-set-duplicate-name")

        super().__init__(
            "duplicate",
            f'Duplicate "{caption_set.name}"',
            "The copy gets the same settings and a copy of every caption.",
            ("Duplicate", copy),
            build,
        )


class DeleteSetDialog(_SetActionDialog):
    """Awaited: the deletion summary, or None."""

    def __init__(self, services: AppServices, caption_set: CaptionSetSummary) -> None:
        super().__init__(
            "delete",
            f'Delete caption set "{caption_set.name}"?',
            f"Its {caption_set.caption_count} caption(s) and their history are deleted. "
            "Images and other caption sets stay.",
            ("Delete", lambda: caption_sets.delete_caption_set(services.db, caption_set.id)),
            icon="delete",
            danger=True,
        )


def _field(element: Any, *props: str, width: str = "w-full") -> Any:
    """An outlined, dense form field of the given width (`props` adds Quasar props such as autofocus)."""
    return element.props(" ".join(("outlined dense", *props))).classes(width)
