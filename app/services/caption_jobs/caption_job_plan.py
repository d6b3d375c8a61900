"""Which images a caption job captions and which it skips, and which servers it spreads them over.

A video with accepted clips counts as its clips: each is an item of the job (see caption_job_clips).

Skip rules: hand-edited captions stay unless both overwrite switches are on; generated or imported ones
stay unless overwrite is on or their quality is below the threshold; images still queued in another
active job of the same set are never queued twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from app.db import Database
from app.errors import Invalid, NotFound
from app.models import Caption, CaptionJob, CaptionSet, DatasetFile, TrackedFile
from app.services.caption_jobs.caption_job_clips import accepted_clips, clip_key, clip_skip_reason
from app.services.caption_jobs.caption_job_shapes import CaptionJobPlan
from app.services.rows import json_value

ACTIVE = ("pending", "running", "paused", "interrupted")  # statuses whose remaining images are still owed
SKIP_MANUAL = "edited by hand"
SKIP_EXISTING = "has a caption"
SKIP_QUEUED = "queued in another job"


def skip_reason(
    caption: Caption | None, *, overwrite_existing: bool, overwrite_manual: bool, min_quality: float | None
) -> str | None:
    """Why a job leaves this caption alone, or None when it (re)generates it.

    Hand-edited captions are overwritten only when both overwrite flags are on; a generated or imported
    one when overwrite is on or its quality is below `min_quality`.
    """
    if caption is None or not (caption.caption_text or "").strip():
        return None
    if caption.manually_edited or caption.source == "manual":
        return None if overwrite_existing and overwrite_manual else SKIP_MANUAL
    if overwrite_existing:
        return None
    if min_quality is not None and caption.quality_score is not None and caption.quality_score < min_quality:
        return None
    return SKIP_EXISTING


def plan_job(
    db: Database,
    caption_set_id: str,
    *,
    file_ids: list[str] | None = None,
    overwrite_existing: bool = False,
    overwrite_manual: bool = False,
    min_quality_threshold: float | None = None,
) -> CaptionJobPlan:
    """What a job would caption and skip."""
    with db.session() as session:
        caption_set = require_set(session, caption_set_id)
        return plan_in_session(
            session, caption_set, file_ids, overwrite_existing, overwrite_manual, min_quality_threshold
        )


def plan_in_session(
    session: Session,
    caption_set: CaptionSet,
    file_ids: list[str] | None,
    overwrite_existing: bool,
    overwrite_manual: bool,
    min_quality: float | None,
) -> CaptionJobPlan:
    """plan_job's answer inside an open session (create_job plans and queues in one transaction)."""
    rows = _member_rows(session, caption_set, file_ids)
    queued = _queued_elsewhere(session, caption_set.id)
    clips = accepted_clips(session, caption_set.dataset_id)
    tally = _Tally()
    for row in rows:
        if row.file_id in clips:  # a video with accepted clips: each clip is an item of its own
            for clip in clips[row.file_id]:
                key = clip_key(clip.id)
                reason = SKIP_QUEUED if key in queued else None
                reason = reason or clip_skip_reason(
                    clip, overwrite_existing=overwrite_existing, overwrite_manual=overwrite_manual
                )
                tally.add(key, reason, row.file_exists)
            continue
        reason = SKIP_QUEUED if row.file_id in queued else None
        reason = reason or skip_reason(
            row.Caption,
            overwrite_existing=overwrite_existing,
            overwrite_manual=overwrite_manual,
            min_quality=min_quality,
        )
        tally.add(row.file_id, reason, row.file_exists)
    return CaptionJobPlan(
        caption_set_id=caption_set.id,
        total=tally.total,
        to_caption=tally.to_caption,
        skipped=tally.total - len(tally.to_caption),
        skip_reasons=tally.reasons,
        missing=tally.missing,
        clips=sum(len(clips[row.file_id]) for row in rows if row.file_id in clips),
    )


@dataclass
class _Tally:
    """A plan being counted: every item, the keys to caption, skips by reason, items missing on disk."""

    total: int = 0
    to_caption: list[str] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)
    missing: int = 0

    def add(self, key: str, reason: str | None, exists: bool | None) -> None:
        self.total += 1
        if reason:
            self.reasons[reason] = self.reasons.get(reason, 0) + 1
        else:
            self.to_caption.append(key)
            self.missing += not exists


def _member_rows(
    session: Session, caption_set: CaptionSet, file_ids: list[str] | None
) -> list[Row[str, bool, bool, Caption]]:
    """(file_id, excluded, file_exists, Caption) of the set's dataset in order: the included files, or the
    selected ones (Invalid when none of them is in the dataset)."""
    rows = session.execute(
        select(DatasetFile.file_id, DatasetFile.excluded, TrackedFile.file_exists, Caption)
        .join(TrackedFile, TrackedFile.id == DatasetFile.file_id)
        .outerjoin(
            Caption, (Caption.file_id == DatasetFile.file_id) & (Caption.caption_set_id == caption_set.id)
        )
        .where(DatasetFile.dataset_id == caption_set.dataset_id)
        .order_by(DatasetFile.order_index, DatasetFile.date_added, DatasetFile.id)
    ).all()
    if file_ids is None:
        return [row for row in rows if not row.excluded]
    wanted = set(file_ids)
    selected = [row for row in rows if row.file_id in wanted]
    if not selected:
        raise Invalid("None of the selected images is in this caption set's dataset")
    return selected


