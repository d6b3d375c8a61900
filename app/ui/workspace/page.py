"""The workspace: datasets | image grid | caption editor."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from app.container import AppServices
from app.ui.datasets.dataset_list import DatasetPanel
from app.ui.jobs.auto_caption_dialog import start_auto_caption
from app.ui.jobs.job_progress import JobProgress
from app.ui.layout import frame
from app.ui.page_services import with_services
from app.ui.workspace.workspace_controller import WorkspaceController
from app.ui.workspace.workspace_panels import WorkspacePanels, close_button
from app.ui.workspace.workspace_state import WorkspaceState


def register(services: AppServices) -> None:
    """Serve the workspace at /."""
    ui.page("/", title="CaptionForge")(with_services(workspace_page, services))


def workspace_page(services: AppServices, dataset: str | None = None, caption_set: str | None = None) -> None:
    """`?dataset=<id>&caption_set=<id>` opens that dataset; otherwise the one used last."""
    state = WorkspaceState()
    panels: WorkspacePanels | None = None  # built once both columns exist; the lambdas below run later
    # Caption jobs hook in here: on_caption_selection=async (file_ids) -> None shows "Caption with vision model".
    workspace = WorkspaceController(
        services,
        state,
        on_caption_selection=lambda file_ids: start_auto_caption(services, state.caption_set_id, file_ids),
        on_editor_shown=lambda shown: panels.open_editor() if shown else panels.close_editor(),
    )
    with frame("Workspace"):
        with ui.row().classes("w-full h-[calc(100vh-64px)] no-wrap gap-0"):
            with (
                ui.column()
                .classes("w-72 2xl:w-80 shrink-0 h-full border-r p-3 overflow-auto cf-datasets")
                .mark("column-datasets") as datasets
            ):
                with ui.row().classes("w-full justify-end cf-phone-only"):
                    close_button(
                        "datasets-close", "Close datasets", lambda: panels.close_datasets(), shown_below=700
                    )
                _datasets_column(services, workspace, on_chosen=lambda: panels.close_datasets())
                JobProgress(services)  # live caption jobs: progress, pause/resume/cancel
            with ui.column().classes("grow h-full p-3 min-w-0 no-wrap gap-2 cf-grid").mark("column-grid"):
                with ui.row().classes("w-full items-center gap-2 cf-phone-only"):
                    ui.button("Datasets", icon="menu", on_click=lambda: panels.open_datasets()).props(
                        "flat dense no-caps"
                    ).mark("datasets-open")
                    ui.button(
                        "Sort and filter", icon="tune", on_click=lambda: workspace.toolbar.toggle_filters()
                    ).props("flat dense no-caps").mark("grid-filters-toggle")
                workspace.build_center()
            with (
                ui.column()
                .classes("w-96 2xl:w-[32rem] shrink-0 h-full border-l p-3 overflow-auto cf-editor")
                .mark("column-editor") as editor
            ):
                workspace.build_right()
        panels = WorkspacePanels(datasets, editor)
    workspace.subscribe()
    # The rows are read while the browser starts up and shown once it is connected.
    workspace.prefetch(dataset, caption_set)
    ui.timer(0, workspace.start, once=True)


def _datasets_column(
    services: AppServices, workspace: WorkspaceController, on_chosen: Callable[[], None]
) -> None:
    """The datasets panel; `on_chosen()` follows a choice (on a phone it closes the drawer)."""

    async def select(dataset_id: str | None, caption_set_id: str | None = None) -> None:
        on_chosen()
        await workspace.select(dataset_id, caption_set_id)

    DatasetPanel(services, on_select=select, state=workspace.state)
