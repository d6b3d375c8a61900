"""Request bodies of /api/videos (clips, scene detection, video exports, frames as images), and the video
export answers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class DetectRequest(BaseModel):
    threshold: float = Field(27.0, description="Content detector threshold, 1-100: lower finds more cuts")
    min_seconds: float = Field(0.5, ge=0.05, le=60, description="Shortest scene kept")


class ClipRequest(BaseModel):
    start: float = Field(..., ge=0)
    end: float = Field(..., gt=0)


class ClipCaptionRequest(BaseModel):
    caption_text: str | None = Field(None, max_length=20_000, description="Empty: use the video's caption")


class ClipGenerateRequest(BaseModel):
    caption_set_id: str = Field(..., description="Its style, max length, trigger phrase, prompt and model")


class StatusRequest(BaseModel):
    status: Literal["proposed", "accepted", "rejected"]


class VideoPresetOut(BaseModel):
    name: str
    label: str
    description: str = Field(..., description="What it writes and the frame-count / size rule it follows")
    frame_step: int = Field(..., description="Frame counts are frame_step * k + 1")
    size_multiple: int
    fps: float
    frames: int
    resolution: int


class VideoExportRequest(BaseModel):
    caption_set_id: str
    preset: str = Field(..., description="musubi_tuner, diffusion_pipe, ai_toolkit_wan or ltx_video")
    export_path: str = Field("", description="Target folder; empty = <data-dir>/exports/<dataset>-videos")
    overwrite: bool = False
    fps: float | None = Field(None, description="Output frame rate; empty = the preset's")
    frames: int | None = Field(None, description="Most frames per clip, snapped down to the preset's rule")
    resolution: int | None = Field(None, description="Long side in pixels (never upscaled)")


class FramesExportRequest(BaseModel):
    caption_set_id: str
    per_clip: int = Field(4, ge=1, le=64, description="Evenly spaced frames written per clip")
    image_format: Literal["png", "jpg", "webp"] = "png"
    export_path: str = ""
    overwrite: bool = False


class ExportReport(BaseModel):
    path: str
    written: list[dict[str, Any]]
    skipped: list[dict[str, Any]] = Field(..., description="{file, reason} for each clip or video left out")
    preset: str | None = None
    rule: str | None = None
    fps: float | None = None
    config_files: list[str] = []
