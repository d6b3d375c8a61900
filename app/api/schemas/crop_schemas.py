"""Request bodies of the crop endpoints: a box normalised 0..1 (see app.services.crop_box)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.errors import Invalid
from app.services.crop_box import check_box

Share = Annotated[
    float, Field(ge=0, le=1, strict=True, allow_inf_nan=False, description="A share of the side, 0..1")
]
Aspect = Literal["free", "1:1", "2:3", "3:2", "4:5", "16:9", "bucket"]
MAX_BATCH = 100_000


class CropBox(BaseModel):
    """Left, top, width and height as shares of the upright (EXIF-corrected) image's sides."""

    model_config = ConfigDict(extra="forbid")

    x: Share
    y: Share
    w: Share
    h: Share

    @model_validator(mode="after")
    def _inside(self) -> CropBox:
        try:
            check_box(self.model_dump())
        except Invalid as exc:
            raise ValueError(str(exc)) from None
        return self


class CentreCropRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file_ids: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1, max_length=MAX_BATCH)
    aspect: Aspect
