"""What the dataset services answer: a dataset with its caption-set summaries, its member rows, its detailed
numbers and what deleting it takes along (the API returns these as they are)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from typing_extensions import TypedDict  # pydantic needs this TypedDict on Python < 3.12

from app.services.rows import CaptionState


class CaptionSetSummary(BaseModel):
    id: str
    name: str
    style: str
    caption_count: int = Field(description="Captioned member files")
    total: int = Field(description="Member files of the dataset")


class Dataset(BaseModel):
    id: str
    name: str
    slug: str = Field(description="Filesystem-safe unique name, e.g. nova-chorus-v2")
    description: str | None
    tags: list[str]
    category: str | None
    notes: str | None
    file_count: int
    total_size_mb: float
    avg_quality_score: float | None = Field(description="Mean measured image quality of the members (0..1)")
    default_caption_set_id: str | None
    created_date: str
    modified_date: str
    caption_sets: list[CaptionSetSummary]


class DeletionSummary(BaseModel):
    dataset_id: str
    name: str
    files: int = Field(description="Memberships removed (tracked files and files on disk stay)")
    caption_sets: int
    captions: int


class DatasetStats(BaseModel):
    dataset_id: str
    file_count: int
    included_count: int
    excluded_count: int
    missing_count: int = Field(description="Members whose file is gone from disk")
    total_size_mb: float
    avg_quality_score: float | None
    with_imported_captions: int
    quality_flags: dict[str, int]
    caption_sets: list[CaptionSetSummary]


# A dict, not a model: a dataset's rows can number 100,000 and the grid pipeline is measured at that size.
class DatasetFileRow(TypedDict):
    """One member of a dataset in order: the file's facts and (given a caption set) its caption there."""

    file_id: str
    filename: str
    file_path: str
    folder_id: str
    width: int | None
    height: int | None
    file_size_mb: float
    date_added: str | None
    order_index: int | None
    excluded: bool
    quality_score: float | None
    quality_flags: list[Any]
    thumbnail_url: str
    crop: dict[str, float] | None  # the member's crop box {x, y, w, h} (0..1), or None
    has_imported: bool
    caption_id: str | None
    caption_text: str | None
    caption_state: CaptionState
    caption_modified: str | None
    is_video: bool
    duration_seconds: float | None
    fps: float | None
    frame_count: int | None
    video_url: str | None
