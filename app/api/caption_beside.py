"""/api/caption-sets/{id}/write-beside and /api/caption-backups/{id}/undo: captions as .txt beside the images."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.schemas.caption_beside_schemas import WriteBesideRequest
from app.container import ServicesDep
from app.services.captions.caption_shapes import (
    BesideUndone,
    BesideWriteRecord,
    WriteBesidePlan,
    WriteBesideResult,
)
from app.services.exports import caption_files_beside as beside

router = APIRouter(prefix="/api", tags=["caption sets"])


@router.post(
    "/caption-sets/{caption_set_id}/write-beside/preview",
    response_model=WriteBesidePlan,
    summary="What writing the captions beside the images would write, overwrite and skip (writes nothing)",
)
def preview_write_beside(
    services: ServicesDep, caption_set_id: str, body: WriteBesideRequest | None = None
) -> WriteBesidePlan:
    body = body or WriteBesideRequest()
    return beside.plan_write_beside(services.db, caption_set_id, body.extension)


@router.post(
    "/caption-sets/{caption_set_id}/write-beside",
    response_model=WriteBesideResult,
    summary="Write each caption as <image stem>.txt beside its image, backing up what it overwrites",
)
def write_beside(
    services: ServicesDep, caption_set_id: str, body: WriteBesideRequest | None = None
) -> WriteBesideResult:
    body = body or WriteBesideRequest()
    keep = services.settings["export"]["caption_backups_kept"]
    return beside.write_beside(
        services.db, services.settings.data_dir, caption_set_id, body.extension, keep=keep
    )


@router.get(
    "/caption-sets/{caption_set_id}/write-beside/history",
    response_model=list[BesideWriteRecord],
    summary="The set's past writes beside the images, newest first, and which can still be undone",
)
def write_beside_history(services: ServicesDep, caption_set_id: str) -> list[BesideWriteRecord]:
    return beside.list_writes(services.settings.data_dir, caption_set_id)


@router.post(
    "/caption-backups/{backup_id}/undo",
    response_model=BesideUndone,
    summary="Undo a write beside the images (files changed since are left alone)",
)
def undo_write_beside(services: ServicesDep, backup_id: str) -> BesideUndone:
    return beside.undo_write_beside(services.settings.data_dir, backup_id)
