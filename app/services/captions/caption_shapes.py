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
