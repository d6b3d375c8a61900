"""Dataset health figures and duplicate groups."""

from __future__ import annotations

from fastapi import APIRouter, Query

from app.api.schemas.curation_schemas import KeepBestRequest
from app.container import ServicesDep
from app.services.quality import dataset_health, near_duplicates
from app.services.quality.quality_shapes import DuplicateGroup, Health, KeepBestPreview, KeptBest

router = APIRouter(prefix="/api/datasets", tags=["curation"])


@router.get(
    "/{dataset_id}/health",
    response_model=Health,
    summary="Quality histogram, flags, aspect buckets, resolutions, coverage",
)
def get_health(services: ServicesDep, dataset_id: str, caption_set_id: str | None = None) -> Health:
    weight = services.settings["image_processing"]["measured_quality_weight"]
    return dataset_health.dataset_health(services.db, dataset_id, caption_set_id, measured_weight=weight)


@router.get(
    "/{dataset_id}/duplicates",
    response_model=list[DuplicateGroup],
    summary="Groups of exact and near-duplicate images, best first",
)
def get_duplicates(
    services: ServicesDep,
    dataset_id: str,
    max_distance: int = Query(
        near_duplicates.DEFAULT_MAX_DISTANCE,
        ge=0,
        le=64,
        description="dHash bits that may differ (the colour grids must agree as well)",
    ),
) -> list[DuplicateGroup]:
    return near_duplicates.duplicate_groups(
        services.db, dataset_id, max_distance, services.settings.thumbnails_dir
    )


@router.post(
    "/{dataset_id}/duplicates/keep-best",
    response_model=KeptBest,
    summary="Keep the best file of a group, exclude the rest",
)
def post_keep_best(services: ServicesDep, dataset_id: str, request: KeepBestRequest) -> KeptBest:
    return near_duplicates.keep_best(services.db, dataset_id, request.file_ids, request.confirm_edited)


@router.post(
    "/{dataset_id}/duplicates/keep-best/preview",
    response_model=KeepBestPreview,
    summary="What keep-best would keep and exclude",
)
def post_keep_best_preview(
    services: ServicesDep, dataset_id: str, request: KeepBestRequest
) -> KeepBestPreview:
    return near_duplicates.keep_best_preview(services.db, dataset_id, request.file_ids)