def _queued_elsewhere(session: Session, caption_set_id: str) -> set[str]:
    """File ids still waiting in other active jobs of the same set (a file is never captioned twice)."""
    queued: set[str] = set()
    for state in session.scalars(
        select(CaptionJob.state).where(
            CaptionJob.caption_set_id == caption_set_id, CaptionJob.status.in_(ACTIVE)
        )
    ):
        queued.update(json_value(state, {}).get("remaining", []))
    return queued


def nothing_to_do(plan: CaptionJobPlan) -> str:
    """Why a job with this plan would caption nothing, and what to change."""
    if not plan.total:
        return "This caption set's dataset has no images (or all are excluded); add images first"
    reasons = ", ".join(f"{n} {reason}" for reason, n in plan.skip_reasons.items())
    return (
        f"Nothing to caption: all {plan.total} images are skipped ({reasons}). Turn on overwrite to redo them"
    )


def require_set(session: Session, caption_set_id: str) -> CaptionSet:
    caption_set = session.get(CaptionSet, caption_set_id)
    if caption_set is None:
        raise NotFound(f"Caption set {caption_set_id} does not exist (deleted in another tab?)")
    return caption_set


def job_endpoints(vision: dict[str, Any], parallel: int | None = None) -> list[dict[str, Any]]:
    """[{url, parallel}]: vision.base_url with the job's parallel requests, then vision.endpoints.

    An entry of vision.endpoints is {url, parallel} or just a URL; duplicates of a URL are dropped.
    """
    main_parallel = parallel or vision.get("parallel_requests") or 1
    found: dict[str, dict[str, Any]] = {}
    entries: list[Any] = [
        {"url": vision["base_url"], "parallel": main_parallel},
        *vision.get("endpoints", []),
    ]
    for entry in entries:
        url, slots = _url_and_parallel(entry)
        if url and url not in found:
            found[url] = {"url": url, "parallel": slots}
    if not found:
        raise Invalid("No vision server is configured: set vision.base_url in Settings")
    return list(found.values())


def endpoint_stats(endpoint: dict[str, Any], previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The stored shape of an endpoint in a job's state; counts carry over from `previous` (same URL)."""
    previous = previous or {}
    return {
        "url": endpoint["url"],
        "parallel": int(endpoint.get("parallel") or 1),
        "completed": int(previous.get("completed", 0)),
        "failed": int(previous.get("failed", 0)),
        "busy_seconds": float(previous.get("busy_seconds", 0.0)),
        "status": "active",
        "error": None,
    }


def merge_endpoints(stored: list[dict[str, Any]], configured: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The servers as configured now (a resumed job follows the settings), keeping the counts of each URL;
    servers no longer configured stay listed as "removed" for their throughput."""
    by_url = {entry["url"]: entry for entry in stored}
    merged = [endpoint_stats(entry, by_url.get(entry["url"])) for entry in configured]
    now = {entry["url"] for entry in configured}
    merged += [{**entry, "status": "removed"} for entry in stored if entry["url"] not in now]
    return merged


def normalize_endpoints(entries: Any) -> list[dict[str, Any]]:
    """vision.endpoints as saved: [{url, parallel}], URLs trimmed, blanks and repeats dropped.

    Raises Invalid for anything that is not a list of http(s) URLs with whole-number parallel slots.
    """
    if not isinstance(entries, list):
        raise Invalid("vision.endpoints must be a list, e.g. [{url: http://gpu2:11434, parallel: 2}]")
    found: dict[str, dict[str, Any]] = {}
    for entry in entries:
        url, parallel = _url_and_parallel(entry)
        if not url:
            continue
        if not url.lower().startswith(("http://", "https://")):
            raise Invalid(f"vision.endpoints: {url} is not a server address; write it as http://host:port")
        found.setdefault(url, {"url": url, "parallel": parallel})
    return list(found.values())


def _url_and_parallel(entry: Any) -> tuple[str, int]:
    if isinstance(entry, str):
        return entry.strip().rstrip("/"), 1
    if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
        raise Invalid(
            f"vision.endpoints: each entry needs a url, e.g. {{url: http://gpu2:11434, parallel: 2}}, not {entry!r}"
        )
    try:
        parallel = max(1, int(entry.get("parallel") or 1))
    except (TypeError, ValueError):
        raise Invalid(f"vision.endpoints: parallel of {entry['url']} must be a whole number") from None
    return entry["url"].strip().rstrip("/"), parallel
