"""/api/datasets/{id}/caption-sets and /api/caption-sets/{id}: caption sets, batch edits, imported captions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from app.api.schemas.dataset_schemas import (
    BatchRequest,
    CaptionForFile,
    CaptionSetCreate,
    CaptionSetUpdate,
    DuplicateRequest,
    ImportRequest,
)
from app.container import ServicesDep
from app.services.captions import caption_batches, caption_sets, captions
from app.services.captions.caption_shapes import (
    BatchReverted,
    BatchSaved,
    CaptionSet,
    CaptionSetDeleted,
    ImportReport,
)

router = APIRouter(prefix="/api", tags=["caption sets"])


@router.post(
    "/datasets/{dataset_id}/caption-sets",
    response_model=CaptionSet,
    status_code=status.HTTP_201_CREATED,
    summary="Create a caption set (optionally from the members' imported captions)",
)
def create_caption_set(services: ServicesDep, dataset_id: str, body: CaptionSetCreate) -> CaptionSet:
    return caption_sets.create_caption_set(services.db, dataset_id, **body.model_dump())


@router.get(
    "/datasets/{dataset_id}/caption-sets", response_model=list[CaptionSet], summary="A dataset's sets"
)
def list_caption_sets(services: ServicesDep, dataset_id: str) -> list[CaptionSet]:
    return caption_sets.list_caption_sets(services.db, dataset_id)


@router.get("/caption-sets/{caption_set_id}", response_model=CaptionSet, summary="One caption set")
def get_caption_set(services: ServicesDep, caption_set_id: str) -> CaptionSet:
    return caption_sets.get_caption_set(services.db, caption_set_id)


@router.put("/caption-sets/{caption_set_id}", response_model=CaptionSet, summary="Change the fields sent")
def update_caption_set(services: ServicesDep, caption_set_id: str, body: CaptionSetUpdate) -> CaptionSet:
    return caption_sets.update_caption_set(services.db, caption_set_id, **body.model_dump(exclude_unset=True))


@router.delete(
    "/caption-sets/{caption_set_id}",
    response_model=CaptionSetDeleted,
    summary="Delete a set and its captions",
)
def delete_caption_set(services: ServicesDep, caption_set_id: str) -> CaptionSetDeleted:
    return caption_sets.delete_caption_set(services.db, caption_set_id)


@router.post(
    "/caption-sets/{caption_set_id}/duplicate",
    response_model=CaptionSet,
    status_code=status.HTTP_201_CREATED,
    summary="Copy a set's settings and captions under a new name",
)
def duplicate_caption_set(services: ServicesDep, caption_set_id: str, body: DuplicateRequest) -> CaptionSet:
    return caption_sets.duplicate_caption_set(services.db, caption_set_id, body.name)


@router.post(
    "/caption-sets/{caption_set_id}/import-captions",
    response_model=ImportReport,
    summary="Copy members' imported .txt captions into the set (existing captions kept unless overwrite)",
)
def import_captions(services: ServicesDep, caption_set_id: str, body: ImportRequest) -> ImportReport:
    return caption_sets.import_captions(services.db, caption_set_id, body.file_ids, body.overwrite)


@router.post(
    "/caption-sets/{caption_set_id}/batch",
    response_model=BatchSaved,
    summary="Write many captions at once, all or nothing, undoable by batch_id",
)
def batch_update(services: ServicesDep, caption_set_id: str, body: BatchRequest) -> BatchSaved:
    updates = [item.model_dump() for item in body.updates]
    return caption_batches.save_captions_batch(
        services.db, caption_set_id, updates, label=body.label, source=body.source
    )


@router.post(
    "/caption-sets/batches/{batch_id}/revert",
    response_model=BatchReverted,
    summary="Undo a batch edit (captions edited since are left alone)",
)
def revert_batch(services: ServicesDep, batch_id: str) -> BatchReverted:
    return caption_batches.revert_batch(services.db, batch_id)


@router.get(
    "/caption-sets/{caption_set_id}/files/{file_id}",
    response_model=CaptionForFile,
    summary="A file's caption in the set, plus its imported caption as a reference",
)
def caption_for_file(services: ServicesDep, caption_set_id: str, file_id: str) -> Any:
    return captions.get_caption(services.db, caption_set_id, file_id)
