"""The workspace toolbar's actions on the shown dataset: export it, check its health, review its duplicates."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from app.container import AppServices
from app.ui.count_refresh import counts
from app.ui.datasets.duplicates_dialog import DuplicatesDialog
from app.ui.datasets.health_panel import HealthPanel
from app.ui.exports.export_dialog import ExportDialog
from app.ui.workspace.workspace_state import WorkspaceState

FilesHandler = Callable[[list[str]], Awaitable[None]]
ToolbarButton = tuple[str, str, str, Callable[[], Awaitable[None] | None]]  # icon, tooltip, marker, handler


class WorkspaceActions:
    """The toolbar's round buttons that open a dialog; `on_rows_changed(file_ids)` takes what a dialog changed."""

    def __init__(
        self,
        services: AppServices,
        state: WorkspaceState,
        *,
        on_rows_changed: FilesHandler,
        on_query: Callable[[str], None],
    ) -> None:
        """on_query(text) puts a query into the grid's search box."""
        self.services, self.state = services, state
        self._on_rows_changed, self._on_query = on_rows_changed, on_query

    def buttons(self) -> tuple[ToolbarButton, ...]:
        """The buttons for the grid toolbar."""
        return (
            ("ios_share", "Export this dataset through the caption set", "grid-export", self.export),
            ("monitor_heart", "Dataset health: click a bar to filter the grid", "grid-health", self.health),
            ("content_copy", "Duplicates: keep the best of each group", "grid-duplicates", self.duplicates),
        )

    def export(self) -> None:
        if not self.state.dataset_id:
            ui.notify("Choose a dataset to export first.")
            return
        ExportDialog(self.services, self.state.dataset_id, self.state.caption_set_id).open()

    async def health(self) -> None:
        if not self.state.dataset_id:
            ui.notify("Choose a dataset first.")
            return
        panel = HealthPanel(
            self.services, self.state.dataset_id, self.state.caption_set_id, on_filter=self._on_query
        )
        panel.open()
        unfollow = counts(self.services.events).follow(
            panel.load
        )  # its coverage bars are counts too, while it is open
        panel.on("hide", unfollow)
        await panel.load()

    async def duplicates(self) -> None:
        if not self.state.dataset_id:
            ui.notify("Choose a dataset first.")
            return
        dialog = DuplicatesDialog(self.services, self.state.dataset_id, on_change=self._on_rows_changed)
        dialog.open()
        await dialog.load()
