"""What the curation endpoints answer: health figures, duplicate groups, keep-best."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from app.api.schemas.answers import Answer


class HistogramBin(Answer):
    from_: float = Field(alias="from", serialization_alias="from")
    to: float
    count: int

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Health(Answer):
    file_count: int
    quality_histogram: list[HistogramBin]
    unscored: int
    flags: dict[str, int] = Field(description="Quality flag -> how many images carry it")
    buckets: dict[str, int] = Field(description="SDXL aspect bucket (WxH) -> images nearest to it")
    short_side: dict[str, int]
    coverage: Any = Field(description="Caption coverage of the caption set, when one is given")
    caption_lengths: dict[str, int]


class DuplicateFile(Answer):
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


class DuplicateGroup(Answer):
    kind: str = Field(description="exact | near")
    best: str = Field(description="file_id of the best file")
    files: list[DuplicateFile]


class KeepFile(Answer):
    file_id: str
    filename: str
    thumbnail_url: str | None


class ExcludeFile(KeepFile):
    edited_caption: bool


class KeepBestPreview(Answer):
    keep: KeepFile | None
    exclude: list[ExcludeFile]


class KeptBest(Answer):
    kept: str | None
    excluded: int
    edited_excluded: list[str] = Field(default_factory=list, description="Hand-edited captions excluded")
