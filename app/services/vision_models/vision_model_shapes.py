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
