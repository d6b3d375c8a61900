"""What the caption-job endpoints answer: a started job, a plan, and a job's status."""

from __future__ import annotations

from typing import Any

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


class JobFailure(Answer):
    file_id: str
    filename: str
    error: str


class JobEndpoint(Answer):
    url: str
    parallel: int | None = None
    completed: int | None = None
    failed: int | None = None
    busy_seconds: float | None = None
    images_per_minute: float | None = None
    status: str | None = None
    error: str | None = None


class Job(Answer):
    id: str
    job_id: str
    caption_set_id: str
    caption_set_name: str | None
    dataset_id: str | None
    dataset_name: str | None
    style: str | None
    vision_model: str | None
    generation_prompt: str | None
    max_length: int | None
    status: str = Field(
        description="pending | running | pausing | paused | interrupted | completed | cancelled"
    )
    total_files: int
    completed_files: int
    failed_files: int
    skipped_files: int
    remaining_files: int
    percent_complete: float
    created_date: str | None
    started_date: str | None
    completed_date: str | None
    paused_date: str | None
    last_error: str | None
    overwrite_existing: bool
    min_quality_threshold: float | None
    elapsed_seconds: float
    rate_per_minute: float | None
    estimated_time_remaining_seconds: float | None
    failed: list[JobFailure]
    endpoints: list[JobEndpoint]
    options: dict[str, Any]
    current_file: str | None = None
