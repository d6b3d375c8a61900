"""The workspace: datasets | image grid | caption editor."""

from __future__ import annotations

from nicegui import ui

from app.ui.layout import frame


@ui.page("/", title="CaptionForge")
def workspace_page() -> None:
    with frame("Workspace"):
        with ui.row().classes("w-full h-[calc(100vh-64px)] no-wrap gap-0"):
            with (
                ui.column()
                .classes("w-72 shrink-0 h-full border-r p-3 overflow-auto cf-datasets")
                .mark("column-datasets")
            ):
                ui.label("Datasets").classes("text-base font-semibold")
                ui.label(
                    "No datasets yet. Add a folder of images on the Folders page, then create a dataset."
                ).classes("text-sm text-gray-500").mark("datasets-empty")
            with ui.column().classes("grow h-full p-3 min-w-0 cf-grid").mark("column-grid"):
                ui.label("Select a dataset on the left to see its images here.").classes(
                    "text-gray-500"
                ).mark("grid-empty")
            with (
                ui.column()
                .classes("w-96 shrink-0 h-full border-l p-3 overflow-auto cf-editor")
                .mark("column-editor")
            ):
                ui.label("Caption editor").classes("text-base font-semibold")
                ui.label("Click an image to edit its caption.").classes("text-sm text-gray-500").mark(
                    "editor-empty"
                )
