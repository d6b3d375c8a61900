"""What the curation endpoints are sent: a duplicate group to keep the best of."""

from __future__ import annotations

from pydantic import BaseModel, Field


class KeepBestRequest(BaseModel):
    file_ids: list[str] = Field(..., min_length=2, description="the files of one duplicate group")
    confirm_edited: bool = Field(False, description="also exclude images with a hand-edited caption")
