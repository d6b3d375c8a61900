"""DatasetPanel: the workspace's left column. Search, datasets with their numbers, caption sets, drop target.

    DatasetPanel(services, on_select=controller.select, state=workspace_state)

`on_select(dataset_id, caption_set_id)` (sync or async) is called when the user picks a dataset or a set;
with a `state` (anything with dataset_id/caption_set_id) the highlight follows what the page really shows.
Thumbnails dragged from the grid (dataTransfer type DRAG_TYPE, a JSON list of file ids) and dropped on a
dataset are added to it; `on_drop_files(dataset_id)` is called afterwards.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

from nicegui import run, ui

from app.container import AppServices
from app.errors import CaptionForgeError
from app.services.datasets import dataset_members, datasets
from app.services.datasets.dataset_shapes import Dataset
from app.ui.a11y import labelled
from app.ui.count_refresh import counts
from app.ui.datasets.caption_set_list import CaptionSetList, coverage_text
from app.ui.datasets.dataset_dialogs import DatasetDialog, DeleteDatasetDialog

DRAG_TYPE = "application/x-captionforge-files"
_MAX_DROPPED = 100_000
_DRAGOVER_JS = f"""(e) => {{ if (e.dataTransfer && e.dataTransfer.types.includes("{DRAG_TYPE}")) {{
  e.preventDefault(); e.dataTransfer.dropEffect = "copy"; e.currentTarget.classList.add("cf-drop-target"); }} }}"""
_DRAGLEAVE_JS = '(e) => e.currentTarget.classList.remove("cf-drop-target")'
_DROP_JS = f"""(e) => {{ e.currentTarget.classList.remove("cf-drop-target");
  const data = e.dataTransfer && e.dataTransfer.getData("{DRAG_TYPE}"); if (data) {{ e.preventDefault(); emit(data); }} }}"""
_CSS = ".cf-drop-target { outline: 2px dashed #f59e0b; background: #fffbeb; }"


class DatasetPanel(ui.column):
    """The datasets list with search, create/edit/delete, caption sets of the selected dataset."""

    def __init__(
        self,
        services: AppServices,
        on_select: Callable[..., Any],
        on_drop_files: Callable[[str], Any] | None = None,
        state: Any | None = None,
    ) -> None:
        super().__init__()
        self.classes("w-full gap-2").mark("dataset-panel")
        self.services = services
        self._on_select, self._on_drop_files, self.state = on_select, on_drop_files, state
        self.dataset_id: str | None = None
        self.caption_set_id: str | None = None
        self.datasets: list[Dataset] = []
        self._signature: Any = None
        self._counts: dict[str, ui.label] = {}
        self._dirty = False
        ui.add_css(_CSS)
        with self:
            with ui.row().classes("w-full items-center no-wrap"):
                ui.label("Datasets").classes("text-base font-semibold grow")
                ui.button("New", icon="add", on_click=self.create_dataset).props("flat dense no-caps").mark(
                    "dataset-new"
                )
            self.search = (
                ui.input(placeholder="Search by name or tag", on_change=self.refresh)
                .props("dense outlined clearable debounce=250")
                .classes("w-full")
                .mark("dataset-search")
            )
            self.list = ui.column().classes("w-full gap-1").mark("dataset-list")
            ui.timer(0, self.refresh, once=True)
        # Its numbers follow the page's one count path; a changed selection of the page refreshes it too.
        counts(services.events).follow(self.refresh, wants=self._wants_refresh)

    async def refresh(self) -> None:
        """Reload the list; only the numbers change in place when names, tags and sets did not."""
        self._dirty = False
        try:
            self.datasets = await run.io_bound(
                datasets.list_datasets, self.services.db, self.search.value or None
            )
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative")
            return
        self._follow_state()
        signature = (
            self.dataset_id,
            self.caption_set_id,
            self.search.value,
            [(d.id, d.name, d.tags, [(s.id, s.name) for s in d.caption_sets]) for d in self.datasets],
        )
        if signature == self._signature:
            self._update_counts()
        else:
            self._signature = signature
            self._rebuild()

    def show_selected(self, dataset_id: str | None, caption_set_id: str | None) -> None:
        """Highlight a dataset and set (the page calls this when it selects something itself)."""
        if (dataset_id, caption_set_id) != (self.dataset_id, self.caption_set_id):
            self.dataset_id, self.caption_set_id = dataset_id, caption_set_id
            self._signature = None
            self._dirty = True

    async def create_dataset(self) -> None:
        created = await self._ask(lambda: DatasetDialog(self.services))
        if created:
            ui.notify(f'Created dataset "{created.name}"', type="positive")
            await self._choose(created.id, None)

    # ---- building ----
    def _rebuild(self) -> None:
        self._counts = {}
        self.list.clear()
        with self.list:
            if not self.datasets:
                if self.search.value:
                    ui.label("No dataset matches the search.").classes("text-sm text-gray-500").mark(
                        "datasets-no-match"
                    )
                else:
                    ui.label(
                        "No datasets yet. Add a folder of images on the Folders page, then create a dataset."
                    ).classes("text-sm text-gray-500").mark("datasets-empty")
            for dataset in self.datasets:
                self._dataset_item(dataset)

    def _dataset_item(self, dataset: Dataset) -> None:
        selected = dataset.id == self.dataset_id
        item = ui.column().classes(
            "w-full gap-0 rounded px-2 py-1 "
            + ("bg-amber-50 border border-amber-300" if selected else "hover:bg-slate-50")
        )
        item.mark("dataset-item", f"dataset-{dataset.slug}")
        item.props(f'data-dataset-slug="{dataset.slug}"')  # for browser tests; slugs are [a-z0-9-]
        item.on("dragover", js_handler=_DRAGOVER_JS)
        item.on("dragleave", js_handler=_DRAGLEAVE_JS)
        item.on("drop", lambda e, d=dataset: self._dropped(d, e.args), js_handler=_DROP_JS)
        with item:
            with ui.row().classes("w-full items-center no-wrap gap-1"):
                with ui.column().classes("grow min-w-0 gap-0 cursor-pointer") as opener:
                    ui.label(dataset.name).classes("font-medium truncate w-full").mark("dataset-name")
                    self._counts[dataset.id] = (
                        ui.label(_numbers(dataset)).classes("text-xs text-gray-500").mark("dataset-numbers")
                    )
                opener.on("click", lambda d=dataset.id: self._choose(d, None))
                opener.mark(f"dataset-open-{dataset.slug}")
                with labelled(
                    ui.button(icon="more_vert").props("flat round dense size=sm"),
                    f"Actions for the dataset {dataset.name}",
                    tooltip=False,
                ).mark(f"dataset-menu-{dataset.slug}"):
                    with ui.menu():
                        ui.menu_item("Edit…", lambda d=dataset: self._edit(d)).mark("dataset-edit")
                        ui.menu_item("Delete…", lambda d=dataset: self._delete(d)).mark("dataset-delete")
            if dataset.tags:
                with ui.row().classes("gap-1"):
                    for tag in dataset.tags:
                        ui.label(tag).classes("text-[10px] px-1 rounded bg-slate-200 text-slate-700")
            if selected:
                CaptionSetList(
                    self.services,
                    dataset,
                    self.caption_set_id,
                    on_choose=self._choose,
                    ask=self._ask,
                    on_refresh=self.refresh,
                    coverage_labels=self._counts,
                )

    def _update_counts(self) -> None:
        for dataset in self.datasets:
            if dataset.id in self._counts:
                self._counts[dataset.id].set_text(_numbers(dataset))
            for caption_set in dataset.caption_sets:
                if caption_set.id in self._counts:
                    self._counts[caption_set.id].set_text(coverage_text(caption_set))

    # ---- actions ----
    async def _choose(self, dataset_id: str, caption_set_id: str | None) -> None:
        result = self._on_select(dataset_id, caption_set_id)
        if inspect.isawaitable(result):
            await result
        if self.state is None:
            self.show_selected(dataset_id, caption_set_id)
        self._follow_state()
        await self.refresh()

    async def _edit(self, dataset: Dataset) -> None:
        updated = await self._ask(lambda: DatasetDialog(self.services, dataset))
        if updated:
            await self.refresh()

    async def _delete(self, dataset: Dataset) -> None:
        try:
            summary = await run.io_bound(datasets.deletion_summary, self.services.db, dataset.id)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative")
            return
        deleted = await self._ask(lambda: DeleteDatasetDialog(self.services.db, summary))
        if not deleted:
            return
        ui.notify(f'Deleted dataset "{deleted.name}"', type="positive")
        if dataset.id == self.dataset_id:
            await self._choose(None, None)
        else:
            await self.refresh()

    async def _dropped(self, dataset: Dataset, payload: Any) -> None:
        file_ids = _file_ids(payload)
        if not file_ids:
            ui.notify("Nothing to add: drag thumbnails from the grid onto a dataset", type="warning")
            return
        try:
            added = await run.io_bound(dataset_members.add_files, self.services.db, dataset.id, file_ids)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        already = len(file_ids) - added
        ui.notify(
            f'Added {added} image(s) to "{dataset.name}"'
            + (f"; {already} were already in it" if already else ""),
            type="positive",
        )
        if self._on_drop_files is not None:
            result = self._on_drop_files(dataset.id)
            if inspect.isawaitable(result):
                await result

    async def _ask(self, make_dialog: Callable[[], ui.dialog]) -> Any:
        """Open a dialog anchored to the panel (not to a list item a refresh may rebuild) and await its
        answer; then remove it (a closed dialog is only hidden otherwise)."""
        with self:
            dialog = make_dialog()
        try:
            return await dialog
        finally:
            if not dialog.is_deleted:
                dialog.delete()

    # ---- keeping up ----
    def _follow_state(self) -> None:
        if self.state is not None:
            self.show_selected(self.state.dataset_id, self.state.caption_set_id)

    def _wants_refresh(self) -> bool:
        self._follow_state()
        return self._dirty


def _numbers(dataset: Dataset) -> str:
    size = dataset.total_size_mb or 0.0
    size_text = f"{size / 1024:.1f} GB" if size >= 1024 else f"{size:.1f} MB"
    quality = dataset.avg_quality_score
    parts = [f"{dataset.file_count} images", size_text]
    if quality is not None:
        parts.append(f"quality {quality:.2f}")
    return " · ".join(parts)


def _file_ids(payload: Any) -> list[str]:
    """The file ids of a drop: a JSON list of strings (anything else yields nothing)."""
    if isinstance(payload, list) and payload and isinstance(payload[0], str) and payload[0].startswith("["):
        payload = payload[0]
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return []
    if not isinstance(payload, list):
        return []
    return [item for item in payload if isinstance(item, str)][:_MAX_DROPPED]
