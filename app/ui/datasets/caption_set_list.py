"""CaptionSetList: the caption sets under the selected dataset in the left column, with their actions.

Each set shows "captioned / total"; clicking one selects it (the grid and editor follow). Created by
DatasetPanel, which passes its callbacks and collects the coverage labels to update them in place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import run, ui

from app.container import AppServices
from app.errors import CaptionForgeError
from app.services.captions import caption_sets
from app.services.datasets.dataset_shapes import CaptionSetSummary, Dataset
from app.services.exports import caption_files_beside
from app.ui.a11y import labelled
from app.ui.datasets.caption_set_dialogs import CaptionSetDialog, DeleteSetDialog, DuplicateSetDialog
from app.ui.datasets.write_beside_dialog import WriteBesideDialog
from app.ui.jobs.auto_caption_dialog import start_auto_caption


class CaptionSetList(ui.column):
    """`on_choose(dataset_id, set_id)`, `ask(make_dialog)`, `on_refresh()`.

    A change to a set reaches open pages through the caption-set service's datasets_changed event."""

    def __init__(
        self,
        services: AppServices,
        dataset: Dataset,
        selected_id: str | None,
        *,
        on_choose: Callable[[str | None, str | None], Awaitable[None]],
        ask: Callable[[Callable[[], ui.dialog]], Awaitable[Any]],
        on_refresh: Callable[[], Awaitable[None]],
        coverage_labels: dict[str, ui.label],
    ) -> None:
        super().__init__()
        self.classes("w-full gap-0 pl-2 pt-1").mark("caption-set-list")
        self.services, self.dataset, self.selected_id = services, dataset, selected_id
        self._choose, self._ask, self._refresh = on_choose, ask, on_refresh
        with self:
            ui.label("Caption sets").classes("text-[11px] uppercase text-gray-500")
            for caption_set in dataset.caption_sets:
                coverage_labels[caption_set.id] = self._row(caption_set)
            if not dataset.caption_sets:
                ui.label("No caption sets yet: create one to write captions.").classes(
                    "text-xs text-gray-500"
                )
            ui.button("New caption set", icon="add", on_click=self._create).props(
                "flat dense no-caps size=sm"
            ).mark("caption-set-new")
            if any(s.id == selected_id for s in dataset.caption_sets):
                ui.button(
                    "Auto-Caption",
                    icon="auto_awesome",
                    on_click=lambda: start_auto_caption(self.services, self.selected_id),
                ).props("flat dense no-caps size=sm").tooltip(
                    "Caption this set's images with the vision model in the background"
                ).mark("auto-caption")

    def _row(self, caption_set: CaptionSetSummary) -> ui.label:
        chosen = caption_set.id == self.selected_id
        key = caption_set.name.replace(" ", "_")
        row = ui.row().classes(
            "w-full items-center no-wrap gap-1 rounded px-1 "
            + ("bg-amber-200" if chosen else "hover:bg-slate-100")
        )
        with row.mark("caption-set-item", f"caption-set-{key}"):
            ui.icon("radio_button_checked" if chosen else "radio_button_unchecked").classes("text-sm")
            opener = ui.label(caption_set.name).classes("text-sm grow truncate cursor-pointer")
            opener.on("click", lambda: self._choose(self.dataset.id, caption_set.id))
            opener.mark(f"caption-set-open-{key}")
            coverage = (
                ui.label(coverage_text(caption_set))
                .classes("text-xs text-gray-500")
                .mark("caption-set-coverage")
            )
            menu_button = ui.button(icon="more_horiz").props("flat round dense size=xs")
            labelled(menu_button, "Caption set actions", tooltip=False).mark(f"caption-set-menu-{key}")
            with menu_button, ui.menu():
                ui.menu_item("Edit…", lambda: self._edit(caption_set))
                ui.menu_item("Duplicate…", lambda: self._duplicate(caption_set))
                ui.menu_item("Delete…", lambda: self._delete(caption_set))
                ui.menu_item("Auto-Caption…", lambda: start_auto_caption(self.services, caption_set.id))
                ui.menu_item(
                    "Write .txt beside the originals…", lambda: self._write_beside(caption_set)
                ).mark(f"caption-set-write-beside-{key}")
        return coverage

    async def _create(self) -> None:
        created = await self._ask(lambda: CaptionSetDialog(self.services, self.dataset.id))
        if created:
            await self._choose(self.dataset.id, created.id)

    async def _edit(self, summary: CaptionSetSummary) -> None:
        try:
            full = await run.io_bound(caption_sets.get_caption_set, self.services.db, summary.id)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative")
            return
        if await self._ask(lambda: CaptionSetDialog(self.services, self.dataset.id, full)):
            await self._refresh()

    async def _duplicate(self, summary: CaptionSetSummary) -> None:
        copy = await self._ask(lambda: DuplicateSetDialog(self.services, summary))
        if copy:
            await self._choose(self.dataset.id, copy.id)

    async def _write_beside(self, summary: CaptionSetSummary) -> None:
        try:
            plan = await run.io_bound(caption_files_beside.plan_write_beside, self.services.db, summary.id)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        await self._ask(lambda: WriteBesideDialog(self.services, plan))

    async def _delete(self, summary: CaptionSetSummary) -> None:
        if not await self._ask(lambda: DeleteSetDialog(self.services, summary)):
            return
        await self._choose(self.dataset.id, None if summary.id == self.selected_id else self.selected_id)


def coverage_text(caption_set: CaptionSetSummary) -> str:
    """ "captioned / total" of a caption-set summary."""
    return f"{caption_set.caption_count} / {caption_set.total}"
