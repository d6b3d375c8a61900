"""FileSelection: which tiles of the Folders page grid are selected (click, shift-click, ctrl-click, all).

Pure bookkeeping over the shown ids in grid order; the grid draws it.
"""

from __future__ import annotations


class FileSelection:
    """Click selects one, ctrl/cmd-click toggles one, shift-click selects the range from the anchor."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.selected: set[str] = set()
        self.anchor: str | None = None

    def show(self, ids: list[str]) -> None:
        """The ids shown, in order (a page more, or a reload); selected ids no longer shown are dropped."""
        self.order = list(ids)
        shown = set(self.order)
        self.selected &= shown
        if self.anchor not in shown:
            self.anchor = None

    def click(self, file_id: str, *, shift: bool = False, toggle: bool = False) -> None:
        if shift and self.anchor in self.order and file_id in self.order:
            start, end = sorted((self.order.index(self.anchor), self.order.index(file_id)))
            span = set(self.order[start : end + 1])
            self.selected = self.selected | span if toggle else span
            return
        if toggle:
            self.selected ^= {file_id}
        else:
            self.selected = {file_id}
        self.anchor = file_id

    def select_all(self) -> None:
        self.selected = set(self.order)

    def clear(self) -> None:
        self.selected = set()
        self.anchor = None

    def ids(self) -> list[str]:
        """The selected ids in grid order."""
        return [file_id for file_id in self.order if file_id in self.selected]
