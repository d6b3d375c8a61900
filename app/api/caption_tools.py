"""Caption tools: tag vocabulary and rename/delete, batch edits, find & replace, undo, saved views, tokens.

Every change is previewed by a `.../preview` route (nothing written) and applied by the same path
without it; an applied change is one batch, undone with POST /api/batches/{batch_id}/undo.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from app.api.schemas.caption_tools_schemas import (
    BatchEditRequest,
    FindReplaceRequest,
    QueryCheck,
    TagDelete,
    TagRename,
    TokenRequest,
    ViewCreate,
    ViewOut,
)
from app.container import ServicesDep
from app.services.captions import batch_edits, tags
from app.services.captions.caption_sets import get_caption_set
from app.services.captions.caption_shapes import Batch, BatchApplied, BatchPreview, BatchUndo, TagCount
from app.services.grid import saved_views
from app.services.grid.query import query_error
from app.services.tokens import TokenCount, token_summary

router = APIRouter(prefix="/api", tags=["caption tools"])


@router.get("/caption-sets/{caption_set_id}/tags", response_model=list[TagCount], summary="Tags by frequency")
def tag_vocabulary(
    services: ServicesDep, caption_set_id: str, limit: int | None = Query(None, ge=1, le=100_000)
) -> list[TagCount]:
    get_caption_set(services.db, caption_set_id)  # 404 for an unknown set
    return tags.tag_vocabulary(services.db, caption_set_id, limit)


@router.post("/caption-sets/{caption_set_id}/tags/rename/preview", response_model=BatchPreview)
def preview_rename_tag(services: ServicesDep, caption_set_id: str, body: TagRename) -> BatchPreview:
    """How many captions renaming the tag would change, with the first `limit` before/after."""
    return tags.preview_rename_tag(services.db, caption_set_id, body.tag, body.new, body.limit)


@router.post(
    "/caption-sets/{caption_set_id}/tags/rename",
    response_model=BatchApplied,
    summary="Rename a tag everywhere",
)
def rename_tag(services: ServicesDep, caption_set_id: str, body: TagRename) -> BatchApplied:
    return tags.rename_tag(services.db, caption_set_id, body.tag, body.new)


@router.post("/caption-sets/{caption_set_id}/tags/delete/preview", response_model=BatchPreview)
def preview_delete_tag(services: ServicesDep, caption_set_id: str, body: TagDelete) -> BatchPreview:
    return tags.preview_delete_tag(services.db, caption_set_id, body.tag, body.limit)


@router.post(
    "/caption-sets/{caption_set_id}/tags/delete",
    response_model=BatchApplied,
    summary="Delete a tag everywhere",
)
def delete_tag(services: ServicesDep, caption_set_id: str, body: TagDelete) -> BatchApplied:
    return tags.delete_tag(services.db, caption_set_id, body.tag)


@router.post("/caption-sets/{caption_set_id}/batch-edit/preview", response_model=BatchPreview)
def preview_batch_edit(services: ServicesDep, caption_set_id: str, body: BatchEditRequest) -> BatchPreview:
    """Preview a batch edit on a selection (`file_ids`), the filter (`query`) or the whole set."""
    edit = body.edit.model_dump()
    return batch_edits.preview_batch(
        services.db, caption_set_id, edit, file_ids=body.file_ids, query=body.query, limit=body.limit
    )


@router.post(
    "/caption-sets/{caption_set_id}/batch-edit", response_model=BatchApplied, summary="Apply a batch edit"
)
def apply_batch_edit(services: ServicesDep, caption_set_id: str, body: BatchEditRequest) -> BatchApplied:
    return batch_edits.apply_batch(
        services.db, caption_set_id, body.edit.model_dump(), file_ids=body.file_ids, query=body.query
    )


@router.post("/caption-sets/{caption_set_id}/find-replace/preview", response_model=BatchPreview)
def preview_find_replace(
    services: ServicesDep, caption_set_id: str, body: FindReplaceRequest
) -> BatchPreview:
    """Plain or regex find & replace; the total count and the first `limit` before/after, nothing written."""
    return batch_edits.preview_batch(
        services.db, caption_set_id, body.edit(), file_ids=body.file_ids, query=body.query, limit=body.limit
    )


@router.post(
    "/caption-sets/{caption_set_id}/find-replace", response_model=BatchApplied, summary="Find and replace"
)
def apply_find_replace(services: ServicesDep, caption_set_id: str, body: FindReplaceRequest) -> BatchApplied:
    return batch_edits.apply_batch(
        services.db, caption_set_id, body.edit(), file_ids=body.file_ids, query=body.query
    )


@router.get(
    "/caption-sets/{caption_set_id}/batches", response_model=list[Batch], summary="Recent batch edits"
)
def recent_batches(
    services: ServicesDep, caption_set_id: str, limit: int = Query(20, ge=1, le=200)
) -> list[Batch]:
    get_caption_set(services.db, caption_set_id)
    return batch_edits.recent_batches(services.db, caption_set_id, limit)


@router.post(
    "/batches/{batch_id}/undo", response_model=BatchUndo, summary="Undo a whole batch (itself undoable)"
)
def undo_batch(services: ServicesDep, batch_id: str) -> BatchUndo:
    return batch_edits.undo_batch(services.db, batch_id)


@router.get("/datasets/{dataset_id}/views", response_model=list[ViewOut], summary="Saved grid queries")
def list_views(services: ServicesDep, dataset_id: str) -> Any:
    return saved_views.list_saved_views(services.db, dataset_id)


@router.post("/datasets/{dataset_id}/views", response_model=ViewOut, status_code=201, summary="Save a query")
def create_view(services: ServicesDep, dataset_id: str, body: ViewCreate) -> Any:
    return saved_views.create_saved_view(services.db, dataset_id, body.name, body.query)


@router.delete("/views/{view_id}", response_model=ViewOut, summary="Delete a saved view")
def delete_view(services: ServicesDep, view_id: str) -> Any:
    return saved_views.delete_saved_view(services.db, view_id)


@router.post("/tokens", response_model=TokenCount, summary="CLIP token count of a text (limit 75)")
def count_tokens(body: TokenRequest) -> TokenCount:
    return token_summary(body.text)


@router.get("/query/check", response_model=QueryCheck, summary="Check a grid filter query")
def check_query(q: str = Query("", description="The query text")) -> Any:
    error = query_error(q)
    if error is None:
        return {"valid": True}
    return {"valid": False, "message": error.message, "position": error.position}
