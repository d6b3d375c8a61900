"""Request bodies of the dataset, caption-set and caption endpoints, and their API-only answers (the OpenAPI
shapes; the datasets' answers are app.services.datasets.dataset_shapes)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from app.services.captions.caption_shapes import Caption

MAX_CAPTION_LIMIT = 1_000_000


def _printable(value: str) -> str:
    """Names show in lists, folder names and files: no NUL, newline or other control characters."""
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in value):
        raise ValueError("A name cannot hold control characters (NUL, newline, tab, ...)")
    return value


Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_printable)]
CaptionLimit = Annotated[int, Field(ge=1, le=MAX_CAPTION_LIMIT)]

Style = Literal["natural_simple", "natural_detailed", "tags", "custom"]
Source = Literal["manual", "generated", "imported"]


class DatasetCreate(BaseModel):
    name: Name = Field(..., examples=["Nova Chorus v2"], description="Unique (case-insensitive) display name")
    description: str | None = None
    tags: list[str] | None = Field(None, examples=[["portrait", "woman"]])
    category: str | None = Field(None, examples=["character"])
    notes: str | None = None


class DatasetUpdate(BaseModel):
    """Only the fields sent are changed; a new name gets a new slug."""

    name: Name | None = None
    description: str | None = None
    tags: list[str] | None = None
    category: str | None = None
    notes: str | None = None
    default_caption_set_id: str | None = None


class FileIds(BaseModel):
    file_ids: list[str] = Field(..., examples=[["3f2c...", "9ab1..."]])


class ExcludeRequest(FileIds):
    excluded: bool = Field(
        True, description="True leaves the files out of exports; False includes them again"
    )


class FromFolderRequest(BaseModel):
    folder_id: str
    name: Name | None = Field(None, description="Dataset name; the folder's name when empty")


class CountOut(BaseModel):
    count: int = Field(description="How many rows the request changed")


class CaptionSetCreate(BaseModel):
    name: Name = Field(..., examples=["Natural"])
    style: Style = "natural_simple"
    description: str | None = None
    max_length: CaptionLimit | None = Field(
        None, description="Character limit; empty for none", examples=[200]
    )
    trigger_phrase: str | None = Field(None, examples=["Nova Chorus, a woman"])
    vision_model: str | None = None
    generation_prompt: str | None = Field(None, description="Custom prompt (style custom)")
    init_from_imported: bool = Field(False, description="Start from the members' imported .txt captions")
    ensure_trigger: bool = Field(True, description="Every saved and exported caption starts with the trigger")


class CaptionSetUpdate(BaseModel):
    """Only the fields sent are changed."""

    name: Name | None = None
    style: Style | None = None
    description: str | None = None
    max_length: CaptionLimit | None = None
    trigger_phrase: str | None = None
    vision_model: str | None = None
    generation_prompt: str | None = None
    ensure_trigger: bool | None = None


class DuplicateRequest(BaseModel):
    name: Name = Field(..., examples=["Natural (copy)"])


class ImportRequest(BaseModel):
    file_ids: list[str] | None = Field(None, description="Only these files; all members when empty")
    overwrite: bool = False


class BatchItem(BaseModel):
    file_id: str
    caption_text: str


class BatchRequest(BaseModel):
    updates: list[BatchItem] = Field(..., min_length=1)
    label: str | None = Field(None, description="Shown in the history, e.g. 'replace cat -> dog'")
    source: Source = "manual"


class CaptionWrite(BaseModel):
    file_id: str
    caption_text: str
    source: Source = "manual"
    expected_modified: str | None = Field(
        None, description="modified_date you loaded; 409 if the caption changed since (another tab saved)"
    )
    quality_score: float | None = None
    quality_details: dict[str, Any] | None = None
    vision_model: str | None = None


class CaptionUpdate(BaseModel):
    caption_text: str
    expected_modified: str | None = None


class CaptionForFile(BaseModel):
    caption: Caption | None
    imported_caption: str | None = Field(description="The paired .txt text (read-only reference)")
    imported_caption_path: str | None
    caption_set: dict[str, Any]
    file: dict[str, Any]


class TakeFileText(BaseModel):
    file_id: str = Field(min_length=1)
