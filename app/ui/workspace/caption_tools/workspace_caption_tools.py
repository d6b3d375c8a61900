"""The caption tools in the workspace: the "Caption tools" menu by the selection bar and the tag panel.

Kept apart from WorkspaceController so that file stays small; the controller calls `build_menu()`,
`build_tag_panel()` and `set_changed()` and this class reads the grid, toolbar and editor it holds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nicegui import run, ui

from app.core import current
from app.services.captions.batch_edits import bulk_payload, row_payload
from app.services.datasets import datasets
from app.ui.workspace.caption_tools.batch_preview import GridScope
from app.ui.workspace.caption_tools.caption_tools_menu import CaptionToolsMenu
from app.ui.workspace.caption_tools.tag_panel import TagPanel
from app.ui.workspace.grid.saved_views_menu import SavedViewsMenu

MAX_EVENTS = 500  # per-caption live updates to other tabs after a batch; more are not sent

if TYPE_CHECKING:
    from app.ui.workspace.workspace_controller import WorkspaceController


class WorkspaceCaptionTools:
    """Glue between the caption tools and one workspace page visit."""

    def __init__(self, workspace: WorkspaceController) -> None:
        self.workspace = workspace
        self.tag_panel: TagPanel | None = None

    def build_menu(self) -> None:
        """The "Caption tools" button at the end of the selection bar, saved views beside the search box."""
        with self.workspace.selection_bar:
            CaptionToolsMenu(self.scope, self.captions_changed)
        toolbar = self.workspace.toolbar
        with toolbar.search.parent_slot:
            SavedViewsMenu(
                dataset_id=lambda: self.workspace.state.dataset_id,
                current_query=lambda: toolbar.search.value or "",
                apply=toolbar.set_query,
            )

    def build_tag_panel(self) -> None:
        """The tag frequency panel under the editor; a click puts `tag:x` into the grid's search box."""
        with ui.expansion("Tags in this caption set", icon="sell").classes("w-full").mark("tags-expansion"):
            self.tag_panel = TagPanel(
                on_query=self.workspace.toolbar.set_query, on_changed=self.captions_changed
            )

    async def set_changed(self) -> None:
        """Another dataset or caption set is shown: list its tags."""
        if self.tag_panel is not None:
            await self.tag_panel.show_set(self.workspace.state.caption_set_id)

    def scope(self) -> GridScope | None:
        """What the grid holds now (None without a caption set)."""
        workspace = self.workspace
        if not workspace.state.caption_set_id:
            return None
        return GridScope(
            workspace.state.caption_set_id,
            selected_ids=list(workspace.grid.selected_ids),
            shown_ids=list(workspace.grid.order),
            query=workspace.options.query,
        )

    async def captions_changed(self, file_ids: list[str] | None, tell_other_tabs: bool = True) -> None:
        """Captions changed in bulk (batch edit, tag rename, undo): re-read rows, repaint, refresh tags and editor.

        Other tabs (and this page's counts) hear of it through caption_changed, unless the news came from one.
        """
        workspace = self.workspace
        if workspace.state.dataset_id is None:
            return
        fresh = await run.io_bound(
            datasets.list_dataset_files,
            current().db,
            workspace.state.dataset_id,
            workspace.state.caption_set_id,
        )
        before = {row["file_id"]: row.get("caption_modified") for row in workspace.rows}
        changed = [row for row in fresh if before.get(row["file_id"]) != row.get("caption_modified")]
        wanted = {row["file_id"] for row in changed} | set(file_ids or [])
        workspace.rows = fresh
        if tell_other_tabs:
            _tell_other_tabs(workspace.state.caption_set_id, changed)
        workspace.grid.update_rows({row["file_id"]: row for row in fresh if row["file_id"] in wanted})
        await workspace.apply_view()
        editor = workspace.editor
        if editor.file_id in wanted and editor.caption_set_id and not editor.dirty:
            await editor.open(editor.caption_set_id, editor.file_id)
        if self.tag_panel is not None:
            await self.tag_panel.refresh()
        tag_tools = getattr(editor, "tag_tools", None)
        if tag_tools is not None:
            await tag_tools.refresh_vocabulary()


def _tell_other_tabs(caption_set_id: str | None, rows: list[dict]) -> None:
    """caption_changed for each changed caption, so other open tabs repaint those tiles and every count
    follows; a huge batch would flood every tab, so it is one event without a file (re-read the set)."""
    if len(rows) > MAX_EVENTS:
        current().events.caption_changed.emit(bulk_payload(caption_set_id))
        return
    for row in rows:
        current().events.caption_changed.emit(row_payload(caption_set_id, row))
