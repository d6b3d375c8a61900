"""What the video clips service answers: a clip of a tracked video."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.models import VideoClip


class Clip(BaseModel):
    """A time range of a tracked video, proposed by scene detection or marked by hand."""

    id: str
    file_id: str
    start: float = Field(..., description="Seconds from the start of the video")
    end: float
    duration: float
    status: Literal["proposed", "accepted", "rejected"]
    source: Literal["scene", "manual"]
    caption_text: str | None = Field(None, description="The clip's own caption; null: its video's caption")

    @classmethod
    def of(cls, clip: VideoClip) -> Clip:
        """The shape of a clip row."""
        return cls(
            id=clip.id,
            file_id=clip.file_id,
            start=clip.start_seconds,
            end=clip.end_seconds,
            duration=round(clip.end_seconds - clip.start_seconds, 3),
            status=clip.status,
            source=clip.source,
            caption_text=clip.caption_text,
        )
