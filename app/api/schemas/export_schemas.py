"""The export request as a typed model, so /docs shows what POST /api/datasets/{id}/export accepts.

Every field is optional: what is not sent comes from the preset, then the defaults (app.services.
export_options checks choices and says which are allowed). The nested groups (numbering, image_processing,
filtering) and the flat option names are both accepted.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from app.services.exports.export_options import PRESET_FIELDS


class Numbering(BaseModel):
    start: int | None = Field(None, ge=0, le=10**9)
    padding: int | None = Field(None, ge=1, le=12)


class ImageProcessing(BaseModel):
    format: str | None = Field(None, max_length=16, description="original | jpeg | png | webp")
    target_resolution: int | None = Field(
        None, ge=0, le=65_535, description="Long side in pixels; 0 or empty = keep"
    )
    jpeg_quality: int | None = Field(None, ge=1, le=100)
    png_compression: int | None = Field(None, ge=0, le=9)
    strip_metadata: bool | None = None
    upscale: bool | None = None
    background: str | None = Field(None, max_length=7, examples=["#ffffff"])


class Filtering(BaseModel):
    min_quality_score: float | None = Field(None, ge=0, le=1)
    exclude_flagged: list[str] | None = Field(None, max_length=100, examples=[["blurry"]])


class ExportRequest(BaseModel):
    caption_set_id: str | None = None
    preset: str | None = Field(None, max_length=200, examples=["kohya_ss"])
    export_type: str | None = Field(None, description="folder | zip")
    export_path: str | None = Field(None, max_length=4096)
    overwrite: bool | None = Field(None, description="You confirmed replacing a non-empty target")
    layout: str | None = None
    repeats: int | None = Field(None, ge=1, le=100_000)
    trigger: str | None = Field(None, max_length=500)
    class_tokens: str | None = Field(None, max_length=500)
    kohya_toml: bool | None = None
    concept_name: str | None = Field(None, max_length=200)
    naming: str | None = None
    numbering: Numbering | None = None
    numbering_start: int | None = Field(None, ge=0, le=10**9)
    numbering_padding: int | None = Field(None, ge=1, le=12)
    image_processing: ImageProcessing | None = None
    image_format: str | None = None
    target_resolution: int | None = Field(None, ge=0, le=65_535)
    upscale: bool | None = None
    jpeg_quality: int | None = Field(None, ge=1, le=100)
    png_compression: int | None = Field(None, ge=0, le=9)
    background: str | None = Field(None, max_length=7)
    filtering: Filtering | None = None
    min_quality_score: float | None = Field(None, ge=0, le=1)
    exclude_flags: list[str] | None = Field(None, max_length=100)
    caption_format: str | None = Field(None, description="txt | caption")
    caption_extension: str | None = None
    caption_files: bool | None = None
    single_line: bool | None = None
    missing_caption: str | None = None
    include_manifest: bool | None = None
    manifest: str | None = None

    def as_request(self) -> dict[str, Any]:
        """The dict the export service reads: only what was sent, nested groups kept."""
        return self.model_dump(exclude_unset=True)


# A preset holds the option values of ExportRequest that are not about one run (no target, no caption set).
_PRESET_FIELD_DEFINITIONS: dict[str, Any] = {
    name: (f.annotation, f) for name, f in ExportRequest.model_fields.items() if name in PRESET_FIELDS
}
ExportPresetOptions = create_model(
    "ExportPresetOptions", __config__=ConfigDict(extra="forbid"), **_PRESET_FIELD_DEFINITIONS
)
ExportPresetOptions.__doc__ = "The option values a preset saves; any subset. Unknown names are refused."
PRESET_EXAMPLE = {"layout": "kohya", "repeats": 10, "image_format": "jpeg", "jpeg_quality": 95}
