"""Caption jobs in the database: plan, create, list, status changes, retry. The job row is the whole state.

A job's `state` JSON holds what a restart needs: `remaining` (file ids, or "clip:<id>" for a clip of a
video, not yet committed, in order),
`failed` ([{file_id, filename, error}]), `endpoints` ([{url, parallel, completed, failed, busy_seconds,
status, error}]), `options` (custom prompt, trigger phrase, overwrite_manual, parallel, backend),
`elapsed_seconds` (running time over all runs) and `processed` (images that took a request).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from app.db import Database
from app.errors import Conflict, Invalid, NotFound
from app.models import CaptionJob, CaptionSet, Dataset, utcnow
from app.services.caption_jobs import caption_job_shapes as shapes
from app.services.caption_jobs.caption_job_plan import (
    endpoint_stats,
    job_endpoints,
    merge_endpoints,
    nothing_to_do,
    plan_in_session,
    require_set,
)
from app.services.caption_jobs.caption_job_shapes import CaptionJobPlan, JobEndpoint, JobFailure
from app.services.rows import iso, json_value

FINISHED = ("completed", "cancelled", "failed")


def create_job(
    db: Database,
    caption_set_id: str,
    *,
    vision_model: str,
    endpoints: list[dict[str, Any]],
    backend: str = "ollama",
    file_ids: list[str] | None = None,
    overwrite_existing: bool = False,
    overwrite_manual: bool = False,
    min_quality_threshold: float | None = None,
    custom_prompt: str | None = None,
    parallel: int = 1,
    default_seconds_per_image: float = 5.0,
) -> shapes.QueuedCaptionJob:
    """Queue a job (status "pending"); returns the job with its estimated time and skip reasons.

    Raises Invalid when nothing would be captioned (the message says why and what to change).
    """
    if not vision_model:
        raise Invalid("Choose a vision model for the job (Settings > Vision lists the installed ones)")
    if min_quality_threshold is not None and not 0 <= min_quality_threshold <= 1:
        raise Invalid("The quality threshold is a number from 0 to 1, e.g. 0.7")
    with db.session() as session:
        caption_set = require_set(session, caption_set_id)
        plan = plan_in_session(
            session, caption_set, file_ids, overwrite_existing, overwrite_manual, min_quality_threshold
        )
        if not plan.to_caption:
            raise Invalid(nothing_to_do(plan))
        options = _job_options(caption_set, custom_prompt, overwrite_manual, parallel, backend, file_ids)
        state = _new_state(plan.to_caption, endpoints, options)
        job = _new_job(caption_set, plan, state, vision_model, custom_prompt)
        job.overwrite_existing = bool(overwrite_existing)
        job.min_quality_threshold = min_quality_threshold
        session.add(job)
        session.flush()
        slots = sum(e["parallel"] for e in state["endpoints"]) or 1
        per_image = _seconds_per_image(session, vision_model) or default_seconds_per_image
        return shapes.QueuedCaptionJob(
            **job_fields(job, caption_set),
            estimated_time_seconds=round(len(plan.to_caption) * per_image / slots),
            skip_reasons=plan.skip_reasons,
        )


def _new_job(
    caption_set: CaptionSet,
    plan: CaptionJobPlan,
    state: dict[str, Any],
    vision_model: str,
    custom_prompt: str | None,
) -> CaptionJob:
    """The pending job row of `plan` for the set, with the set's style and limits copied in (the caller
    adds the overwrite and quality options)."""
    return CaptionJob(
        caption_set_id=caption_set.id,
        style=caption_set.style,
        vision_model=vision_model,
        generation_prompt=custom_prompt or caption_set.generation_prompt,
        max_length=caption_set.max_length,
        status="pending",
        total_files=plan.total,
        skipped_files=plan.skipped,
        state=json.dumps(state),
    )


def _job_options(
    caption_set: CaptionSet,
    custom_prompt: str | None,
    overwrite_manual: bool,
    parallel: int,
    backend: str,
    file_ids: list[str] | None,
) -> dict[str, Any]:
    """The options a job's runs read from its state (a selection job was given its file ids)."""
    return {
        "custom_prompt": custom_prompt or None,
        "trigger_phrase": caption_set.trigger_phrase,
        "overwrite_manual": bool(overwrite_manual),
        "parallel": max(1, int(parallel)),
        "backend": backend,
        "selection": file_ids is not None,
    }


def _new_state(
    remaining: list[str], endpoints: list[dict[str, Any]], options: dict[str, Any]
) -> dict[str, Any]:
    """The state of a job nobody has run yet: every item remaining, fresh endpoint counts."""
    return {
        "remaining": remaining,
        "failed": [],
        "endpoints": [endpoint_stats(e) for e in endpoints],
        "options": options,
        "elapsed_seconds": 0.0,
        "processed": 0,
    }


