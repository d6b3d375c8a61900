"""What the export endpoints answer: started, progress, history entries, the plan, presets."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.api.schemas.answers import Answer


class ExportStarted(Answer):
    export_id: str
    status: str = Field(examples=["processing"])
    estimated_files: int
    estimated_size_mb: float
    export_path: str


class ExportProgress(Answer):
    export_id: str
    status: str
    done: int | None = None
    total: int | None = None
    failed: int | None = None
    bytes: int | None = None
    current: str | None = Field(None, description="The file being written")
    error: str | None = None


class ExportEntry(Answer):
    id: str
    export_id: str
    dataset_id: str | None
    dataset_name: str | None
    caption_set_id: str | None
    export_path: str
    export_format: str = Field(description="folder | zip")
    image_format: str | None
    target_resolution: int | None
    file_count: int | None
    total_size_mb: float | None
    status: str = Field(description="pending | processing | completed | failed | cancelled | interrupted")
    error_message: str | None
    created_date: str | None
    completed_date: str | None
    settings: dict[str, Any]
    report: dict[str, Any]
    downloadable: bool
    progress: ExportProgress | None = Field(None, description="Live progress while it runs")


class ExportCancelling(Answer):
    export_id: str
    status: str = Field(examples=["cancelling"])


class PlanLayout(Answer):
    image_dir: str
    empty_dirs: list[str]
    metadata_jsonl: bool


class PlanTarget(Answer):
    path: str
    kind: str
    exists: bool
    non_empty: bool
    needs_confirmation: bool


class PlanSkipped(Answer):
    file_id: str
    filename: str
    reason: str


class ExportPlan(Answer):
    dataset: dict[str, Any]
    caption_set: dict[str, Any] | None
    options: dict[str, Any]
    layout: PlanLayout
    file_count: int
    estimated_size_mb: float
    skipped_count: int
    skipped_reasons: dict[str, int]
    skipped: list[PlanSkipped]
    sample_names: list[str]
    target: PlanTarget
    checks: list[dict[str, Any]]


class Preset(Answer):
    name: str
    label: str
    description: str
    builtin: bool
    options: dict[str, Any]


class PresetDeleted(Answer):
    deleted: str
