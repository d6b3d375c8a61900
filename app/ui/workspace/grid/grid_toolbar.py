"""GridToolbar: above the grid, what it shows: dataset, caption set, sort and filters."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from nicegui import ui

from app.services.captions.caption_shapes import CaptionSet
from app.services.datasets.dataset_shapes import CaptionSetSummary, Dataset
from app.services.grid.grid_view import SHOWS, SORTS, GridOptions
from app.services.grid.query import query_error
from app.ui.a11y import labelled

Handler = Callable[[], Awaitable[None] | None]


class GridToolbar(ui.column):
    """Controls of the grid. `options` is changed in place; `on_view_change()` then re-applies the view."""

    def __init__(
        self,
        options: GridOptions,
        *,
        on_dataset: Callable[[str | None], Awaitable[None]],
        on_caption_set: Callable[[str | None], Awaitable[None]],
        on_view_change: Handler,
        on_tile_size: Callable[[int], None],
        tile_size: int,
        actions: tuple[tuple[str, str, str, Handler], ...] = (),
    ) -> None:
        """actions: extra round buttons (icon, tooltip, marker, handler), e.g. export, health, duplicates."""
        super().__init__()
        self.classes("w-full gap-1 cf-grid-toolbar")
        self.options = options
        self._on_view_change = on_view_change
        self._filling = False  # filling a choice list is not a user's choice
        with self, ui.row().classes("w-full items-center gap-x-2 gap-y-1 cf-grid-toolbar-row"):
            self._build_choices(on_dataset, on_caption_set)
            self._build_actions(actions, on_tile_size, tile_size)
        with (
            self,
            ui.row().classes(
                "w-full items-center gap-x-2 gap-y-1 cf-grid-toolbar-row cf-fold-phone"
            ) as self.filters,
        ):
            self._build_sort(options)
            self._build_filters(options)

    def _build_choices(
        self,
        on_dataset: Callable[[str | None], Awaitable[None]],
        on_caption_set: Callable[[str | None], Awaitable[None]],
    ) -> None:
        """The dataset and caption-set choices and the image count."""
        self.dataset_select = (
            ui.select({}, label="Dataset", on_change=lambda e: None if self._filling else on_dataset(e.value))
            .props("dense outlined options-dense")
            .classes("flex-1 min-w-[12rem]")
            .mark("dataset-select")
        )
        self.set_select = (
            ui.select(
                {},
                label="Caption set",
                on_change=lambda e: None if self._filling else on_caption_set(e.value),
            )
            .props("dense outlined options-dense")
            .classes("flex-1 min-w-[12rem]")
            .mark("set-select")
        )
        self.count_label = ui.label().classes("text-xs text-gray-500 whitespace-nowrap").mark("grid-count")

    def _build_actions(
        self,
        actions: tuple[tuple[str, str, str, Handler], ...],
        on_tile_size: Callable[[int], None],
        tile_size: int,
    ) -> None:
        """The extra round buttons and the tile-size slider."""
        for icon, tooltip, marker, handler in actions:
            labelled(ui.button(icon=icon, on_click=handler).props("flat dense round").mark(marker), tooltip)
        ui.icon("photo_size_select_large", size="xs").classes("text-gray-500").tooltip("Tile size")
        labelled(
            ui.slider(
                min=96, max=320, step=16, value=tile_size, on_change=lambda e: on_tile_size(int(e.value))
            )
            .props("dense")
            .classes("w-20 shrink-0")
            .mark("tile-size"),
            "Tile size",
            tooltip=False,
        )

    def _build_sort(self, options: GridOptions) -> None:
        """The sort choice and its direction button."""
        ui.select(
            SORTS, value=options.sort, label="Sort", on_change=lambda e: self._set("sort", e.value)
        ).props("dense outlined options-dense").classes("w-40").mark("grid-sort")
        self.direction = (
            ui.button(
                icon="arrow_downward" if options.descending else "arrow_upward",
                on_click=self._flip_direction,
            )
            .props("flat dense round")
            .mark("grid-direction")
        )
        labelled(self.direction, "Sort direction: ascending / descending")

    def _build_filters(self, options: GridOptions) -> None:
        """The show choice, the quality bound and the search box."""
        ui.select(
            SHOWS, value=options.show, label="Show", on_change=lambda e: self._set("show", e.value)
        ).props("dense outlined options-dense").classes("w-36").mark("grid-show")
        ui.number(
            "Quality below %", min=0, max=100, step=5, on_change=lambda e: self._set_quality(e.value)
        ).props("dense outlined clearable").classes("w-40").mark("grid-quality-below")
        self.search = (  # the filter language of app.services.grid.query; bare words search names and captions
            ui.input(
                placeholder='Search or filter: tag:smile -tag:hat caption:"red dress" quality<0.5',
                on_change=lambda e: self._set_query(e.value or ""),
                validation=_query_problem,
            )
            .props("dense outlined clearable debounce=250")
            .classes("flex-1 min-w-[14rem]")
            .mark("grid-search")
        )

    def toggle_filters(self) -> None:
        """On a phone the sort and filter row is folded (CSS); the page's "Sort and filter" button opens it."""
        self.filters.classes(toggle="cf-unfolded")

    def show_datasets(self, datasets: list[Dataset], selected: str | None) -> None:
        """Fill the dataset choice (without firing a change)."""
        options = {d.id: f"{d.name} ({d.file_count})" for d in datasets}
        self._fill(self.dataset_select, options, selected)

    def show_caption_sets(
        self, caption_sets: Sequence[CaptionSetSummary | CaptionSet], selected: str | None
    ) -> None:
        """Fill the caption-set choice (without firing a change)."""
        options = {s.id: f"{s.name} ({s.caption_count}/{s.total})" for s in caption_sets}
        self._fill(self.set_select, options, selected)

    def show_count(self, shown: int, total: int) -> None:
        self.count_label.text = f"{shown} of {total} images" if shown != total else f"{total} images"

    def _fill(self, select: ui.select, options: dict[str, str], value: str | None) -> None:
        self._filling = True
        try:
            select.set_options(options, value=value if value in options else None)
        finally:
            self._filling = False

    async def _set(self, name: str, value: Any) -> None:
        setattr(self.options, name, value)
        await _maybe_await(self._on_view_change())

    def set_query(self, text: str) -> None:
        """Put a query in the search box (the tag panel's click); the grid follows (and a phone shows it)."""
        self.filters.classes(add="cf-unfolded")
        self.search.value = text

    async def _set_query(self, text: str) -> None:
        if _query_problem(text) is None:  # an invalid query shows its error under the box and keeps the view
            await self._set("query", text)

    async def _set_quality(self, value: float | None) -> None:
        await self._set("quality_below", None if value in (None, "") else float(value) / 100)

    async def _flip_direction(self) -> None:
        self.options.descending = not self.options.descending
        self.direction.props(f"icon={'arrow_downward' if self.options.descending else 'arrow_upward'}")
        await _maybe_await(self._on_view_change())


def _query_problem(text: str | None) -> str | None:
    error = query_error(text)
    return str(error) if error else None


async def _maybe_await(result: Awaitable[None] | None) -> None:
    if result is not None:
        await result