def estimate_seconds(
    db: Database, vision_model: str, images: int, slots: int, default_per_image: float
) -> int:
    """How long `images` would take on `slots` parallel requests: measured by earlier jobs with the model,
    else `default_per_image` seconds per image per slot."""
    with db.session() as session:
        per_image = _seconds_per_image(session, vision_model) or default_per_image
    return round(images * per_image / max(1, slots))


def get_job(db: Database, job_id: str) -> shapes.CaptionJob:
    """One job with its failed files and per-endpoint throughput."""
    with db.session() as session:
        job = require_job(session, job_id)
        caption_set = session.get(CaptionSet, job.caption_set_id)
        dataset = session.get(Dataset, caption_set.dataset_id) if caption_set else None
        return job_shape(job, caption_set, {dataset.id: dataset.name} if dataset else None)


def list_jobs(
    db: Database,
    *,
    statuses: Iterable[str] | None = None,
    caption_set_id: str | None = None,
    limit: int = 100,
) -> list[shapes.CaptionJob]:
    """Jobs, newest first (oldest first when filtering by status: that is the queue order)."""
    with db.session() as session:
        query = select(CaptionJob)
        if statuses is not None:
            query = query.where(CaptionJob.status.in_(list(statuses))).order_by(CaptionJob.created_date)
        else:
            query = query.order_by(CaptionJob.created_date.desc())
        if caption_set_id is not None:
            query = query.where(CaptionJob.caption_set_id == caption_set_id)
        jobs = list(session.scalars(query.limit(limit)))
        set_ids = {job.caption_set_id for job in jobs}
        sets = {s.id: s for s in session.scalars(select(CaptionSet).where(CaptionSet.id.in_(set_ids)))}
        names = dict(
            session.execute(
                select(Dataset.id, Dataset.name).where(Dataset.id.in_({s.dataset_id for s in sets.values()}))
            ).all()
        )
        return [job_shape(job, sets.get(job.caption_set_id), names) for job in jobs]


def set_status(
    db: Database,
    job_id: str,
    status: str,
    *,
    allowed_from: Iterable[str],
    last_error: str | None = None,
    vision: dict[str, Any] | None = None,
) -> shapes.CaptionJob:
    """Move a job to `status` if it is in one of `allowed_from`; Conflict otherwise (message says why).

    With `vision` (the settings section) a job going back into the queue takes the servers configured now.
    """
    with db.session() as session:
        job = require_job(session, job_id)
        claim_status(session, job, status, allowed_from)
        if vision is not None:
            _follow_settings(job, vision)
        apply_status(job, status, last_error)
        return job_shape(job, session.get(CaptionSet, job.caption_set_id))


def fail_job(db: Database, job_id: str, message: str) -> shapes.CaptionJob | None:
    """Mark a running job failed with `message` (an unexpected error); None when the job no longer exists."""
    with db.session() as session:
        job = session.get(CaptionJob, job_id)
        if job is None:
            return None
        apply_status(job, "failed", message)
        return job_shape(job, session.get(CaptionSet, job.caption_set_id))


def mark_interrupted(db: Database, job_ids: Iterable[str] | None = None) -> list[str]:
    """Running jobs (all, or the given ones) become "interrupted"; returns their ids."""
    with db.session() as session:
        query = select(CaptionJob).where(CaptionJob.status == "running")
        if job_ids is not None:
            query = query.where(CaptionJob.id.in_(list(job_ids)))
        jobs = list(session.scalars(query))
        for job in jobs:
            apply_status(job, "interrupted", job.last_error)
        return [job.id for job in jobs]


def requeue_interrupted(db: Database, vision: dict[str, Any]) -> list[str]:
    """Interrupted jobs go back into the queue (vision.auto_resume_jobs); returns their ids."""
    with db.session() as session:
        jobs = list(session.scalars(select(CaptionJob).where(CaptionJob.status == "interrupted")))
        for job in jobs:
            _follow_settings(job, vision)
            apply_status(job, "pending", None)
        return [job.id for job in jobs]


def retry_failed(db: Database, job_id: str, vision: dict[str, Any] | None = None) -> shapes.CaptionJob:
    """Put the job's failed files back into its queue and make it pending; Conflict while it runs."""
    with db.session() as session:
        job = require_job(session, job_id)
        if job.status in ("running", "pending"):
            raise Conflict("The job is still working; retry its failed images once it has finished or paused")
        state = json_value(job.state, {})
        failed = state.get("failed", [])
        if not failed:
            raise Invalid("This job has no failed images to retry")
        retry_ids = [f["file_id"] for f in failed if f["file_id"] not in set(state.get("remaining", []))]
        state["remaining"] = state.get("remaining", []) + retry_ids
        state["failed"] = []
        job.failed_files = 0
        job.state = json.dumps(state)
        if vision is not None:
            _follow_settings(job, vision)
        apply_status(job, "pending", None)
        return job_shape(job, session.get(CaptionSet, job.caption_set_id))


