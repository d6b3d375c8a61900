"""API-only answers of the caption-job endpoints: a started job and a plan (the job itself is
caption_job_shapes.CaptionJob)."""

from __future__ import annotations

from pydantic import Field

from app.api.schemas.answers import Answer
from app.services.caption_jobs.caption_job_shapes import CaptionJobCounts


class JobStarted(Answer):
    job_id: str
    status: str
    total_files: int
    estimated_time_seconds: float | None
    to_caption: int = Field(description="Images the job will caption")
    skipped_files: int
    skip_reasons: dict[str, int]


class JobPlan(CaptionJobCounts):
    """A plan as the API answers it: the number of items to caption rather than their keys."""

    to_caption: int = Field(description="Items the job will caption")
