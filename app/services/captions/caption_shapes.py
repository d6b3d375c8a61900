"""The captions feature's typed results: what its services return and the API sends as JSON."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Caption(BaseModel):
    """A file's caption in a caption set."""

    id: str
    caption_set_id: str
    file_id: str
    caption_text: str
    source: str | None
    auto_generated: bool
    manually_edited: bool
    caption_state: str
    quality_score: float | None
    quality_details: Any
    vision_model: str | None
    generation_date: str | None
    imported_from_path: str | None
    created_date: str
    modified_date: str


class CaptionSet(BaseModel):
    """A caption set of a dataset with its statistics; total is the dataset's file count."""

    id: str
    dataset_id: str
    name: str
    description: str | None
    style: str
    max_length: int | None
    trigger_phrase: str | None
    vision_model: str | None
    generation_prompt: str | None
    ensure_trigger: bool = True
    caption_count: int
    total: int
    avg_quality_score: float | None
    auto_generated_count: int
    manually_edited_count: int
    over_max_length: int = Field(
        description="Captions longer than max_length (kept when the limit was lowered)"
    )
    created_date: str
    modified_date: str
    imported: int | None = Field(None, description="With init_from_imported: captions taken from .txt files")
    skipped_too_long: int | None = None


class TagCount(BaseModel):
    """A tag of a caption set and how many of its captions have it."""

    tag: str
    count: int


class CaptionFileChange(BaseModel):
    """A member file whose .txt/.caption beside the image differs from the text the set took from it."""

    file_id: str
    filename: str
    caption_path: str | None = Field(description="The .txt or .caption file beside the image")
    file_text: str = Field(description="The file's text as the last scan read it")
    imported_text: str | None = Field(description="The text the set took from the file last time")
    caption_text: str | None = Field(description="The caption's current text in the set")


class BatchChange(BaseModel):
    """One caption a batch edit changes (or refuses to change: then `reason` says why)."""

    file_id: str
    filename: str
    before: str
    after: str
    reason: str | None = None


class BatchPreview(BaseModel):
    """What a batch edit would do, nothing written."""

    label: str
    total: int = Field(description="Captions that would change")
    scanned: int = Field(description="Captions in the scope")
    samples: list[BatchChange] = Field(description="The first `limit` changes, in grid order")
    skipped: list[BatchChange] = Field(description="Changes refused: the caption would be empty or too long")


class BatchApplied(BaseModel):
    """A batch edit written as one undoable batch."""

    batch_id: str | None = Field(
        description="Undo with POST /api/batches/{batch_id}/undo; null if nothing changed"
    )
    label: str
    changed: int
    skipped: list[BatchChange]
    file_ids: list[str]


class Batch(BaseModel):
    """A recent batch of a caption set, as Recent changes lists it."""

    batch_id: str
    label: str
    change_type: str
    count: int
    created_date: str
    undone: bool


class BatchUndo(BaseModel):
    """The result of undoing a batch."""

    batch_id: str = Field(description="The undo's own batch (undo it to redo)")
    undone_batch_id: str
    restored: int
    skipped: int = Field(description="Captions edited since the batch, left as they are")


class BesideWrite(BaseModel):
    """A caption file the write will make (or overwrite) beside an image."""

    file_id: str
    filename: str
    image_path: str
    target: str = Field(description="The caption file that will be written")
    exists: bool = Field(description="A file is there now and will be overwritten (backed up first)")
    current_text: str | None = Field(description="What the file holds now, when it exists")
    text: str = Field(description="What will be written")


class BesideSkipped(BaseModel):
    """A member image the write leaves alone, and why."""

    file_id: str
    filename: str
    reason: str


class BesideCounts(BaseModel):
    write: int
    overwrite: int
    create: int
    skipped: int


class WriteBesidePlan(BaseModel):
    """What writing a caption set beside its images would do; nothing written."""

    caption_set_id: str
    caption_set_name: str
    extension: str
    writes: list[BesideWrite]
    skipped: list[BesideSkipped]
    counts: BesideCounts


class WriteBesideResult(BaseModel):
    """A finished write beside the images."""

    backup_id: str = Field(description="Pass it to /api/caption-backups/{backup_id}/undo")
    pruned: list[str] = Field(default_factory=list, description="Older backups of this set removed (kept: N)")
    written: int
    overwritten: int
    created: int
    skipped: list[BesideSkipped]


class BesideKept(BaseModel):
    path: str
    reason: str


class BesideUndone(BaseModel):
    """The result of undoing a write beside the images."""

    backup_id: str
    restored: int = Field(description="Overwritten files put back from the backup")
    removed: int = Field(description="Files the write created, removed again")
    kept: list[BesideKept] = Field(description="Files changed since the write, left as they are")


class BesideWriteRecord(BaseModel):
    """A past write beside the images, as its history lists it."""

    backup_id: str
    created: str = Field(description="When it was written (ISO 8601, UTC)")
    files: int = Field(description="Caption files written")
    overwritten: int
    created_files: int
    undone: bool
    can_undo: bool


class CaptionRevision(BaseModel):
    """One change in a caption's history; reverting to it restores its `new_text`."""

    id: str
    caption_id: str | None = Field(description="Null when the caption was deleted since")
    caption_set_id: str
    file_id: str
    previous_text: str | None
    new_text: str | None = Field(description="The text after this change; revert restores it")
    change_type: str
    batch_id: str | None
    batch_label: str | None
    created_date: str


class BatchSaved(BaseModel):
    """Many captions written at once as one batch."""

    batch_id: str = Field(description="Undo with POST /api/caption-sets/batches/{batch_id}/revert")
    label: str | None
    created: int
    updated: int
    unchanged: int


class BatchReverted(BaseModel):
    """The result of reverting a batch of captions."""

    reverted: int
    skipped: int = Field(description="Captions edited again since the batch, left as they are")


class CaptionSetDeleted(BaseModel):
    """What went with a deleted caption set."""

    caption_set_id: str
    name: str
    captions: int


class ImportReport(BaseModel):
    """Members' imported (.txt) captions copied into a caption set."""

    imported: int
    skipped_existing: int
    skipped_too_long: int
    batch_id: str