def job_shape(
    job: CaptionJob, caption_set: CaptionSet | None = None, dataset_names: dict[str, str] | None = None
) -> shapes.CaptionJob:
    """The public shape of a job: its row's fields plus remaining, failed list, endpoints, rate and ETA."""
    return shapes.CaptionJob(**job_fields(job, caption_set, dataset_names))


def job_fields(
    job: CaptionJob, caption_set: CaptionSet | None = None, dataset_names: dict[str, str] | None = None
) -> dict[str, Any]:
    """The fields of a job's shape (QueuedCaptionJob adds its own to them)."""
    state = json_value(job.state, {})
    remaining = len(state.get("remaining", []))
    done = job.completed_files + job.failed_files + job.skipped_files
    elapsed = float(state.get("elapsed_seconds", 0.0))
    processed = int(state.get("processed", 0))
    rate = processed / elapsed if elapsed > 0 and processed else None
    return {
        "id": job.id,
        "job_id": job.id,
        "caption_set_id": job.caption_set_id,
        "caption_set_name": caption_set.name if caption_set else None,
        "dataset_id": caption_set.dataset_id if caption_set else None,
        "dataset_name": (dataset_names or {}).get(caption_set.dataset_id) if caption_set else None,
        "style": job.style,
        "vision_model": job.vision_model,
        "generation_prompt": job.generation_prompt,
        "max_length": job.max_length,
        "status": job.status,
        "total_files": job.total_files,
        "completed_files": job.completed_files,
        "failed_files": job.failed_files,
        "skipped_files": job.skipped_files,
        "remaining_files": remaining,
        "percent_complete": round(100.0 * done / job.total_files, 1) if job.total_files else 100.0,
        "created_date": iso(job.created_date),
        "started_date": iso(job.started_date),
        "completed_date": iso(job.completed_date),
        "paused_date": iso(job.paused_date),
        "last_error": job.last_error,
        "overwrite_existing": bool(job.overwrite_existing),
        "min_quality_threshold": job.min_quality_threshold,
        "elapsed_seconds": round(elapsed, 1),
        "rate_per_minute": round(rate * 60, 1) if rate else None,
        "estimated_time_remaining_seconds": round(remaining / rate) if rate else None,
        "failed": [JobFailure(**f) for f in state.get("failed", [])],
        "endpoints": [JobEndpoint(**e) for e in state.get("endpoints", [])],
        "options": state.get("options", {}),
    }


def _follow_settings(job: CaptionJob, vision: dict[str, Any]) -> None:
    state = json_value(job.state, {})
    configured = job_endpoints(vision, state.get("options", {}).get("parallel"))
    state["endpoints"] = merge_endpoints(state.get("endpoints", []), configured)
    job.state = json.dumps(state)


def claim_status(session: Session, job: CaptionJob, status: str, allowed_from: Iterable[str]) -> None:
    """Move the row to `status` only if it is still in `allowed_from` when written (a compare-and-set in
    SQL: two writers, e.g. the scheduler starting a job and a user pausing it, cannot both win)."""
    allowed = list(allowed_from)
    if job.status in allowed:
        result = session.execute(
            update(CaptionJob)
            .where(CaptionJob.id == job.id, CaptionJob.status.in_(allowed))
            .values(status=status)
        )
        changed = cast(CursorResult[Any], result).rowcount  # an UPDATE's result is a CursorResult
        if changed:
            return
        session.refresh(job)
    raise Conflict(f"The job is {job.status}; it cannot become {status} now")


def apply_status(job: CaptionJob, status: str, last_error: str | None) -> None:
    now = utcnow()
    job.status = status
    job.last_error = last_error
    if status == "running" and job.started_date is None:
        job.started_date = now
    if status == "paused":
        job.paused_date = now
    if status in FINISHED:
        job.completed_date = now


def _seconds_per_image(session: Session, model: str) -> float | None:
    """Slot-seconds one image took in the latest job with this model that measured it."""
    for text in session.scalars(
        select(CaptionJob.state)
        .where(CaptionJob.vision_model == model, CaptionJob.completed_files > 0)
        .order_by(CaptionJob.created_date.desc())
        .limit(5)
    ):
        state = json_value(text, {})
        busy = sum(float(e.get("busy_seconds", 0.0)) for e in state.get("endpoints", []))
        done = sum(int(e.get("completed", 0)) + int(e.get("failed", 0)) for e in state.get("endpoints", []))
        if busy > 0 and done:
            return busy / done
    return None


def require_job(session: Session, job_id: str) -> CaptionJob:
    job = session.get(CaptionJob, job_id)
    if job is None:
        raise NotFound(f"Caption job {job_id} does not exist")
    return job
