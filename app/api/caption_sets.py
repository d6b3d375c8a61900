"""/api/datasets/{id}/caption-sets and /api/caption-sets/{id}: caption sets, batch edits, imported captions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from app.api.schemas.dataset_schemas import (
    BatchRequest,
    BatchResult,
    BatchReverted,
    CaptionForFile,
    CaptionSetCreate,
    CaptionSetDeleted,
    CaptionSetOut,
    CaptionSetUpdate,
    DuplicateRequest,
    ImportReport,
    ImportRequest,
)
from app.container import ServicesDep
from app.core import current
from app.services.captions import captions

router = APIRouter(prefix="/api", tags=["caption sets"])


@router.post(
    "/datasets/{dataset_id}/caption-sets",
    response_model=CaptionSetOut,
    status_code=status.HTTP_201_CREATED,
    summary="Create a caption set (optionally from the members' imported captions)",
)
def create_caption_set(services: ServicesDep, dataset_id: str, body: CaptionSetCreate) -> dict[str, Any]:
    caption_set = captions.create_caption_set(services.db, dataset_id, **body.model_dump())
    return _changed(dataset_id, caption_set)


@router.get(
    "/datasets/{dataset_id}/caption-sets", response_model=list[CaptionSetOut], summary="A dataset's sets"
)
def list_caption_sets(services: ServicesDep, dataset_id: str) -> Any:
    return captions.list_caption_sets(services.db, dataset_id)


@router.get("/caption-sets/{caption_set_id}", response_model=CaptionSetOut, summary="One caption set")
def get_caption_set(services: ServicesDep, caption_set_id: str) -> Any:
    return captions.get_caption_set(services.db, caption_set_id)


@router.put("/caption-sets/{caption_set_id}", response_model=CaptionSetOut, summary="Change the fields sent")
def update_caption_set(services: ServicesDep, caption_set_id: str, body: CaptionSetUpdate) -> dict[str, Any]:
    caption_set = captions.update_caption_set(
        services.db, caption_set_id, **body.model_dump(exclude_unset=True)
    )
    return _changed(caption_set["dataset_id"], caption_set)


@router.delete(
    "/caption-sets/{caption_set_id}",
    response_model=CaptionSetDeleted,
    summary="Delete a set and its captions",
)
def delete_caption_set(services: ServicesDep, caption_set_id: str) -> dict[str, Any]:
    db = services.db
    dataset_id = captions.get_caption_set(db, caption_set_id)["dataset_id"]
    return _changed(dataset_id, captions.delete_caption_set(db, caption_set_id))


@router.post(
    "/caption-sets/{caption_set_id}/duplicate",
    response_model=CaptionSetOut,
    status_code=status.HTTP_201_CREATED,
    summary="Copy a set's settings and captions under a new name",
)
def duplicate_caption_set(
    services: ServicesDep, caption_set_id: str, body: DuplicateRequest
) -> dict[str, Any]:
    copy = captions.duplicate_caption_set(services.db, caption_set_id, body.name)
    return _changed(copy["dataset_id"], copy)


@router.post(
    "/caption-sets/{caption_set_id}/import-captions",
    response_model=ImportReport,
    summary="Copy members' imported .txt captions into the set (existing captions kept unless overwrite)",
)
def import_captions(services: ServicesDep, caption_set_id: str, body: ImportRequest) -> dict[str, Any]:
    db = services.db
    report = captions.import_captions(db, caption_set_id, body.file_ids, body.overwrite)
    return _changed(captions.get_caption_set(db, caption_set_id)["dataset_id"], report)


@router.post(
    "/caption-sets/{caption_set_id}/batch",
    response_model=BatchResult,
    summary="Write many captions at once, all or nothing, undoable by batch_id",
)
def batch_update(services: ServicesDep, caption_set_id: str, body: BatchRequest) -> dict[str, Any]:
    db = services.db
    updates = [item.model_dump() for item in body.updates]
    result = captions.save_captions_batch(db, caption_set_id, updates, label=body.label, source=body.source)
    return _changed(captions.get_caption_set(db, caption_set_id)["dataset_id"], result)


@router.post(
    "/caption-sets/batches/{batch_id}/revert",
    response_model=BatchReverted,
    summary="Undo a batch edit (captions edited since are left alone)",
)
def revert_batch(services: ServicesDep, batch_id: str) -> dict[str, Any]:
    result = captions.revert_batch(services.db, batch_id)
    services.events.emit_threadsafe(services.events.datasets_changed, {"dataset_id": None})
    return result


@router.get(
    "/caption-sets/{caption_set_id}/files/{file_id}",
    response_model=CaptionForFile,
    summary="A file's caption in the set, plus its imported caption as a reference",
)
def caption_for_file(services: ServicesDep, caption_set_id: str, file_id: str) -> Any:
    return captions.get_caption(services.db, caption_set_id, file_id)


def _changed(dataset_id: str, result: Any) -> Any:
    core = current()
    core.events.emit_threadsafe(core.events.datasets_changed, {"dataset_id": dataset_id})
    return result
