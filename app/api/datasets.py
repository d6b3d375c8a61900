"""/api/datasets: create, list, edit and delete datasets; their members, order, exclusions and stats."""

from __future__ import annotations

from fastapi import APIRouter, Query, status

from app.api.schemas.dataset_schemas import (
    CountOut,
    DatasetCreate,
    DatasetUpdate,
    ExcludeRequest,
    FileIds,
    FromFolderRequest,
)
from app.container import ServicesDep
from app.services.datasets import dataset_members, datasets
from app.services.datasets.dataset_shapes import Dataset, DatasetFileRow, DatasetStats, DeletionSummary

router = APIRouter(prefix="/api/datasets", tags=["datasets"])


@router.post("", response_model=Dataset, status_code=status.HTTP_201_CREATED, summary="Create a dataset")
def create_dataset(services: ServicesDep, body: DatasetCreate) -> Dataset:
    """409 when a dataset of that name exists; the slug gets "-2", "-3"... when only slugs clash."""
    return datasets.create_dataset(services.db, **body.model_dump())


@router.get("", response_model=list[Dataset], summary="List datasets, optionally searched by name/tag")
def list_datasets(
    services: ServicesDep,
    search: str | None = Query(None, max_length=500, description="Substring of name, tag or category"),
) -> list[Dataset]:
    return datasets.list_datasets(services.db, search)


@router.post(
    "/from-folder",
    response_model=Dataset,
    status_code=status.HTTP_201_CREATED,
    summary="Create a dataset holding every readable image of a tracked folder",
)
def create_from_folder(services: ServicesDep, body: FromFolderRequest) -> Dataset:
    return datasets.create_dataset_from_folder(services.db, body.folder_id, body.name)


@router.get("/{dataset_id}", response_model=Dataset, summary="One dataset with its caption sets")
def get_dataset(services: ServicesDep, dataset_id: str) -> Dataset:
    return datasets.get_dataset(services.db, dataset_id)


@router.put("/{dataset_id}", response_model=Dataset, summary="Change the fields sent")
def update_dataset(services: ServicesDep, dataset_id: str, body: DatasetUpdate) -> Dataset:
    return datasets.update_dataset(services.db, dataset_id, **body.model_dump(exclude_unset=True))


@router.get(
    "/{dataset_id}/deletion-summary",
    response_model=DeletionSummary,
    summary="What deleting the dataset would take with it (nothing is deleted)",
)
def deletion_summary(services: ServicesDep, dataset_id: str) -> DeletionSummary:
    return datasets.deletion_summary(services.db, dataset_id)


@router.delete(
    "/{dataset_id}",
    response_model=DeletionSummary,
    summary="Delete a dataset with its caption sets and captions; tracked files and disk files stay",
)
def delete_dataset(services: ServicesDep, dataset_id: str) -> DeletionSummary:
    return datasets.delete_dataset(services.db, dataset_id)


@router.get("/{dataset_id}/files", response_model=list[DatasetFileRow], summary="Members in order")
def list_files(
    services: ServicesDep,
    dataset_id: str,
    caption_set_id: str | None = Query(None, description="Include each file's caption in this set"),
) -> list[DatasetFileRow]:
    return dataset_members.list_dataset_files(services.db, dataset_id, caption_set_id)


@router.post(
    "/{dataset_id}/files", response_model=CountOut, summary="Add files (members already in are skipped)"
)
def add_files(services: ServicesDep, dataset_id: str, body: FileIds) -> CountOut:
    return CountOut(count=dataset_members.add_files(services.db, dataset_id, body.file_ids))


@router.post(
    "/{dataset_id}/folders/{folder_id}", response_model=CountOut, summary="Add a whole tracked folder"
)
def add_folder(services: ServicesDep, dataset_id: str, folder_id: str) -> CountOut:
    return CountOut(count=dataset_members.add_folder(services.db, dataset_id, folder_id))


@router.delete(
    "/{dataset_id}/files/{file_id}", response_model=CountOut, summary="Remove one file from the dataset"
)
def remove_file(services: ServicesDep, dataset_id: str, file_id: str) -> CountOut:
    return CountOut(count=dataset_members.remove_files(services.db, dataset_id, [file_id]))


@router.post("/{dataset_id}/files/remove", response_model=CountOut, summary="Remove several files")
def remove_files(services: ServicesDep, dataset_id: str, body: FileIds) -> CountOut:
    return CountOut(count=dataset_members.remove_files(services.db, dataset_id, body.file_ids))


@router.post(
    "/{dataset_id}/files/exclude",
    response_model=CountOut,
    summary="Exclude files from exports, or include them again",
)
def set_excluded(services: ServicesDep, dataset_id: str, body: ExcludeRequest) -> CountOut:
    return CountOut(count=dataset_members.set_excluded(services.db, dataset_id, body.file_ids, body.excluded))


@router.put(
    "/{dataset_id}/files/order",
    response_model=CountOut,
    summary="Reorder: the files sent come first in that order, the rest follow as they were",
)
def reorder(services: ServicesDep, dataset_id: str, body: FileIds) -> CountOut:
    dataset_members.reorder(services.db, dataset_id, body.file_ids)
    return CountOut(count=len(body.file_ids))


@router.get(
    "/{dataset_id}/stats", response_model=DatasetStats, summary="Counts, size, quality flags, coverage"
)
def stats(services: ServicesDep, dataset_id: str) -> DatasetStats:
    return datasets.dataset_statistics(services.db, dataset_id)
