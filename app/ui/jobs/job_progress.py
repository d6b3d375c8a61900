"""JobProgress: the live card of every active caption job, pushed by core.events.job_progress (no polling).

Each card shows a progress bar, completed / failed / skipped of total, the current file, the rate and the
ETA, with Pause, Resume and Cancel. A notification tells this page when a job finishes.
"""

from __future__ import annotations

import logging
from typing import Any

from nicegui import background_tasks, ui

from app.container import AppServices
from app.errors import CaptionForgeError
from app.jobs.job_payloads import progress_payload
from app.jobs.runner import JobRunner
from app.services.caption_jobs.caption_job_plan import ACTIVE
from app.ui.a11y import labelled

log = logging.getLogger("app.ui.jobs")
STATUS_TEXT = {
    "pending": "Queued",
    "running": "Captioning",
    "pausing": "Pausing after the images in flight…",
    "paused": "Paused",
    "interrupted": "Interrupted (the app stopped)",
}


class JobProgress(ui.column):
    """Cards for the active caption jobs (all, or one caption set's); subscribes for this page's lifetime."""

    def __init__(self, services: AppServices, caption_set_id: str | None = None) -> None:
        super().__init__()
        self.classes("w-full gap-2").mark("job-progress")
        self.runner = services.jobs
        self.caption_set_id = caption_set_id
        self.cards: dict[str, JobCard] = {}
        services.events.job_progress.subscribe(self._on_progress)
        background_tasks.create(self.load(), name="load caption jobs")

    async def load(self) -> None:
        """Show the jobs that are active now."""
        jobs = await self.runner.list(limit=50)
        for job in reversed(jobs):  # oldest first, as the queue runs them
            wanted = self.caption_set_id is None or job.caption_set_id == self.caption_set_id
            if job.status in (*ACTIVE, "pausing") and wanted and not self.is_deleted:
                self._card(job.id).show(progress_payload(job, job.current_file))

    def _wanted(self, payload: dict[str, Any]) -> bool:
        return self.caption_set_id is None or payload.get("caption_set_id") == self.caption_set_id

    def _card(self, job_id: str) -> JobCard:
        if job_id not in self.cards:
            with self:
                self.cards[job_id] = JobCard(job_id, self.runner)
        return self.cards[job_id]

    def _on_progress(self, payload: dict[str, Any]) -> None:
        if not self._wanted(payload) or self.is_deleted:
            return
        event, job_id = payload.get("event"), payload.get("job_id")
        if event == "progress":
            self._card(job_id).show(payload)
        elif event == "completed" and job_id in self.cards:
            self.cards.pop(job_id).delete()
            ui.notify(_finished_text(payload), type=_finished_type(payload), multi_line=True)


class JobCard(ui.card):
    """One job's live progress and its controls."""

    def __init__(self, job_id: str, runner: JobRunner) -> None:
        super().__init__()
        self.job_id = job_id
        self.runner = runner
        self.classes("w-full gap-1 p-3 cf-job-card").mark("job-card")
        with self:
            with ui.row().classes("w-full items-center gap-2 no-wrap"):
                self.status = ui.label("").classes("text-sm font-semibold grow truncate").mark("job-status")
                self.pause = ui.button(icon="pause", on_click=self._pause).props("flat dense round")
                labelled(self.pause, "Pause after the images in flight").mark("job-pause")
                self.resume = ui.button(icon="play_arrow", on_click=self._resume).props("flat dense round")
                labelled(self.resume, "Resume").mark("job-resume")
                self.cancel = ui.button(icon="close", on_click=self._cancel).props("flat dense round")
                labelled(self.cancel, "Cancel (finished captions stay)").mark("job-cancel")
            self.bar = (
                ui.linear_progress(0.0, show_value=False, size="8px")
                .classes("w-full cf-job-bar")
                .mark("job-progress-bar")
            )
            self.counts = ui.label("").classes("text-xs cf-job-counts").mark("job-counts")
            self.current_file = (
                ui.label("").classes("text-xs text-gray-600 truncate w-full").mark("job-current-file")
            )
            self.rate = ui.label("").classes("text-xs text-gray-600").mark("job-rate")
            self.error = ui.label("").classes("text-xs text-red-700 whitespace-pre-wrap").mark("job-error")

    def show(self, job: dict[str, Any]) -> None:
        """Update from a progress payload (progress_payload of a job, or one the run published)."""
        status = job.get("status") or "running"
        total = job.get("total_files") or 0
        self.status.text = STATUS_TEXT.get(status, status.capitalize())
        self.bar.value = bar_fraction(job)
        self.counts.text = (
            f"{job.get('completed_files') or 0} captioned · {job.get('failed_files') or 0} failed · "
            f"{job.get('skipped_files') or 0} skipped of {total}"
        )
        running = status in ("running", "pending")
        self.current_file.text = f"Now: {job['current_file']}" if running and job.get("current_file") else ""
        self.rate.text = _rate_text(job) if status == "running" else ""
        self.error.text = job.get("last_error") or "" if status in ("paused", "interrupted") else ""
        self.pause.visible = running
        self.resume.visible = status in ("paused", "interrupted")
        self.cancel.visible = status != "pausing"

    async def _pause(self) -> None:
        await self._control(self.runner.pause)

    async def _resume(self) -> None:
        await self._control(self.runner.resume)

    async def _cancel(self) -> None:
        await self._control(self.runner.cancel)

    async def _control(self, action) -> None:
        try:
            await action(self.job_id)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="warning")


def bar_fraction(job: dict[str, Any]) -> float:
    """The share of the job's own work done: captioned and failed images of those it set out to caption.

    Images skipped when the job was planned (already captioned) are not progress: a job that skips 110
    of 120 and has captioned none shows an empty bar, not a 92 % one."""
    work = (job.get("completed_files") or 0) + (job.get("failed_files") or 0)
    remaining = job.get("remaining_files")
    if remaining is None:  # an older payload: fall back to the total less the skipped
        remaining = max(0, (job.get("total_files") or 0) - (job.get("skipped_files") or 0) - work)
    todo = work + remaining
    return round(work / todo, 4) if todo else 0.0


def _rate_text(job: dict[str, Any]) -> str:
    rate, eta = job.get("rate_per_minute"), job.get("estimated_time_remaining_seconds")
    if not rate:
        return "Measuring speed…"
    return (
        f"{rate:g} images/min · about {format_duration(eta)} left"
        if eta is not None
        else f"{rate:g} images/min"
    )


def format_duration(seconds: float | None) -> str:
    """'45 s', '12 min', '2 h 05 min'."""
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def _finished_text(payload: dict[str, Any]) -> str:
    status = payload.get("status")
    counts = f"{payload.get('completed_files', 0)} captioned, {payload.get('failed_files', 0)} failed"
    if status == "cancelled":
        return f"Caption job cancelled: {counts}."
    if status == "failed":
        return f"Caption job stopped: {payload.get('last_error') or 'see the Jobs page'}"
    return f"Caption job finished: {counts}, {payload.get('skipped_files', 0)} skipped."


def _finished_type(payload: dict[str, Any]) -> str:
    if payload.get("status") == "cancelled":
        return "info"
    if payload.get("status") == "failed":
        return "negative"
    return "warning" if payload.get("failed_files") else "positive"
