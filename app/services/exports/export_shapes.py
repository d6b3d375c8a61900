"""What the export service returns, and the API answers with: the plan and its checks, where the export lands,
the started export, its progress and history entry, and the presets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from app.services.exports.export_options import ExportOptions


@dataclass
class Layout:
    """Where files go inside the export root (relative POSIX paths)."""

    image_dir: str  # "" = the root
    empty_dirs: tuple[str, ...] = ()
    metadata_jsonl: bool = False


class NamedRef(BaseModel):
    id: str
    name: str


@dataclass
class ExportContext:
    """What one export reads besides its options: the dataset, caption set, layout and member rows."""

    dataset: NamedRef
    caption_set: NamedRef | None
    slug: str  # the dataset's folder-safe name, for default target names
    # The member rows as the query returns them: dicts, one per member (a dataset can hold 100,000).
    rows: list[dict[str, Any]] = field(repr=False)
    layout: Layout
    trigger: str | None  # the caption set's trigger phrase
    tag_style: bool  # the captions are tags (kohya shuffles them, keeping the first)
    ensure_trigger: tuple[str | None, str] | None  # (phrase, style) when the set guarantees its trigger
    kohya_tokens: str  # "<trigger> <class>" of the kohya folder name ("" for other layouts)
    final: str = ""  # the target path, once the export runs
    resolution: int = 1024  # the long side it trains at


class Target(BaseModel):
    """Where an export lands, as checked before writing."""

    path: Path  # the final folder or .zip file
    kind: str  # folder | zip
    exists: bool
    non_empty: bool

    @computed_field  # type: ignore[prop-decorator]  # mypy does not know pydantic's decorated property
    @property
    def needs_confirmation(self) -> bool:
        """A non-empty target is only replaced once the user confirms."""
        return self.non_empty


class CheckExample(BaseModel):
    file_id: str | None
    filename: str | None
    detail: str


class CheckGroup(BaseModel):
    label: str = Field(description="One kind of finding within the check, e.g. a quality flag")
    count: int


class ExportCheck(BaseModel):
    kind: str = Field(
        description="missing_trigger, below_resolution, flagged, duplicates, near_duplicates, ..."
    )
    label: str
    count: int
    groups: list[CheckGroup] = Field(default_factory=list, description="The findings by kind, most first")
    fix: str = Field("", description="Where to change what the check found")
    examples: list[CheckExample]
    files: list[CheckExample] = Field(default_factory=list, description="Every file found (up to 500)")


class ExportCheckResult(BaseModel):
    file_count: int
    issue_count: int = Field(description="How many checks found something")
    checks: list[ExportCheck]


class SkippedFile(BaseModel):
    """A member the export leaves out, and why."""

    file_id: str
    filename: str
    reason: str


class ExportPlan(BaseModel):
    """The summary before starting: what is written where, what is skipped and why, what the checks found."""

    dataset: NamedRef
    caption_set: NamedRef | None
    options: ExportOptions
    layout: Layout
    file_count: int
    estimated_size_mb: float
    skipped_count: int
    skipped_reasons: dict[str, int]
    skipped: list[SkippedFile]
    sample_names: list[str]
    target: Target
    checks: list[ExportCheck]

    def found(self) -> list[ExportCheck]:
        """The checks that found something."""
        return [check for check in self.checks if check.count]


class ExportStarted(BaseModel):
    export_id: str
    status: str = Field(examples=["processing"])
    estimated_files: int
    estimated_size_mb: float
    export_path: str


class ExportProgress(BaseModel):
    # The latest progress event as sent: a newer key is passed on rather than dropped.
    model_config = ConfigDict(extra="allow")

    export_id: str
    status: str
    done: int | None = None
    total: int | None = None
    failed: int | None = None
    bytes: int | None = None
    current: str | None = Field(None, description="The file being written")
    error: str | None = None


class ExportEntry(BaseModel):
    """One row of the export history, with the live progress while it runs."""

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


class Preset(BaseModel):
    name: str
    label: str
    description: str
    builtin: bool
    options: dict[str, Any]


class SourceCaptionSet(BaseModel):
    id: str
    name: str
    trigger_phrase: str | None


class ExportSource(BaseModel):
    """A dataset an export can be made from, with its caption sets."""

    id: str
    name: str
    slug: str | None  # the dataset's folder-safe name
    file_count: int | None
    default_caption_set_id: str | None
    caption_sets: list[SourceCaptionSet]


class Recovery(BaseModel):
    """What the start-up clean-up found: exports a stop interrupted, and the temp work it removed."""

    interrupted: int
    removed: list[str]
