"""The caption-job feature's shapes: what a job would caption and skip."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
