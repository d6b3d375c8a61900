"""The caption tools in the workspace: the "Caption tools" menu by the selection bar and the tag panel.

The workspace controller owns the rows, the grid and the editor; these tools get what they need as
callbacks (what the grid holds now, "captions changed in bulk") and the toolbar they sit in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from app.db import Database
from app.ui.workspace.caption_tools.batch_preview import GridScope
from app.ui.workspace.caption_tools.caption_tools_menu import CaptionToolsMenu
from app.ui.workspace.caption_tools.tag_panel import TagPanel
from app.ui.workspace.grid.grid_toolbar import GridToolbar
from app.ui.workspace.grid.saved_views_menu import SavedViewsMenu


class WorkspaceCaptionTools:
    """Glue between the caption tools and one workspace page visit."""

    def __init__(
        self,
        db: Database,
        scope: Callable[[], GridScope | None],
        on_changed: Callable[[list[str] | None], Awaitable[None]],
        dataset_id: Callable[[], str | None],
        caption_set_id: Callable[[], str | None],
    ) -> None:
        self.db = db
        self.scope = scope
        self.on_changed = on_changed
        self.dataset_id = dataset_id
        self.caption_set_id = caption_set_id
        self.tag_panel: TagPanel | None = None

    def build_menu(self, selection_bar: ui.element, toolbar: GridToolbar) -> None:
        """The "Caption tools" button at the end of the selection bar, saved views beside the search box."""
        with selection_bar:
            CaptionToolsMenu(self.db, self.scope, self.on_changed)
        with toolbar.search.parent_slot:
            SavedViewsMenu(
                self.db,
                dataset_id=self.dataset_id,
                current_query=lambda: toolbar.search.value or "",
                apply=toolbar.set_query,
            )

    def build_tag_panel(self, toolbar: GridToolbar) -> None:
        """The tag frequency panel under the editor; a click puts `tag:x` into the grid's search box."""
        with ui.expansion("Tags in this caption set", icon="sell").classes("w-full").mark("tags-expansion"):
            self.tag_panel = TagPanel(self.db, on_query=toolbar.set_query, on_changed=self.on_changed)

    async def set_changed(self) -> None:
        """Another dataset or caption set is shown: list its tags."""
        if self.tag_panel is not None:
            await self.tag_panel.show_set(self.caption_set_id())

    async def refresh(self) -> None:
        """Captions changed in bulk: count the tags again."""
        if self.tag_panel is not None:
            await self.tag_panel.refresh()
