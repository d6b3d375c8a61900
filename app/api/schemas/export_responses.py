"""Answers only the export endpoints give (the rest are the export service's shapes, export_shapes)."""

from __future__ import annotations

from pydantic import Field

from app.api.schemas.answers import Answer


class ExportCancelling(Answer):
    export_id: str
    status: str = Field(examples=["cancelling"])


class PresetDeleted(Answer):
    deleted: str
