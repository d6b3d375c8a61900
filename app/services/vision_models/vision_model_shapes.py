"""The vision feature's answers: each model's status in Settings > Vision, all of them, one connection check."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ModelRow(BaseModel):
    """One model with its status; a curated model also carries its catalog entry (description, vram_mb,
    size_mb, speed, quality, recommended_for, default, pull_command) as further fields."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())

    id: str
    name: str
    model_name: str | None = Field(description="The backend's name for the model")
    custom: bool = Field(description="Not in the curated list")
    status: str = Field(description="ready | not_downloaded | unreachable | unknown")
    status_label: str
    last_checked: str | None = Field(description="When the backend was last asked (ISO)")
    pulled_at: str | None = Field(description="When CaptionForge downloaded it (ISO)")
    file_size_mb: int | None


class ModelStatuses(BaseModel):
    """Every curated model, and the model in settings, with what the backend said at the last check."""

    backend: str
    base_url: str
    reachable: bool | None = Field(description="None: not asked (refresh=false)")
    error: str | None
    current: str = Field(description="The model in settings")
    installed: list[str]
    models: list[ModelRow]


class ConnectionCheck(BaseModel):
    """One step of a connection test (Server, Model, Vision, Thinking): whether it works, and why not."""

    check: str = Field(examples=["Server"])
    ok: bool
    detail: str


class CachedAvailability(BaseModel):
    """What the last check of a backend said about one model, and when CaptionForge downloaded it."""

    is_available: bool | None
    last_checked: str | None = Field(description="ISO time of the last check")
    pulled_at: str | None = Field(description="ISO time of the download")
    file_size_mb: int | None


class GenerationInputs(BaseModel):
    """What one caption generation reads: the image, its prompt context, and (with a caption set) the set's
    style, length, trigger phrase, prompt and model; a request's overrides replace these."""

    image_path: str
    context: dict[str, str] = Field(description="filename, folder, imported_caption")
    caption_set_name: str | None = None
    style: str | None = None
    max_length: int | None = None
    trigger_phrase: str | None = None
    custom_prompt: str | None = None
    vision_model: str | None = None
    base_url: str | None = None
