"""ThumbGrid: the virtualized thumbnail grid of the workspace (thumb_grid.js beside it does the browser side).

The rows are sent to the browser once per dataset and caption set, as a compact list; after that only
small changes travel: a new order (indices), selection differences, one tile's caption state, the focus.
Selection rules live in app.services.grid.grid_selection and run here, so page tests exercise them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from nicegui import ui
from nicegui.events import GenericEventArguments

from app.services.grid.grid_selection import Selection, SelectionChange

Row = dict[str, Any]
OpenHandler = Callable[[str], Awaitable[None] | None]
SelectionHandler = Callable[[], None]
CSS = (Path(__file__).parent / "thumb_grid.css").read_text()


class ThumbGrid(ui.element, component="thumb_grid.js"):
    """A grid of thumbnails for up to tens of thousands of rows; only the visible rows are in the DOM."""

    def __init__(
        self,
        *,
        tile_size: int = 160,
        on_open: OpenHandler | None = None,
        on_selection_change: SelectionHandler | None = None,
    ) -> None:
        super().__init__()
        ui.add_css(CSS)
        self._props["tile-size"] = tile_size
        self.rows: dict[str, Row] = {}  # file_id -> row, as the datasets service returned it
        self.order: list[str] = []  # the file ids shown, in view order
        self.selection = Selection()
        self.focused: str | None = None
        self._index: dict[str, int] = {}  # file_id -> position in the list the browser holds
        self._on_open = on_open
        self._on_selection_change = on_selection_change
        self.on("tile_click", self._handle_tile_click)
        self.on("open", self._handle_open)
        self.on("select_all", lambda _: self.select_all())

    def set_rows(self, rows: list[Row], order: Iterable[str] | None = None) -> None:
        """Replace everything the grid shows (a new dataset or caption set); the selection is cleared."""
        self.rows = {row["file_id"]: row for row in rows}
        self._index = {row["file_id"]: i for i, row in enumerate(rows)}
        self.order = list(order) if order is not None else [row["file_id"] for row in rows]
        self.selection = Selection()
        self.focused = None
        self.run_method("setItems", [compact_item(row) for row in rows], self._positions(self.order))
        self._selection_changed()

    def append_rows(self, rows: list[Row], order: Iterable[str]) -> None:
        """Add rows after the ones the grid holds (the rest of a dataset after its first screen) and show
        `order`; the selection, the focus and the scroll position stay."""
        start = len(self._index)
        for offset, row in enumerate(rows):
            self.rows[row["file_id"]] = row
            self._index[row["file_id"]] = start + offset
        self.order = [file_id for file_id in order if file_id in self._index]
        self.run_method("appendItems", [compact_item(row) for row in rows], self._positions(self.order))

    def set_order(self, file_ids: Iterable[str]) -> None:
        """Show these files, in this order (after a sort or a filter)."""
        self.order = [file_id for file_id in file_ids if file_id in self._index]
        self.run_method("setOrder", self._positions(self.order))

    def update_row(self, file_id: str, **changes: Any) -> None:
        """Change one row (a caption saved, a file excluded): only that tile repaints."""
        self.update_rows({file_id: changes})

    def update_rows(self, changes_by_id: dict[str, dict[str, Any]]) -> None:
        """Change several rows at once; one small message for the browser."""
        patches = []
        for file_id, changes in changes_by_id.items():
            row = self.rows.get(file_id)
            if row is None:
                continue
            row.update(changes)
            patches.append(compact_item(row))
        if patches:
            self.run_method("patchItems", patches)

    def remove_rows(self, file_ids: Iterable[str]) -> None:
        """Drop rows from the view (removed from the dataset) without resending the list."""
        gone = set(file_ids)
        self.order = [file_id for file_id in self.order if file_id not in gone]
        for file_id in gone:
            self.rows.pop(file_id, None)
        self.run_method("setOrder", self._positions(self.order))
        self._apply(self.selection.retain(self.rows))

    def select_all(self) -> None:
        self._apply(self.selection.select_all(self.order))

    def select_none(self) -> None:
        self._apply(self.selection.clear())

    def invert_selection(self) -> None:
        self._apply(self.selection.invert(self.order))

    def click(self, file_id: str, *, toggle: bool = False, extend: bool = False) -> None:
        """What a click on a tile does (the browser reports clicks here)."""
        self._apply(self.selection.click(file_id, self.order, toggle=toggle, extend=extend))

    @property
    def selected_ids(self) -> list[str]:
        """Selected file ids in the grid's order."""
        return self.selection.in_order(self.order)

    def focus_file(self, file_id: str | None, *, scroll: bool = True) -> None:
        """Mark the tile the editor shows as "open" and scroll it into view (None: nothing is open)."""
        self.focused = file_id
        self.run_method("setFocus", file_id, scroll)

    def follow_open(self, previous: str | None, file_id: str) -> None:
        """The editor moved from `previous` to `file_id`: the selection follows when it was just the open
        image (or nothing); a selection made on purpose (several images, or others) stays as it is."""
        if self.selection.selected <= ({previous} if previous else set()):
            self._apply(self.selection.click(file_id, self.order))

    @property
    def hidden_selected(self) -> list[str]:
        """Selected ids that the current filter hides."""
        shown = set(self.order)
        return sorted(self.selection.selected - shown)

    def focus_grid(self) -> None:
        """Give keyboard focus to the grid (Esc from the editor)."""
        self.run_method("focusGrid")

    def set_tile_size(self, size: int) -> None:
        self.run_method("setTileSize", int(size))

    def neighbour(self, file_id: str | None, step: int) -> str | None:
        """The file `step` places away from `file_id` in the view order, or None past either end."""
        if not self.order:
            return None
        if file_id not in self.order:
            return self.order[0] if step > 0 else self.order[-1]
        position = self.order.index(file_id) + step
        return self.order[position] if 0 <= position < len(self.order) else None

    async def _handle_tile_click(self, event: GenericEventArguments) -> None:
        args = event.args
        toggle, extend = bool(args.get("toggle")), bool(args.get("extend"))
        self.click(args["id"], toggle=toggle, extend=extend)
        self.focused = args["id"]
        if not toggle and not extend and self._on_open:
            await _maybe_await(self._on_open(args["id"]))

    async def _handle_open(self, event: GenericEventArguments) -> None:
        if self._on_open and event.args.get("id") in self.rows:
            await _maybe_await(self._on_open(event.args["id"]))

    def _apply(self, change: SelectionChange) -> None:
        if change:
            self.run_method("patchSelection", sorted(change.added), sorted(change.removed))
        self._selection_changed()

    def _selection_changed(self) -> None:
        if self._on_selection_change:
            self._on_selection_change()

    def _positions(self, file_ids: list[str]) -> list[int]:
        return [self._index[file_id] for file_id in file_ids]


def compact_item(row: Row) -> list[Any]:
    """The few fields a tile needs as a short list (10,000 of them travel at once); see toItem in the JS."""
    file_id, flags, url = row["file_id"], row.get("quality_flags") or [], row.get("thumbnail_url")
    route = f"/api/files/{file_id}/thumbnail"
    if url and url.startswith(route):
        url = url[len(route) :] or "?"  # the browser puts the usual route back in front
    quality = row.get("quality_score")
    return [
        file_id,
        row.get("filename") or "",
        url,
        None if quality is None else round(quality, 3),
        row.get("caption_state") or "none",
        ", ".join(flags),
        bool(row.get("excluded")),
        None if row.get("duration_seconds") is None else round(row["duration_seconds"], 1),
    ]


async def _maybe_await(result: Awaitable[None] | None) -> None:
    if result is not None:
        await result
