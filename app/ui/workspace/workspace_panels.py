"""WorkspacePanels: on tablets and phones the editor slides over the grid and the datasets column is a drawer.

Only the open/closed state lives here (a class on each column); responsive.css decides per width what
that means, so at desktop widths both columns simply stay where they are.
"""

from __future__ import annotations

from nicegui import ui

from app.ui.a11y import labelled

OPEN = "cf-panel-open"


class WorkspacePanels:
    """Opens and closes the editor panel and the datasets drawer of one workspace page."""

    def __init__(self, datasets: ui.element, editor: ui.element) -> None:
        self.datasets, self.editor = datasets, editor
        # A tap beside the open datasets drawer closes it (the backdrop shows only on phones).
        self.backdrop = ui.element("div").classes("cf-backdrop").mark("panel-backdrop")
        self.backdrop.on("click", self.close_datasets)

    def open_editor(self) -> None:
        self.close_datasets()
        self.editor.classes(add=OPEN)

    def close_editor(self) -> None:
        self.editor.classes(remove=OPEN)

    def open_datasets(self) -> None:
        self.datasets.classes(add=OPEN)
        self.backdrop.classes(add=OPEN)

    def close_datasets(self) -> None:
        self.datasets.classes(remove=OPEN)
        self.backdrop.classes(remove=OPEN)


def close_button(marker: str, label: str, on_click, *, shown_below: int = 1000) -> ui.button:
    """The round close control of a panel, shown only where the panel slides (below 1000 or 700 px)."""
    button = ui.button(icon="close", on_click=on_click).props("flat round dense").mark(marker)
    return labelled(
        button.classes("cf-narrow-only" if shown_below == 1000 else "cf-phone-only"), label, tooltip=False
    )
