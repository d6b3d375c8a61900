"""The captions feature's typed results: what its services return and the API sends as JSON."""

from __future__ import annotations

from pydantic import BaseModel, Field


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
