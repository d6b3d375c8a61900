"""What the crops service answers: a member's crop, a centre-crop preview and result, an undo's result."""

from __future__ import annotations

from pydantic import BaseModel, Field
from typing_extensions import TypedDict


class Box(TypedDict):
    """Left, top, width and height as shares 0..1 of the upright image (see app.services.crop_box).

    A plain mapping, because crop_box's geometry, the thumbnails and crop_box.js all read it as one.
    """

    x: float
    y: float
    w: float
    h: float


class Crop(BaseModel):
    """One member's crop in one dataset, with the image's size."""

    dataset_id: str
    file_id: str
    crop: Box | None = Field(description="None: the whole image")
    width: int | None
    height: int | None


class CropChange(BaseModel):
    """One member a centre-crop changes: its box before and after (None: the whole image)."""

    file_id: str
    filename: str
    before: Box | None
    after: Box | None
    width: int
    height: int


class CropSkipped(BaseModel):
    """A member a centre-crop leaves alone, and why."""

    file_id: str
    filename: str
    reason: str


class CentreCropPreview(BaseModel):
    """What centre-cropping would do: how many change, the first few, and the ones skipped."""

    label: str
    total: int
    samples: list[CropChange]
    skipped: list[CropSkipped]


class CentreCropResult(BaseModel):
    """A centre-crop applied as one batch (batch_id None: nothing changed)."""

    batch_id: str | None
    label: str
    changed: int
    file_ids: list[str]
    skipped: list[CropSkipped]


class CropUndoResult(BaseModel):
    """A crop batch undone, as a new batch; members cropped again since are skipped."""

    batch_id: str
    undone_batch_id: str
    restored: int
    skipped: int
    dataset_id: str
    file_ids: list[str]
