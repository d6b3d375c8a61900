"""Dialogs of the datasets panel: create/edit a dataset, and delete one after saying what goes with it."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.container import AppServices
from app.db import Database
from app.services.datasets import datasets
from app.services.datasets.dataset_shapes import Dataset, DeletionSummary
from app.ui.datasets.folder_to_dataset import fill_from_folder, track_new_folder, tracked_folder_options
from app.ui.service_dialog import ServiceDialog


class DatasetDialog(ServiceDialog):
    """Awaited: the created or updated dataset, or None. Errors (duplicate name...) show inline."""

    def __init__(self, services: AppServices, dataset: Dataset | None = None) -> None:
        super().__init__()
        self.services, self.dataset = services, dataset
        values = dataset.model_dump() if dataset else {}
        with self, ui.card().classes("w-[28rem] max-w-full gap-2").mark("dataset-dialog"):
            ui.label("Edit dataset" if dataset else "New dataset").classes("text-base font-semibold")
            self.name = _field(ui.input("Name", value=values.get("name", "")), "dataset-name-input")
            self.name.props("autofocus").on("keydown.enter", self.save)
            self.description = _field(
                ui.textarea("Description", value=values.get("description") or ""), "dataset-description-input"
            )
            self.tags = _field(
                ui.input("Tags (comma-separated)", value=", ".join(values.get("tags") or [])),
                "dataset-tags-input",
            )
            self.category = _field(
                ui.input("Category", value=values.get("category") or ""), "dataset-category-input"
            )
            self.notes = _field(ui.textarea("Notes", value=values.get("notes") or ""), "dataset-notes-input")
            self.folder = None
            if dataset is None:
                with ui.row().classes("w-full items-center no-wrap gap-1"):
                    self.folder = _field(
                        ui.select({}, label="Add the images of a tracked folder (optional)", clearable=True),
                        "dataset-folder-input",
                    ).classes("grow")
                    ui.button("Track a new folder", icon="create_new_folder", on_click=self._track_new).props(
                        "flat dense no-caps"
                    ).mark("dataset-track-new")
                ui.timer(0, self._load_folders, once=True)
            self.error_line("dataset-dialog-error")
            self.buttons(
                "Save" if dataset else "Create", self.save, "dataset-save", cancel_marker="dataset-cancel"
            )

    async def save(self) -> None:
        """Create or update through the service; stay open with the message on an error."""
        fields = {
            "name": self.name.value or "",
            "description": self.description.value,
            "tags": self.tags.value or "",
            "category": self.category.value,
            "notes": self.notes.value,
        }
        if self.dataset is None:
            ok, result = await self.attempt(datasets.create_dataset, self.services.db, **fields)
        else:
            ok, result = await self.attempt(
                datasets.update_dataset, self.services.db, self.dataset.id, **fields
            )
        if ok and self.dataset is None and self.folder is not None and self.folder.value:
            await fill_from_folder(self.services, result, self.folder.value)
        if ok:
            self.submit(result)

    async def _load_folders(self, chosen: str | None = None) -> None:
        self.folder.set_options(await tracked_folder_options(self.services.db), value=chosen)

    async def _track_new(self) -> None:
        folder = await track_new_folder(self.services)
        if folder:
            await self._load_folders(folder["id"])


class DeleteDatasetDialog(ServiceDialog):
    """Awaited: what was deleted (the service's summary), or None when cancelled."""

    def __init__(self, db: Database, summary: DeletionSummary) -> None:
        super().__init__()
        self.db, self.summary = db, summary
        with self, ui.card().classes("w-[28rem] max-w-full gap-2").mark("dataset-delete-dialog"):
            ui.label(f'Delete dataset "{summary.name}"?').classes("text-base font-semibold")
            ui.label(_consequences(summary)).classes("text-sm").mark("dataset-delete-consequences")
            ui.label(
                f"Its {summary.files} image(s) stay tracked and on disk; only the dataset is removed."
            ).classes("text-sm text-gray-600")
            self.error_line("dataset-delete-error")
            self.buttons(
                "Delete",
                self.confirm,
                "dataset-delete-confirm",
                cancel_marker="dataset-delete-cancel",
                icon="delete",
                danger=True,
            )

    async def confirm(self) -> None:
        ok, result = await self.attempt(datasets.delete_dataset, self.db, self.summary.dataset_id)
        if ok:
            self.submit(result)


def _field(element: Any, marker: str) -> Any:
    return (
        element.props("outlined dense" + (" autogrow" if isinstance(element, ui.textarea) else ""))
        .classes("w-full")
        .mark(marker)
    )


def _consequences(summary: DeletionSummary) -> str:
    sets, captions = summary.caption_sets, summary.captions
    if not sets:
        return "It has no caption sets, so no captions are lost."
    return f"This also deletes its {sets} caption set(s) with {captions} caption(s). This cannot be undone."
