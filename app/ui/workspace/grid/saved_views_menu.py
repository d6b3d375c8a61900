"""SavedViewsMenu: the dataset's named grid queries beside the search box: apply, save the current one, delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import run, ui

from app.db import Database
from app.errors import CaptionForgeError
from app.services.grid import saved_views
from app.ui.a11y import labelled


class SavedViewsMenu(ui.button):
    """`dataset_id()` and `current_query()` read the page; `apply(query)` puts a view's query in the search box."""

    def __init__(
        self,
        db: Database,
        *,
        dataset_id: Callable[[], str | None],
        current_query: Callable[[], str],
        apply: Callable[[str], None],
    ) -> None:
        super().__init__(icon="bookmarks")
        self.db = db
        labelled(self.props("flat dense round").mark("saved-views"), "Saved views (named filters)")
        self._dataset_id, self._current_query, self._apply = dataset_id, current_query, apply
        with self:
            self.menu = ui.menu().props("auto-close")
        self.on("click", self.refresh)

    async def refresh(self) -> None:
        """Rebuild the menu from the database."""
        dataset_id = self._dataset_id()
        views = await run.io_bound(saved_views.list_saved_views, self.db, dataset_id) if dataset_id else []
        self.menu.clear()
        with self.menu:
            ui.menu_item("Save the current filter as a view…", self._save).mark("save-view")
            if views:
                ui.separator()
            for view in views or []:
                self._item(view)

    def _item(self, view: dict[str, Any]) -> None:
        with ui.menu_item(on_click=lambda v=view: self._apply(v["query"])).mark("saved-view"):
            with ui.row().classes("w-full items-center no-wrap gap-2"):
                with ui.column().classes("gap-0 grow"):
                    ui.label(view["name"]).classes("text-sm")
                    ui.label(view["query"]).classes("text-xs text-gray-500")
                labelled(
                    ui.button(icon="delete", on_click=lambda v=view: self._delete(v))
                    .props("flat dense round size=sm")
                    .mark("delete-view"),
                    f"Delete the view {view['name']}",
                    tooltip=False,
                ).on("click.stop", lambda: None)

    async def _save(self) -> None:
        dataset_id, query = self._dataset_id(), self._current_query().strip()
        if not dataset_id or not query:
            ui.notify("Type a filter in the search box first, then save it as a view", type="warning")
            return
        name = await _NameDialog(query)
        if not name:
            return
        try:
            await run.io_bound(saved_views.create_saved_view, self.db, dataset_id, name, query)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        ui.notify(f'View "{name}" saved', type="positive")

    async def _delete(self, view: dict[str, Any]) -> None:
        try:
            await run.io_bound(saved_views.delete_saved_view, self.db, view["id"])
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative")
            return
        ui.notify(f'View "{view["name"]}" deleted')
        await self.refresh()


class _NameDialog(ui.dialog):
    """Awaited for the new view's name (None when cancelled)."""

    def __init__(self, query: str) -> None:
        super().__init__()
        with self, ui.card().classes("w-96 gap-2"):
            ui.label("Save view").classes("text-lg font-semibold")
            ui.label(query).classes("text-xs text-gray-600 break-words")
            name = ui.input("Name").props("outlined dense autofocus").classes("w-full").mark("view-name")
            name.on("keydown.enter", lambda: self.submit((name.value or "").strip() or None))
            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=lambda: self.submit(None)).props("flat no-caps")
                ui.button("Save", on_click=lambda: self.submit((name.value or "").strip() or None)).props(
                    "no-caps"
                ).mark("view-save")
