"""Request and response models of the caption-tools API (tags, batch edits, find & replace, views, tokens)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class TagRename(BaseModel):
    tag: str = Field(description="The tag to rename (case-insensitive)")
    new: str = Field("", description="Its new name; empty deletes the tag")
    limit: int = Field(20, ge=0, le=500, description="Preview: how many before/after samples")


class TagDelete(BaseModel):
    tag: str
    limit: int = Field(20, ge=0, le=500)


class Scope(BaseModel):
    """Which captions: `file_ids` (a selection), `query` (the grid filter), or neither (the whole set)."""

    file_ids: list[str] | None = None
    query: str | None = None
    limit: int = Field(20, ge=0, le=500, description="Preview: how many before/after samples")


class BatchEdit(BaseModel):
    op: Literal["add", "remove_tag", "rename_tag", "replace", "apply_trigger", "strip"]
    text: str | None = Field(
        None, description="add/strip: the tag or phrase; apply_trigger: overrides the set's"
    )
    position: Literal["start", "end"] = "end"
    tag: str | None = None
    new: str | None = None
    find: str | None = None
    replace: str | None = None
    regex: bool = False
    case_sensitive: bool = False
    whole_word: bool = False


class BatchEditRequest(Scope):
    edit: BatchEdit


class FindReplaceRequest(Scope):
    find: str
    replace: str = ""
    regex: bool = False
    case_sensitive: bool = False
    whole_word: bool = False

    def edit(self) -> dict[str, Any]:
        return {
            "op": "replace",
            **self.model_dump(include={"find", "replace", "regex", "case_sensitive", "whole_word"}),
        }


class ViewCreate(BaseModel):
    name: str
    query: str


class ViewOut(BaseModel):
    id: str
    dataset_id: str
    name: str
    query: str
    created_date: str


class TokenRequest(BaseModel):
    text: str


class QueryCheck(BaseModel):
    valid: bool
    message: str | None = None
    position: int | None = None
