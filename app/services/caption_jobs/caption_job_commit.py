"""A caption job's run in the database: begin, commit finished images with the job counters, finish.

`commit_outcomes` is the guarantee of the job system: every caption is written in the same transaction
as the job's counters and its `remaining` list, so a kill -9 at any moment loses no finished caption
and never captions a file twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db import Database
from app.errors import Invalid, NotFound
from app.models import Caption, CaptionJob, CaptionSet, TrackedFile
from app.services.caption_jobs.caption_job_clips import (
    clip_id_of,
    clip_key,
    clip_label,
    load_clip_items,
    save_clip_caption,
)
from app.services.caption_jobs.caption_job_plan import skip_reason
from app.services.caption_jobs.caption_job_shapes import CaptionJob as CaptionJobShape
from app.services.caption_jobs.caption_jobs import apply_status, claim_status, job_shape, require_job
from app.services.captions import caption_events
from app.services.captions.caption_writer import caption_dict, write_caption
from app.services.datasets.dataset_stats import refresh_caption_set_stats
from app.services.rows import json_value


@dataclass
class WorkItem:
    """One image a run still has to caption."""

    file_id: str
    filename: str
    path: str
    exists: bool
    imported_caption: str | None = None
    clip_id: str | None = None  # a clip of the video: captioned from frames of time_range only
    time_range: tuple[float, float] | None = None

    @property
    def key(self) -> str:
        """Its entry in the job's remaining list: the file id, or "clip:<id>" for a clip."""
        return clip_key(self.clip_id) if self.clip_id else self.file_id


@dataclass
class RunStart:
    """What a run needs: the job, its remaining images in order, and the stored state."""

    job: CaptionJobShape
    items: list[WorkItem]
    state: dict[str, Any]


@dataclass
class Outcome:
    """What happened to one item: "generated" (with the text), "failed" (with the error) or "skipped".

    `file_id` is the item's key (WorkItem.key): a file id, or "clip:<id>" for a clip."""

    file_id: str
    filename: str
    kind: str
    text: str | None = None
    quality_score: float | None = None
    quality_details: dict[str, Any] | None = None
    model: str | None = None
    processing_time_ms: int | None = None
    error: str | None = None
    endpoint: str | None = None


@dataclass
class WrittenOutcomes:
    """What a commit wrote: saved captions (outcome, caption dict), skipped and failed outcomes, saved clip
    captions (outcome, clip dict)."""

    saved: list[tuple[Outcome, dict[str, Any]]] = field(default_factory=list)
    skipped: list[Outcome] = field(default_factory=list)
    failed: list[Outcome] = field(default_factory=list)
    clips: list[tuple[Outcome, dict[str, Any]]] = field(default_factory=list)  # saved clip captions


@dataclass
class CommitReport(WrittenOutcomes):
    """What a commit wrote, and the job as the commit left it."""

    job: CaptionJobShape = field(kw_only=True)


def begin_run(db: Database, job_id: str) -> RunStart:
    """Mark the job running and load its remaining images (ids of files that no longer exist are dropped)."""
    with db.session() as session:
        job = require_job(session, job_id)
        claim_status(session, job, "running", ("pending",))  # Conflict when paused or cancelled meanwhile
        apply_status(job, "running", None)
        state = json_value(job.state, {})
        remaining = state.get("remaining", [])
        files: dict[str, TrackedFile] = {}
        for start in range(0, len(remaining), 500):  # bounded IN lists for every database
            chunk = remaining[start : start + 500]
            files.update(
                (f.id, f) for f in session.scalars(select(TrackedFile).where(TrackedFile.id.in_(chunk)))
            )
        clips = load_clip_items(session, remaining)
        items = [_work_item(key, files, clips) for key in remaining if key in files or key in clips]
        gone = len(remaining) - len(items)
        if gone:  # untracked since the job was queued: nothing left to caption for them
            state["remaining"] = [item.key for item in items]
            job.skipped_files += gone
            job.state = json.dumps(state)
        return RunStart(job_shape(job, session.get(CaptionSet, job.caption_set_id)), items, state)


