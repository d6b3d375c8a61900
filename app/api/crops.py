"""/api/datasets/{id}/files/{file_id}/crop and the batch centre-crop: a crop per dataset member.

Every change sends datasets_changed with the changed file_ids (the crops service queues it), so open grids
repaint those thumbnails.
"""

from __future__ import annotations

from fastapi import APIRouter

from app.api.schemas.crop_schemas import CentreCropRequest, CropBox
from app.container import ServicesDep
from app.services.crops import crops
from app.services.crops.crop_shapes import CentreCropPreview, CentreCropResult, Crop, CropUndoResult

router = APIRouter(tags=["crops"])
MEMBER = "/api/datasets/{dataset_id}/files/{file_id}/crop"


@router.get(MEMBER, response_model=Crop, summary="The member's crop in this dataset (null: none)")
def get_crop(services: ServicesDep, dataset_id: str, file_id: str) -> Crop:
    return crops.get_crop(services.db, dataset_id, file_id)


@router.put(
    MEMBER,
    response_model=Crop,
    summary="Set the crop: shares 0..1 of the upright image; 422 outside the image or of zero size",
)
def set_crop(services: ServicesDep, dataset_id: str, file_id: str, body: CropBox) -> Crop:
    return crops.set_crop(services.db, dataset_id, file_id, body.model_dump())


@router.delete(MEMBER, response_model=Crop, summary="Clear the crop (the whole image again)")
def clear_crop(services: ServicesDep, dataset_id: str, file_id: str) -> Crop:
    return crops.clear_crop(services.db, dataset_id, file_id)


@router.post(
    "/api/datasets/{dataset_id}/crops/centre/preview",
    response_model=CentreCropPreview,
    summary="What centre-cropping these members to an aspect would do (nothing is changed)",
)
def preview_centre_crop(services: ServicesDep, dataset_id: str, body: CentreCropRequest) -> CentreCropPreview:
    return crops.preview_centre_crop(services.db, dataset_id, body.file_ids, body.aspect)


@router.post(
    "/api/datasets/{dataset_id}/crops/centre",
    response_model=CentreCropResult,
    summary="Centre-crop these members to an aspect, as one batch that can be undone",
)
def apply_centre_crop(services: ServicesDep, dataset_id: str, body: CentreCropRequest) -> CentreCropResult:
    return crops.apply_centre_crop(services.db, dataset_id, body.file_ids, body.aspect)


@router.post(
    "/api/crop-batches/{crop_batch_id}/undo",
    response_model=CropUndoResult,
    summary="Put back the crops a batch replaced (409 when already undone)",
)
def undo_crop_batch(services: ServicesDep, crop_batch_id: str) -> CropUndoResult:
    return crops.undo_crop_batch(services.db, crop_batch_id)
