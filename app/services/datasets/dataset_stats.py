"""Cached statistics of datasets and caption sets, recomputed from the rows after every change.

Recomputing with one aggregate query per dataset or set keeps the cached columns exactly right (no drift
from incremental +1/-1 bookkeeping) and costs a few milliseconds on indexed columns.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import Caption, CaptionSet, Dataset, DatasetFile, TrackedFile


def refresh_dataset_stats(session: Session, dataset_id: str) -> None:
    """Recompute file_count, total_size_mb and avg_quality_score (mean measured image quality of members)."""
    count, size, quality = session.execute(
        select(
            func.count(DatasetFile.id),
            func.coalesce(func.sum(TrackedFile.file_size_mb), 0.0),
            func.avg(TrackedFile.quality_score),
        )
        .join(TrackedFile, TrackedFile.id == DatasetFile.file_id)
        .where(DatasetFile.dataset_id == dataset_id)
    ).one()
    dataset = session.get(Dataset, dataset_id)
    if dataset is not None:
        dataset.file_count = int(count)
        dataset.total_size_mb = round(float(size), 4)
        dataset.avg_quality_score = None if quality is None else round(float(quality), 4)


def refresh_caption_set_stats(session: Session, caption_set_id: str) -> None:
    """Recompute caption_count, avg_quality_score, auto_generated_count and manually_edited_count.

    Only captions of files that are still members of the dataset count: removing a file from a dataset
    keeps its captions (adding it back restores them), and while it is out they do not count as "captioned".
    """
    caption_set = session.get(CaptionSet, caption_set_id)
    if caption_set is None:
        return
    count, quality, generated, edited = session.execute(
        select(
            func.count(Caption.id),
            func.avg(Caption.quality_score),
            func.count(Caption.id).filter(Caption.auto_generated.is_(True)),
            func.count(Caption.id).filter(Caption.manually_edited.is_(True)),
        )
        .join(
            DatasetFile,
            (DatasetFile.file_id == Caption.file_id) & (DatasetFile.dataset_id == caption_set.dataset_id),
        )
        .where(Caption.caption_set_id == caption_set_id)
    ).one()
    caption_set.caption_count = int(count)
    caption_set.avg_quality_score = None if quality is None else round(float(quality), 4)
    caption_set.auto_generated_count = int(generated)
    caption_set.manually_edited_count = int(edited)


def refresh_dataset_and_sets(session: Session, dataset_id: str) -> None:
    """Refresh a dataset and every caption set of it (membership changes move both)."""
    session.flush()
    refresh_dataset_stats(session, dataset_id)
    for set_id in session.scalars(select(CaptionSet.id).where(CaptionSet.dataset_id == dataset_id)):
        refresh_caption_set_stats(session, set_id)


def refresh_statistics(db: Database, dataset_ids: Iterable[str] | None = None) -> int:
    """Recompute the cached statistics of the given datasets (all when None); returns how many.

    For callers that delete tracked files or folders (the cascade removes memberships and captions
    behind the datasets' back): call this afterwards.
    """
    with db.session() as session:
        ids = list(dataset_ids) if dataset_ids is not None else list(session.scalars(select(Dataset.id)))
        for dataset_id in ids:
            refresh_dataset_and_sets(session, dataset_id)
    return len(ids)