def commit_outcomes(
    db: Database, job_id: str, outcomes: list[Outcome], progress: dict[str, Any]
) -> CommitReport:
    """Write the captions of `outcomes` and the job's counters, remaining ids and `progress` in one transaction.

    A generated caption is re-checked against the skip rules first: a caption a person edited while
    the job ran wins (the file counts as skipped) unless the job overwrites hand-edited captions, in
    which case the hand-written text stays in the caption's revisions. `progress` holds the run's
    endpoint statistics, elapsed_seconds and processed count.
    """
    report = WrittenOutcomes()
    with db.session() as session:
        # Write first: on SQLite this takes the write lock before the captions are read, so a person's
        # save cannot slip in between our skip check and our write (it waits and lands after ours).
        session.execute(update(CaptionJob).where(CaptionJob.id == job_id).values(status=CaptionJob.status))
        job = require_job(session, job_id)
        caption_set = session.get(CaptionSet, job.caption_set_id)
        if caption_set is None:
            raise NotFound("The job's caption set was deleted; the job cannot save captions")
        state = json_value(job.state, {})
        remaining = state.get("remaining", [])
        pending = set(remaining)
        options = state.get("options", {})
        done = _apply_outcomes(session, job, caption_set, outcomes, pending, options, report)
        if report.saved:
            refresh_caption_set_stats(session, caption_set.id)
        job.completed_files += len(report.saved) + len(report.clips)
        job.skipped_files += len(report.skipped)
        job.failed_files += len(report.failed)
        state["failed"] = state.get("failed", []) + [
            {"file_id": o.file_id, "filename": o.filename, "error": o.error} for o in report.failed
        ]
        state["remaining"] = [fid for fid in remaining if fid not in done]
        state.update(progress)
        job.state = json.dumps(state)
        if report.failed:
            job.last_error = f"{report.failed[-1].filename}: {report.failed[-1].error}"
        return CommitReport(job=job_shape(job, caption_set), **vars(report))


def _apply_outcomes(
    session: Session,
    job: CaptionJob,
    caption_set: CaptionSet,
    outcomes: list[Outcome],
    pending: set[str],
    options: dict[str, Any],
    report: WrittenOutcomes,
) -> set[str]:
    """Save or record each outcome of a still-pending file once; return the ids handled."""
    done: set[str] = set()
    for outcome in outcomes:
        if outcome.file_id not in pending or outcome.file_id in done:
            continue  # committed before: a file is never captioned twice
        done.add(outcome.file_id)
        if outcome.kind == "generated" and clip_id_of(outcome.file_id):
            _save_clip(session, job, outcome, options, report)
        elif outcome.kind == "generated":
            _save_generated(session, job, caption_set, outcome, options, report)
        elif outcome.kind == "failed":
            report.failed.append(outcome)
        else:
            report.skipped.append(outcome)
    return done


def finish_run(
    db: Database, job_id: str, status: str, progress: dict[str, Any], last_error: str | None = None
) -> CaptionJobShape:
    """End a run with `status` (completed, paused, cancelled, interrupted) and its final statistics."""
    with db.session() as session:
        job = require_job(session, job_id)
        state = json_value(job.state, {})
        state.update(progress)
        job.state = json.dumps(state)
        if last_error is None and status == "completed" and job.failed_files:
            last_error = f"{job.failed_files} image(s) failed; see the list and use Retry failed"
        apply_status(job, status, last_error)
        return job_shape(job, session.get(CaptionSet, job.caption_set_id))


def _work_item(key: str, files: dict[str, TrackedFile], clips: dict[str, dict[str, Any]]) -> WorkItem:
    if key in files:
        file = files[key]
        return WorkItem(key, file.filename, file.file_path, bool(file.file_exists), file.imported_caption)
    file, clip = clips[key]["file"], clips[key]["clip"]
    return WorkItem(
        file.id,
        clip_label(file.filename, clip),
        file.file_path,
        bool(file.file_exists),
        file.imported_caption,
        clip_id=clip.id,
        time_range=(clip.start_seconds, clip.end_seconds),
    )


def _save_clip(
    session: Any, job: CaptionJob, outcome: Outcome, options: dict[str, Any], report: WrittenOutcomes
) -> None:
    clip, reason = save_clip_caption(
        session, outcome.file_id, outcome.text or "", options, bool(job.overwrite_existing)
    )
    if clip is None:
        outcome.kind, outcome.error = "skipped", reason
        report.skipped.append(outcome)
    else:
        report.clips.append((outcome, clip))


def _save_generated(
    session: Any,
    job: CaptionJob,
    caption_set: CaptionSet,
    outcome: Outcome,
    options: dict[str, Any],
    report: WrittenOutcomes,
) -> None:
    current = session.scalar(
        select(Caption).where(Caption.caption_set_id == caption_set.id, Caption.file_id == outcome.file_id)
    )
    reason = skip_reason(
        current,
        overwrite_existing=bool(job.overwrite_existing),
        overwrite_manual=bool(options.get("overwrite_manual")),
        min_quality=job.min_quality_threshold,
    )
    if reason:
        outcome.kind, outcome.error = "skipped", reason
        report.skipped.append(outcome)
        return
    try:
        caption = write_caption(
            session,
            caption_set,
            outcome.file_id,
            outcome.text or "",
            source="generated",
            quality_score=outcome.quality_score,
            quality_details=outcome.quality_details,
            vision_model=outcome.model or job.vision_model,
            batch_id=job.id,
            batch_label=f"Caption job {job.vision_model}",
            change_type="generated",
        )
    except (Invalid, NotFound) as exc:  # checked before anything is written: the file fails alone
        outcome.kind, outcome.error = "failed", str(exc)
        report.failed.append(outcome)
        return
    saved = caption_dict(caption)
    caption_events.caption_changed(
        session,
        caption_set.id,
        outcome.file_id,
        saved["caption_text"],
        saved["caption_state"],
        saved["modified_date"],
    )
    report.saved.append((outcome, saved))
