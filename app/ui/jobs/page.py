"""The Jobs page: live cards for active caption jobs, then every job with status, timing, errors, failed
files (with Retry failed) and per-server throughput."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nicegui import run, ui

from app.config import Settings
from app.container import AppServices
from app.errors import CaptionForgeError
from app.jobs.runner import JobRunner
from app.services.caption_jobs.caption_job_shapes import CaptionJob
from app.services.system import update_config
from app.ui.jobs.job_progress import JobProgress, format_duration
from app.ui.layout import frame
from app.ui.page_services import with_services

STATUS_COLOURS = {
    "completed": "positive",
    "failed": "negative",
    "cancelled": "grey",
    "paused": "warning",
    "interrupted": "warning",
    "running": "primary",
    "pausing": "primary",
    "pending": "primary",
}
ENDPOINT_COLUMNS = [
    {"name": "url", "label": "Server", "field": "url", "align": "left"},
    {"name": "parallel", "label": "Parallel", "field": "parallel"},
    {"name": "completed", "label": "Captioned", "field": "completed"},
    {"name": "failed", "label": "Failed", "field": "failed"},
    {"name": "images_per_minute", "label": "Images/min", "field": "images_per_minute"},
    {"name": "status", "label": "Status", "field": "status"},
    {"name": "error", "label": "Last error", "field": "error", "align": "left"},
]


def register(services: AppServices) -> None:
    """Serve the Jobs page."""
    ui.page("/jobs", title="Jobs · CaptionForge")(with_services(jobs_page, services))


async def jobs_page(services: AppServices) -> None:
    with frame("Jobs"):
        with ui.column().classes("w-full max-w-5xl mx-auto p-4 gap-4"):
            with ui.row().classes("w-full items-center"):
                ui.label("Caption jobs").classes("text-xl font-semibold grow")
                _auto_resume_switch(services.settings)
            JobProgress(services)
            ui.label("All jobs").classes("text-base font-semibold")
            history = JobHistory(services.jobs)
    await history.load()
    services.events.job_progress.subscribe(history.on_progress)


def _auto_resume_switch(settings: Settings) -> None:
    async def save(event) -> None:
        try:
            await run.io_bound(update_config, settings, {"vision": {"auto_resume_jobs": bool(event.value)}})
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative")

    ui.switch(
        "Resume interrupted jobs when CaptionForge starts",
        value=bool(settings["vision"].get("auto_resume_jobs")),
        on_change=save,
    ).mark("jobs-auto-resume")


class JobHistory(ui.column):
    """Every job, newest first; rebuilt when a job changes status (not on every image)."""

    def __init__(self, runner: JobRunner) -> None:
        super().__init__()
        self.runner = runner
        self.classes("w-full gap-2").mark("job-history")
        self.statuses: dict[str, str] = {}

    async def load(self) -> None:
        jobs = await self.runner.list(limit=200)
        if self.is_deleted:
            return
        self.statuses = {job.id: job.status for job in jobs}
        self.clear()
        with self:
            if not jobs:
                ui.label("No caption jobs yet. Start one with Auto-Caption in the Workspace.").classes(
                    "text-gray-500"
                ).mark("jobs-empty")
            for job in jobs:
                _job_item(job, self.load, self.runner)

    async def on_progress(self, payload: dict[str, Any]) -> None:
        if payload.get("event") not in ("progress", "completed"):
            return
        if self.statuses.get(payload["job_id"]) != payload.get("status") or payload["event"] == "completed":
            await self.load()


def _job_item(job: CaptionJob, reload, runner: JobRunner) -> None:
    title = f"{job.dataset_name or 'Deleted dataset'} · {job.caption_set_name or '—'}"
    caption = (
        f"{job.completed_files} captioned · {job.failed_files} failed · {job.skipped_files} skipped "
        f"of {job.total_files} · {job.vision_model}"
    )
    with ui.expansion(title, caption=caption).classes("w-full border rounded").mark("job-item") as item:
        with item.add_slot("header"), ui.row().classes("w-full items-center gap-3 no-wrap"):
            ui.badge(job.status, color=STATUS_COLOURS.get(job.status, "grey")).mark("job-item-status")
            with ui.column().classes("gap-0 grow min-w-0"):
                ui.label(title).classes("font-medium truncate")
                ui.label(caption).classes("text-xs text-gray-600")
            ui.label(_timing(job)).classes("text-xs text-gray-600")
        with ui.column().classes("w-full gap-2 p-2"):
            if job.last_error:
                ui.label(job.last_error).classes("text-sm text-red-700 whitespace-pre-wrap").mark(
                    "job-last-error"
                )
            _controls(job, reload, runner)
            if job.endpoints:
                rows = [
                    {**e.model_dump(), "images_per_minute": e.images_per_minute or "—"} for e in job.endpoints
                ]
                ui.table(columns=ENDPOINT_COLUMNS, rows=rows, row_key="url").props("dense flat").classes(
                    "w-full"
                ).mark("job-endpoints")
            if job.failed:
                ui.label(f"Failed images ({len(job.failed)})").classes("text-sm font-semibold")
                with ui.column().classes("gap-0 w-full").mark("job-failed-files"):
                    for failure in job.failed[:200]:
                        with ui.row().classes("gap-2 text-sm no-wrap w-full"):
                            ui.label(failure.filename).classes("font-mono shrink-0")
                            ui.label(failure.error or "").classes("text-red-700 break-words min-w-0")


def _controls(job: CaptionJob, reload, runner: JobRunner) -> None:
    async def act(action, *_args) -> None:
        try:
            await action(job.id)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="warning")
        await reload()

    status = job.status
    with ui.row().classes("gap-2"):
        if status in ("running", "pending"):
            ui.button("Pause", icon="pause", on_click=lambda: act(runner.pause)).props("outline dense").mark(
                "job-item-pause"
            )
        if status in ("paused", "interrupted", "failed"):
            ui.button("Resume", icon="play_arrow", on_click=lambda: act(runner.resume)).props("dense").mark(
                "job-item-resume"
            )
        if status in ("running", "pending", "paused", "interrupted"):
            ui.button("Cancel", icon="close", on_click=lambda: act(runner.cancel)).props("flat dense").mark(
                "job-item-cancel"
            )
        if job.failed and status not in ("running", "pending", "pausing"):
            ui.button("Retry failed", icon="replay", on_click=lambda: act(runner.retry_failed)).props(
                "outline dense"
            ).mark("job-retry-failed")


def _timing(job: CaptionJob) -> str:
    created = _local(job.created_date)
    parts = [f"queued {created}"]
    if job.completed_date:
        parts.append(f"ended {_local(job.completed_date)}")
    if job.elapsed_seconds:
        parts.append(f"ran {format_duration(job.elapsed_seconds)}")
    return " · ".join(parts)


def _local(iso_utc: str | None) -> str:
    if not iso_utc:
        return "—"
    moment = datetime.fromisoformat(iso_utc)
    return moment.strftime("%Y-%m-%d %H:%M") + " UTC"
