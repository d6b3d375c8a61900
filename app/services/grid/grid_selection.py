"""Which grid tiles are selected: click, ctrl/cmd-click toggle, shift-click range, all / none / invert.

Pure state over file ids and the grid's current order, so the rules are unit-tested without a browser.
Every change returns the ids that became selected and those that stopped being selected, which is all
the browser needs to repaint.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass
class SelectionChange:
    """Ids that were added to and removed from the selection by one action."""

    added: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


@dataclass
class Selection:
    """The selected file ids and the anchor a shift-click range starts from."""

    selected: set[str] = field(default_factory=set)
    anchor: str | None = None

    def click(
        self, file_id: str, order: Sequence[str], *, toggle: bool = False, extend: bool = False
    ) -> SelectionChange:
        """Apply one click on a tile: plain selects only it, `toggle` flips it, `extend` selects a range."""
        if extend and self.anchor is not None and self.anchor in order and file_id in order:
            start, end = sorted((order.index(self.anchor), order.index(file_id)))
            span = set(order[start : end + 1])
            # Shift keeps ctrl-selected tiles only when ctrl is held as well, as in file managers.
            return self._replace(self.selected | span if toggle else span)
        self.anchor = file_id
        if toggle:
            return self._replace(self.selected ^ {file_id})
        return self._replace({file_id})

    def select_all(self, order: Iterable[str]) -> SelectionChange:
        """Select every tile the grid shows (tiles hidden by a filter keep their state)."""
        return self._replace(self.selected | set(order))

    def clear(self) -> SelectionChange:
        """Select nothing."""
        self.anchor = None
        return self._replace(set())

    def invert(self, order: Iterable[str]) -> SelectionChange:
        """Flip every tile the grid shows."""
        shown = set(order)
        return self._replace((self.selected - shown) | (shown - self.selected))

    def retain(self, existing: Iterable[str]) -> SelectionChange:
        """Forget ids that are no longer in the dataset (after a remove)."""
        keep = self.selected & set(existing)
        if self.anchor not in keep:
            self.anchor = None
        return self._replace(keep)

    def in_order(self, order: Sequence[str]) -> list[str]:
        """The selected ids in the grid's order, then any hidden by a filter."""
        shown = [file_id for file_id in order if file_id in self.selected]
        hidden = sorted(self.selected - set(shown))
        return shown + hidden

    def _replace(self, new: set[str]) -> SelectionChange:
        change = SelectionChange(added=new - self.selected, removed=self.selected - new)
        self.selected = new
        return change
