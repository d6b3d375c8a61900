"""What the vision endpoints answer: model statuses and connection checks (a caption and a download's state
are their dataclasses, app.vision.client.CaptionResult and app.vision.downloads.DownloadState)."""

from __future__ import annotations

from pydantic import Field

from app.api.schemas.answers import Answer


class ModelRow(Answer):
    id: str
    name: str
    custom: bool = Field(description="Not in the curated list")
    status: str = Field(description="ready | not_downloaded | unreachable | unknown")
    status_label: str


class ModelStatuses(Answer):
    backend: str
    base_url: str
    reachable: bool | None = Field(description="None: not asked (refresh=false)")
    error: str | None
    current: str = Field(description="The model in settings")
    installed: list[str]
    models: list[ModelRow]


class ConnectionCheck(Answer):
    check: str = Field(examples=["Server"])
    ok: bool
    detail: str


class ConnectionReport(Answer):
    ok: bool
    checks: list[ConnectionCheck]


class DownloadCancelled(Answer):
    cancelled: bool
