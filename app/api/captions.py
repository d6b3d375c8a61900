"""/api/caption-sets/{id}/captions and /api/captions/{id}: captions, their history and revert."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.schemas.dataset_schemas import (
    CaptionUpdate,
    CaptionWrite,
    TakeFileText,
)
from app.container import ServicesDep
from app.services.captions import caption_file_changes, captions
from app.services.captions.caption_shapes import Caption, CaptionFileChange, CaptionRevision

router = APIRouter(prefix="/api", tags=["captions"])


@router.post(
    "/caption-sets/{caption_set_id}/captions",
    response_model=Caption,
    summary="Create or update the caption of a file (422 past max_length, 409 if changed elsewhere)",
)
def save_caption(services: ServicesDep, caption_set_id: str, body: CaptionWrite) -> dict[str, Any]:
    fields = body.model_dump()
    file_id, text = fields.pop("file_id"), fields.pop("caption_text")
    return captions.save_caption(services.db, caption_set_id, file_id, text, **fields)


@router.get("/caption-sets/{caption_set_id}/captions", response_model=list[Caption], summary="All captions")
def list_captions(services: ServicesDep, caption_set_id: str) -> list[Caption]:
    return captions.list_captions(services.db, caption_set_id)


@router.get(
    "/caption-sets/{caption_set_id}/changed-caption-files",
    response_model=list[CaptionFileChange],
    summary="Files whose .txt/.caption beside the image changed on disk since the set took its text",
)
def changed_caption_files(services: ServicesDep, caption_set_id: str) -> list[CaptionFileChange]:
    return caption_file_changes.changed_caption_files(services.db, caption_set_id)


@router.post(
    "/caption-sets/{caption_set_id}/take-file-text",
    response_model=Caption,
    summary="Save the text of the file beside the image as its caption (an 'import' revision)",
)
def take_file_text(services: ServicesDep, caption_set_id: str, body: TakeFileText) -> Caption:
    return caption_file_changes.take_file_text(services.db, caption_set_id, body.file_id)


@router.get("/captions/{caption_id}", response_model=Caption, summary="One caption")
def get_caption(services: ServicesDep, caption_id: str) -> Caption:
    return captions.get_caption_by_id(services.db, caption_id)


@router.put("/captions/{caption_id}", response_model=Caption, summary="Edit a caption's text")
def update_caption(services: ServicesDep, caption_id: str, body: CaptionUpdate) -> dict[str, Any]:
    return captions.update_caption(
        services.db, caption_id, body.caption_text, expected_modified=body.expected_modified
    )


@router.delete(
    "/captions/{caption_id}", response_model=Caption, summary="Delete a caption (returns what it was)"
)
def delete_caption(services: ServicesDep, caption_id: str) -> Caption:
    return captions.delete_caption(services.db, caption_id)


@router.get(
    "/captions/{caption_id}/revisions",
    response_model=list[CaptionRevision],
    summary="The caption's history, newest first",
)
def list_revisions(services: ServicesDep, caption_id: str) -> list[CaptionRevision]:
    return captions.list_revisions(services.db, caption_id)


@router.post(
    "/captions/{caption_id}/revert/{revision_id}",
    response_model=Caption,
    summary="Restore the text a revision produced (recorded as a new 'revert' revision)",
)
def revert_caption(services: ServicesDep, caption_id: str, revision_id: str) -> Caption:
    return captions.revert_caption(services.db, caption_id, revision_id)
