"""What the curation services answer: health figures, duplicate groups and keep-best (the API returns them)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class HistogramBin(BaseModel):
    """One tenth of the quality scale: scores from `from` (inclusive) to `to`, and how many images."""

    model_config = ConfigDict(populate_by_name=True)

    from_: float = Field(alias="from", serialization_alias="from")
    to: float
    count: int


class CaptionCoverage(BaseModel):
    """How many of the dataset's included images have a caption in one caption set."""

    caption_set_id: str
    name: str
    captioned: int
    total: int


class Health(BaseModel):
    file_count: int
    quality_histogram: list[HistogramBin]
    unscored: int
    flags: dict[str, int] = Field(description="Quality flag -> how many images carry it")
    buckets: dict[str, int] = Field(description="SDXL aspect bucket (WxH) -> images nearest to it")
    short_side: dict[str, int]
    coverage: list[CaptionCoverage] = Field(description="Caption coverage of each caption set")
    caption_lengths: dict[str, int]


class DuplicateFile(BaseModel):
    file_id: str
    filename: str
    file_hash: str
    width: int | None
    height: int | None
    file_size_mb: float | None
    quality_score: float | None
    quality_flags: list[str]
    excluded: bool
    thumbnail_url: str | None


class DuplicateGroup(BaseModel):
    kind: str = Field(description="exact | near")
    best: str = Field(description="file_id of the best file")
    files: list[DuplicateFile]


class KeepFile(BaseModel):
    file_id: str
    filename: str
    thumbnail_url: str | None


class ExcludeFile(KeepFile):
    edited_caption: bool


class KeepBestPreview(BaseModel):
    keep: KeepFile | None
    exclude: list[ExcludeFile]


class KeptBest(BaseModel):
    kept: str | None
    excluded: int
    edited_excluded: list[str] = Field(default_factory=list, description="Hand-edited captions excluded")
