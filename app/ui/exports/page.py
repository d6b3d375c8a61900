"""The Exports page: start an export of a dataset + caption set, and the history with re-download and
"export again with these settings"."""

from __future__ import annotations

from typing import Any

from nicegui import app, run, ui

from app.container import AppServices
from app.services.exports import export_history
from app.services.exports.export_shapes import ExportEntry, ExportSource
from app.ui.a11y import labelled
from app.ui.exports.export_dialog import ExportDialog
from app.ui.exports.video_export_dialog import VideoExportDialog
from app.ui.layout import frame
from app.ui.page_services import with_services

STATUS_COLOURS = {
    "completed": "positive",
    "failed": "negative",
    "cancelled": "grey",
    "processing": "primary",
    "pending": "primary",
}


def register(services: AppServices) -> None:
    """Serve the Exports page."""
    ui.page("/exports", title="Exports · CaptionForge")(with_services(exports_page, services))


async def exports_page(core: AppServices, dataset: str | None = None, caption_set: str | None = None) -> None:
    """`/exports?dataset=<id>&caption_set=<id>` opens the export dialog for that dataset at once."""
    with frame("Exports"):
        with ui.column().classes("w-full max-w-5xl mx-auto p-4 gap-4"):
            ui.label("Exports").classes("text-xl font-semibold")
            sources = await run.io_bound(export_history.list_sources, core.db)
            _new_export(core, sources)
            ui.label("History").classes("text-base font-semibold")
            history = HistoryList(core)
            await history.load()
    core.events.export_progress.subscribe(lambda payload: history.on_progress(payload))
    if dataset and any(d.id == dataset for d in sources):
        ExportDialog(core, dataset, caption_set).open()


def _new_export(services: AppServices, sources: list[ExportSource]) -> None:
    with ui.card().classes("w-full").mark("new-export"):
        if not sources:
            ui.label("No datasets yet: create one in the Workspace, then export it here.").mark(
                "exports-no-datasets"
            )
            return
        names = {d.id: f"{d.name} ({d.file_count})" for d in sources}
        # Open on the dataset (and caption set) the user was working in, as the Workspace remembers them.
        working = app.storage.user.get("workspace") or {}
        start = working.get("dataset_id") if working.get("dataset_id") in names else sources[0].id
        with ui.row().classes("items-center gap-3 w-full"):
            dataset = ui.select(names, label="Dataset", value=start).classes("w-72").mark("export-dataset")
            caption_set = ui.select({}, label="Caption set").classes("w-56").mark("export-page-caption-set")

            def sets_for(dataset_id: str) -> None:
                chosen = next(d for d in sources if d.id == dataset_id)
                options = {s.id: s.name for s in chosen.caption_sets}
                remembered = (
                    working.get("caption_set_id") if dataset_id == working.get("dataset_id") else None
                )
                default = remembered if remembered in options else chosen.default_caption_set_id
                caption_set.set_options(options, value=default or next(iter(options), None))

            dataset.on_value_change(lambda e: sets_for(e.value))
            sets_for(dataset.value)
            ui.button(
                "Export…",
                icon="ios_share",
                on_click=lambda: _open(services, dataset.value, caption_set.value),
            ).mark("export-open")
            ui.button(
                "Export videos…",
                icon="movie",
                on_click=lambda: VideoExportDialog(services, dataset.value, caption_set.value).open(),
            ).props("outline").mark("video-export-open")


async def _open(
    services: AppServices, dataset_id: str, caption_set_id: str | None, settings: dict[str, Any] | None = None
) -> None:
    await ExportDialog(services, dataset_id, caption_set_id, settings)


class HistoryList(ui.column):
    """Past and running exports, newest first; running ones follow the progress events."""

    def __init__(self, services: AppServices) -> None:
        super().__init__()
        self.services = services
        self.classes("w-full gap-2").mark("export-history")
        self.progress_labels: dict[str, ui.label] = {}

    async def load(self) -> None:
        entries = await run.io_bound(export_history.list_history, self.services.db)
        self.clear()
        self.progress_labels.clear()
        with self:
            if not entries:
                ui.label("No exports yet.").classes("text-gray-500").mark("export-history-empty")
            for entry in entries:
                self._row(entry)

    def on_progress(self, payload: dict[str, Any]) -> None:
        label = self.progress_labels.get(payload.get("export_id"))
        if payload.get("status") == "processing" and label is not None:
            label.set_text(f"{payload['done']} / {payload['total']}")
        elif payload.get("status") in ("completed", "failed", "cancelled"):
            from nicegui import background_tasks

            background_tasks.create(self.load(), name="export-history-reload")

    def _row(self, entry: ExportEntry) -> None:
        settings = entry.settings
        with ui.card().classes("w-full").mark("export-history-row"):
            with ui.row().classes("w-full items-center gap-3"):
                ui.badge(entry.status, color=STATUS_COLOURS.get(entry.status, "grey")).mark(
                    "export-row-status"
                )
                ui.label(entry.dataset_name or "(deleted dataset)").classes("font-medium")
                ui.label(
                    f"{settings.get('preset', '')} · {entry.export_format} · "
                    f"{entry.image_format or 'original'}"
                    + (f" · {entry.target_resolution} px" if entry.target_resolution else "")
                ).classes("text-sm text-gray-600")
                ui.space()
                if entry.file_count is not None:
                    ui.label(f"{entry.file_count} files, {entry.total_size_mb or 0:.1f} MB").classes(
                        "text-sm"
                    ).mark("export-row-size")
                if entry.status in export_history.ACTIVE:
                    self.progress_labels[entry.id] = (
                        ui.label("…").classes("text-sm").mark("export-row-progress")
                    )
                if entry.downloadable:
                    labelled(
                        ui.button(
                            icon="download",
                            on_click=lambda e=entry: ui.download.from_url(
                                f"/api/export/jobs/{e.id}/download"
                            ),
                        ).props("flat round"),
                        "Download the ZIP",
                    ).mark("export-row-download")
                ui.button(
                    "Export again",
                    icon="replay",
                    on_click=lambda e=entry: _open(self.services, e.dataset_id, e.caption_set_id, e.settings),
                ).props("flat no-caps").mark("export-row-again")
            ui.label(entry.export_path).classes("text-xs text-gray-500 break-all")
            if entry.error_message:
                ui.label(entry.error_message).classes("text-xs text-red-700").mark("export-row-error")
            failed = entry.report.get("failed") or []
            if failed:
                ui.label(
                    f"{len(failed)} images could not be exported: "
                    + "; ".join(f"{f['source']}: {f['error']}" for f in failed[:3])
                ).classes("text-xs text-amber-800")
