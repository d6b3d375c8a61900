"""The caption-job feature's shapes: what a job would caption and skip, and the job itself."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class CaptionJobCounts(BaseModel):
    """How many items (images, videos, clips) a job would cover, and how many it skips, by reason."""

    caption_set_id: str
    total: int
    skipped: int
    skip_reasons: dict[str, int]
    missing: int = Field(description="Images to caption that are missing on disk")
    clips: int = Field(description="Items that are clips of videos")


class CaptionJobPlan(CaptionJobCounts):
    """What a job would do: its counts and the keys it captions in order (file ids, "clip:<id>" for a clip)."""

    to_caption: list[str]


class JobFailure(BaseModel):
    """An image a job could not caption, and why."""

    model_config = ConfigDict(extra="allow")

    file_id: str
    filename: str
    error: str | None


class JobEndpoint(BaseModel):
    """One vision server of a job with its throughput (a key the run adds later is passed on)."""

    model_config = ConfigDict(extra="allow")

    url: str
    parallel: int | None = None
    completed: int | None = None
    failed: int | None = None
    busy_seconds: float | None = None
    images_per_minute: float | None = None
    status: str | None = None
    error: str | None = None


class CaptionJob(BaseModel):
    """A caption job: its row's fields, remaining count, failed images, endpoints, rate and ETA.

    `current_file` and the status "pausing" come from the run in progress, not from the database."""

    id: str
    job_id: str
    caption_set_id: str
    caption_set_name: str | None
    dataset_id: str | None
    dataset_name: str | None
    style: str
    vision_model: str
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


class QueuedCaptionJob(CaptionJob):
    """A job just queued, with how long it should take and why items were skipped."""

    estimated_time_seconds: float | None
    skip_reasons: dict[str, int]
