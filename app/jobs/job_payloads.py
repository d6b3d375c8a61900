"""core.events.job_progress payloads: the job stream's SSE event shapes plus "event", "job_id" and "caption_set_id"."""

from __future__ import annotations

from typing import Any

from app.core import Events
from app.services.caption_jobs.caption_job_commit import CommitReport
from app.services.caption_jobs.caption_job_shapes import CaptionJob
from app.services.caption_jobs.caption_jobs import FINISHED

PROGRESS_FIELDS = (
    "job_id",
    "caption_set_id",
    "status",
    "completed_files",
    "total_files",
    "failed_files",
    "skipped_files",
    "remaining_files",
    "percent_complete",
    "estimated_time_remaining_seconds",
    "rate_per_minute",
    "last_error",
)


def progress_payload(job: CaptionJob, current_file: str | None) -> dict[str, Any]:
    """event "progress": counts, percent, rate and ETA of a job, and the file being captioned."""
    payload = {"event": "progress", **{key: getattr(job, key) for key in PROGRESS_FIELDS}}
    payload["current_file"] = current_file
    return payload


def completed_payload(job: CaptionJob) -> dict[str, Any]:
    """event "completed": the final counts; `status` says how it ended (completed, cancelled, failed)."""
    return {
        "event": "completed",
        **{key: getattr(job, key) for key in PROGRESS_FIELDS if key != "estimated_time_remaining_seconds"},
        "total_time_seconds": job.elapsed_seconds,
    }


def publish_status(events: Events, job: CaptionJob, current_file: str | None) -> None:
    """Tell every page a job's status changed (and that it finished, when it did)."""
    events.job_progress.emit(progress_payload(job, current_file))
    if job.status in FINISHED:
        events.job_progress.emit(completed_payload(job))


def publish_commit(events: Events, report: CommitReport, current_file: str | None) -> None:
    """Events for one commit: caption_generated per caption, error per failure, progress (the commit itself
    queued caption_changed for each saved caption)."""
    job = report.job
    ids = {"job_id": job.id, "caption_set_id": job.caption_set_id}
    for outcome, caption in report.saved:
        events.job_progress.emit(
            {
                "event": "caption_generated",
                **ids,
                "file_id": outcome.file_id,
                "filename": outcome.filename,
                "caption": caption["caption_text"],
                "quality_score": caption["quality_score"],
                "processing_time_ms": outcome.processing_time_ms,
            }
        )
    for outcome, clip in report.clips:  # kept on the clip, not in the caption set
        events.job_progress.emit(
            {
                "event": "caption_generated",
                **ids,
                "file_id": clip["file_id"],
                "clip_id": clip["id"],
                "filename": outcome.filename,
                "caption": clip["caption_text"],
                "quality_score": outcome.quality_score,
                "processing_time_ms": outcome.processing_time_ms,
            }
        )
    for outcome in report.failed:
        events.job_progress.emit(
            {
                "event": "error",
                **ids,
                "file_id": outcome.file_id,
                "filename": outcome.filename,
                "error": outcome.error,
            }
        )
    events.job_progress.emit(progress_payload(job, current_file))
