"""Dialogs of the datasets panel: create/edit a dataset, and delete one after saying what goes with it."""

from __future__ import annotations

from typing import Any

from nicegui import run, ui

from app.core import current
from app.errors import CaptionForgeError
from app.services import datasets


class DatasetDialog(ui.dialog):
    """Awaited: the created or updated dataset dict, or None. Errors (duplicate name...) show inline."""

    def __init__(self, dataset: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.dataset = dataset
        values = dataset or {}
        with self, ui.card().classes("w-[28rem] max-w-full gap-2").mark("dataset-dialog"):
            ui.label("Edit dataset" if dataset else "New dataset").classes("text-base font-semibold")
            self.name = (
                ui.input("Name", value=values.get("name", ""))
                .props("outlined dense autofocus")
                .classes("w-full")
                .mark("dataset-name-input")
            )
            self.name.on("keydown.enter", self.save)
            self.description = (
                ui.textarea("Description", value=values.get("description") or "")
                .props("outlined dense autogrow")
                .classes("w-full")
                .mark("dataset-description-input")
            )
            self.tags = (
                ui.input("Tags (comma-separated)", value=", ".join(values.get("tags") or []))
                .props("outlined dense")
                .classes("w-full")
                .mark("dataset-tags-input")
            )
            self.category = (
                ui.input("Category", value=values.get("category") or "")
                .props("outlined dense")
                .classes("w-full")
                .mark("dataset-category-input")
            )
            self.notes = (
                ui.textarea("Notes", value=values.get("notes") or "")
                .props("outlined dense autogrow")
                .classes("w-full")
                .mark("dataset-notes-input")
            )
            self.error = ui.label().classes("text-sm text-negative").mark("dataset-dialog-error")
            self.error.set_visibility(False)
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=lambda: self.submit(None)).props("flat").mark("dataset-cancel")
                ui.button("Save" if dataset else "Create", on_click=self.save).mark("dataset-save")

    async def save(self) -> None:
        """Create or update through the service; stay open with the message on an error."""
        fields = {
            "name": self.name.value or "",
            "description": self.description.value,
            "tags": self.tags.value or "",
            "category": self.category.value,
            "notes": self.notes.value,
        }
        db = current().db
        try:
            if self.dataset is None:
                result = await run.io_bound(datasets.create_dataset, db, **fields)
            else:
                result = await run.io_bound(datasets.update_dataset, db, self.dataset["id"], **fields)
        except CaptionForgeError as exc:
            self.error.set_text(str(exc))
            self.error.set_visibility(True)
            return
        self.submit(result)


class DeleteDatasetDialog(ui.dialog):
    """Awaited: what was deleted (the service's summary), or None when cancelled."""

    def __init__(self, summary: dict[str, Any]) -> None:
        super().__init__()
        self.summary = summary
        with self, ui.card().classes("w-[28rem] max-w-full gap-2").mark("dataset-delete-dialog"):
            ui.label(f'Delete dataset "{summary["name"]}"?').classes("text-base font-semibold")
            ui.label(_consequences(summary)).classes("text-sm").mark("dataset-delete-consequences")
            ui.label(
                f"Its {summary['files']} image(s) stay tracked and on disk; only the dataset is removed."
            ).classes("text-sm text-gray-600")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=lambda: self.submit(None)).props("flat").mark(
                    "dataset-delete-cancel"
                )
                ui.button("Delete", icon="delete", on_click=self.confirm).props("color=negative").mark(
                    "dataset-delete-confirm"
                )

    async def confirm(self) -> None:
        try:
            result = await run.io_bound(datasets.delete_dataset, current().db, self.summary["dataset_id"])
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            self.submit(None)
            return
        self.submit(result)


def _consequences(summary: dict[str, Any]) -> str:
    sets, captions = summary["caption_sets"], summary["captions"]
    if not sets:
        return "It has no caption sets, so no captions are lost."
    return f"This also deletes its {sets} caption set(s) with {captions} caption(s). This cannot be undone."
