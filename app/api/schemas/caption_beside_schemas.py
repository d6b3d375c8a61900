"""Request and response models of writing a caption set's captions beside the original images."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class WriteBesideRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    extension: Literal[".txt", ".caption"] = Field(".txt", description="The caption file's extension")


class BesideWrite(BaseModel):
    file_id: str
    filename: str
    image_path: str
    target: str = Field(description="The caption file that will be written")
    exists: bool = Field(description="A file is there now and will be overwritten (backed up first)")
    current_text: str | None = Field(description="What the file holds now, when it exists")
    text: str = Field(description="What will be written")


class BesideSkipped(BaseModel):
    file_id: str
    filename: str
    reason: str


class BesideCounts(BaseModel):
    write: int
    overwrite: int
    create: int
    skipped: int


class WriteBesidePlan(BaseModel):
    caption_set_id: str
    caption_set_name: str
    extension: str
    writes: list[BesideWrite]
    skipped: list[BesideSkipped]
    counts: BesideCounts


class WriteBesideResult(BaseModel):
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
    backup_id: str
    restored: int = Field(description="Overwritten files put back from the backup")
    removed: int = Field(description="Files the write created, removed again")
    kept: list[BesideKept] = Field(description="Files changed since the write, left as they are")


class BesideWriteRecord(BaseModel):
    backup_id: str
    created: str = Field(description="When it was written (ISO 8601, UTC)")
    files: int = Field(description="Caption files written")
    overwritten: int
    created_files: int
    undone: bool
    can_undo: bool
