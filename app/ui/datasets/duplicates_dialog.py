"""Duplicate groups side by side; one click keeps the best of a group and excludes the rest."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from nicegui import run, ui

from app.container import AppServices
from app.services.quality.near_duplicates import (
    DEFAULT_MAX_DISTANCE,
    MAX_DISTANCE_LIMIT,
    duplicate_groups,
    keep_best,
    keep_best_preview,
)
from app.services.quality.quality_shapes import DuplicateFile, DuplicateGroup, KeepBestPreview, KeepFile
from app.ui.a11y import labelled


class DuplicatesDialog(ui.dialog):
    """Shows each exact or near-duplicate group of a dataset; on_change(file_ids) follows exclusion changes."""

    def __init__(
        self, services: AppServices, dataset_id: str, on_change: Callable[[list[str]], Any] | None = None
    ) -> None:
        super().__init__()
        self.services, self.dataset_id = services, dataset_id
        self.on_change = on_change
        with self, ui.card().classes("w-[1000px] max-w-[95vw]"):
            with ui.row().classes("w-full items-center"):
                ui.label("Duplicates").classes("text-lg font-semibold")
                ui.space()
                # How many of the 64 hash bits may differ: lower is stricter (fewer, truly alike groups).
                self.max_distance = DEFAULT_MAX_DISTANCE
                ui.label("Bits that may differ").classes("text-xs text-gray-600")
                ui.slider(
                    min=0,
                    max=MAX_DISTANCE_LIMIT,
                    step=1,
                    value=self.max_distance,
                    on_change=lambda e: self._threshold(e.value),
                ).props("label-always").classes("w-40").mark("duplicates-threshold").tooltip(
                    "Of 64 brightness bits, how many may differ; the colours must match as well"
                )
                labelled(ui.button(icon="close", on_click=self.close).props("flat round"), "Close")
            self.body = (
                ui.column().classes("w-full gap-3 max-h-[75vh] overflow-auto").mark("duplicate-groups")
            )

    async def load(self) -> list[DuplicateGroup]:
        """Find the groups and show them; returns the groups."""
        thumbnails_dir = self.services.settings.thumbnails_dir
        groups = await run.io_bound(
            duplicate_groups, self.services.db, self.dataset_id, self.max_distance, thumbnails_dir
        )
        self.body.clear()
        with self.body:
            if not groups:
                ui.label("No duplicates or near-duplicates in this dataset.").mark("duplicates-none")
            for group in groups:
                self._group(group)
        return groups

    async def _threshold(self, value: int) -> None:
        self.max_distance = int(value)
        await self.load()

    def _group(self, group: DuplicateGroup) -> None:
        kind = "Identical files" if group.kind == "exact" else "Look alike (resized or recompressed)"
        with ui.card().classes("w-full").mark("duplicate-group"):
            with ui.row().classes("w-full items-center"):
                ui.label(f"{kind}: {len(group.files)} images").classes("font-medium")
                ui.space()
                ids = [f.file_id for f in group.files]
                ui.button(
                    "Keep best, exclude the rest",
                    icon="done_all",
                    on_click=lambda ids=ids: self._keep_best(ids),
                ).props("no-caps").mark("keep-best")
            with ui.row().classes("gap-3"):
                for file in group.files:
                    self._tile(file, best=file.file_id == group.best)

    def _tile(self, file: DuplicateFile, best: bool) -> None:
        border = "border-2 border-green-500" if best else "border"
        with ui.column().classes(f"w-44 gap-0 p-1 rounded {border}"):
            ui.element("img").props(f'src="{file.thumbnail_url}" loading="lazy"').classes(
                "w-full h-32 object-contain"
            )
            ui.label(file.filename).classes("text-xs truncate w-full")
            quality = "unscored" if file.quality_score is None else f"{file.quality_score:.2f}"
            ui.label(f"{file.width}x{file.height} · {file.file_size_mb or 0.0:.1f} MB · q {quality}").classes(
                "text-xs text-gray-600"
            )
            if file.excluded:
                ui.label("excluded").classes("text-xs text-red-600")
            elif best:
                ui.label("best").classes("text-xs text-green-700")

    async def _keep_best(self, file_ids: list[str]) -> None:
        preview = await run.io_bound(keep_best_preview, self.services.db, self.dataset_id, file_ids)
        if preview.keep is None or not await _confirm_keep_best(preview):
            return
        result = await run.io_bound(keep_best, self.services.db, self.dataset_id, file_ids, True)
        ui.notify(f"Kept the best image, excluded {result.excluded}.")
        if self.on_change:
            followed = self.on_change(file_ids)
            if inspect.isawaitable(followed):
                await followed
        await self.load()


async def _confirm_keep_best(preview: KeepBestPreview) -> bool:
    """Show what keep-best keeps and excludes, edited captions called out; True = go ahead."""
    keep = preview.keep
    if keep is None:
        return False
    edited = [f for f in preview.exclude if f.edited_caption]
    with ui.dialog() as dialog, ui.card().classes("w-[560px] max-w-[96vw]").mark("keep-best-confirm"):
        with ui.row().classes("items-center gap-2").mark("keep-best-keep"):
            _preview_tile(keep, "keeps")
            ui.label(f"Keep {keep.filename}").classes("font-medium")
        ui.label(f"Exclude {len(preview.exclude)}:").classes("text-sm")
        with ui.row().classes("gap-2 max-h-[40vh] overflow-auto"):
            for file in preview.exclude:
                with ui.column().classes("w-24 gap-0").mark("keep-best-excluded"):
                    _preview_tile(file, "goes")
                    note = " (hand-edited caption)" if file.edited_caption else ""
                    ui.label(f"{file.filename}{note}").classes(
                        "text-xs break-all " + ("text-red-700" if note else "text-gray-700")
                    )
        if edited:
            ui.label(f"{len(edited)} of them have a caption you edited by hand.").classes(
                "text-sm text-red-700"
            ).mark("keep-best-edited-warning")
        with ui.row().classes("w-full justify-end"):
            ui.button("Cancel", on_click=lambda: dialog.submit(False)).props("flat").mark("keep-best-cancel")
            ui.button(f"Exclude {len(preview.exclude)}", on_click=lambda: dialog.submit(True)).mark(
                "keep-best-go"
            )
    result = await dialog
    dialog.delete()
    return bool(result)


def _preview_tile(file: KeepFile, role: str) -> None:
    """The thumbnail of a file the confirm names, so the user sees the picture and not only its name."""
    ui.element("img").props(f'src="{file.thumbnail_url}" loading="lazy" alt="{role}: thumbnail"').classes(
        "w-24 h-20 object-contain border rounded"
    )
