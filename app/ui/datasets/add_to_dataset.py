"""AddToDatasetDialog: put files (or a whole tracked folder) into an existing or a new dataset.

    added_to = await AddToDatasetDialog(db, file_ids)        # from a grid selection
    added_to = await AddToDatasetDialog(db, folder_id=folder_id, suggested_name="Nova shots")
    added_to = await AddToDatasetDialog(db, folder_id=folder_id, suggested_name="Nova", new=True)  # new first
Awaited: the dataset id the files went into, or None when cancelled. It adds and notifies itself (the
dataset service tells open pages).
"""

from __future__ import annotations

from nicegui import run, ui

from app.db import Database
from app.services.datasets import dataset_members, datasets
from app.services.datasets.dataset_shapes import Dataset
from app.ui.service_dialog import ServiceDialog

NEW = "__new__"


class AddToDatasetDialog(ServiceDialog):
    """Choose a dataset (or name a new one) and add the files to it."""

    def __init__(
        self,
        db: Database,
        file_ids: list[str] | None = None,
        *,
        folder_id: str | None = None,
        suggested_name: str = "",
        exclude_dataset_id: str | None = None,
        new: bool = False,
    ) -> None:
        super().__init__()
        self.db = db
        if not file_ids and not folder_id:
            raise ValueError("AddToDatasetDialog needs file_ids or a folder_id")
        self.file_ids, self.folder_id, self.exclude = list(file_ids or []), folder_id, exclude_dataset_id
        self.prefer_new = new  # "Create dataset from this folder": the new-dataset choice stays chosen
        what = f"{len(self.file_ids)} image(s)" if self.file_ids else "every image of the folder"
        with self, ui.card().classes("w-96 gap-2").mark("add-to-dataset-dialog"):
            ui.label(f"Add {what} to a dataset").classes("text-base font-semibold")
            self.choice = (
                ui.select({NEW: "+ New dataset…"}, value=NEW, label="Dataset")
                .props("outlined dense")
                .classes("w-full")
                .mark("add-to-dataset-select")
            )
            self.new_name = (
                ui.input("New dataset name", value=suggested_name)
                .props("outlined dense autofocus")
                .classes("w-full")
                .mark("add-to-dataset-name")
            )
            self.new_name.bind_visibility_from(self.choice, "value", lambda value: value == NEW)
            self.new_name.on("keydown.enter", self.add)
            self.error_line("add-to-dataset-error")
            self.buttons("Add", self.add, "add-to-dataset-confirm", icon="playlist_add")
            ui.timer(0, self._load_choices, once=True)

    async def add(self) -> None:
        """Create the dataset if new, add the files, tell the user; stays open on an error."""
        db = self.db
        if self.choice.value == NEW:
            ok, dataset = await self.attempt(datasets.create_dataset, db, self.new_name.value or "")
            if not ok:
                return
            self._adopt(dataset)
        dataset_id, name = self.choice.value, self.choice.options[self.choice.value]
        if self.folder_id:
            ok, added = await self.attempt(dataset_members.add_folder, db, dataset_id, self.folder_id)
        else:
            ok, added = await self.attempt(dataset_members.add_files, db, dataset_id, self.file_ids)
        if not ok:
            return
        ui.notify(_added_message(name, added, len(self.file_ids)), type="positive")
        self.submit(dataset_id)

    def _adopt(self, dataset: Dataset) -> None:
        """A dataset created here stays chosen, so a retry after an error does not create it twice."""
        self.choice.set_options({**self.choice.options, dataset.id: dataset.name}, value=dataset.id)

    async def _load_choices(self) -> None:
        choices = await run.io_bound(datasets.list_datasets, self.db)
        options = {NEW: "+ New dataset…"}
        options.update({d.id: d.name for d in choices if d.id != self.exclude})
        first = NEW if self.prefer_new else next((k for k in options if k != NEW), NEW)
        self.choice.set_options(options, value=first)


def _added_message(name: str, added: int, asked: int) -> str:
    message = f'Added {added} image(s) to "{name}"'
    already = asked - added
    return message + (f"; {already} were already in it" if asked and already > 0 else "")
