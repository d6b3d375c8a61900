"""Which tracked files belong to a dataset: add (twice is a no-op), remove, exclude, reorder, list.

Import these through app.services.datasets.datasets (the public module); they live here to keep files small.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, cast

from sqlalchemy import CursorResult, Result, Select, and_, delete, func, select, update
from sqlalchemy.orm import Session

from app.db import Database
from app.errors import Invalid, NotFound
from app.fs_names import readable
from app.models import Caption, CaptionSet, Dataset, DatasetFile, TrackedFile, TrackedFolder, utcnow
from app.services.datasets.dataset_events import datasets_changed
from app.services.datasets.dataset_shapes import DatasetFileRow
from app.services.datasets.dataset_stats import refresh_dataset_and_sets
from app.services.rows import caption_state, iso, json_value
from app.services.thumbnails import thumbnail_url

# Stay well under every database's limit on bound parameters per statement.
_CHUNK = 500


def add_files(db: Database, dataset_id: str, file_ids: Iterable[str]) -> int:
    """Add tracked files at the end of the dataset's order; returns how many were new (members are skipped)."""
    wanted = list(dict.fromkeys(file_ids))
    with db.session() as session:
        require_dataset(session, dataset_id)
        known = _existing(session, TrackedFile.id, wanted)
        unknown = [file_id for file_id in wanted if file_id not in known]
        if unknown:
            raise NotFound(
                f"{len(unknown)} of {len(wanted)} files are not tracked (first: {unknown[0]}); "
                "rescan the folder or refresh the page"
            )
        added = _add_members(session, dataset_id, wanted)
        datasets_changed(session, dataset_id)
        return added


def add_folder(db: Database, dataset_id: str, folder_id: str) -> int:
    """Add every readable, present image of a tracked folder (by path); returns how many were new."""
    with db.session() as session:
        require_dataset(session, dataset_id)
        added = add_folder_members(session, dataset_id, folder_id)
        datasets_changed(session, dataset_id)
        return added


def add_folder_members(session: Session, dataset_id: str, folder_id: str) -> int:
    """Inside a transaction: add a tracked folder's readable, present images (by path); how many were new."""
    if session.get(TrackedFolder, folder_id) is None:
        raise NotFound(f"Folder {folder_id} is not tracked; add it on the Folders page first")
    file_ids = list(
        session.scalars(
            select(TrackedFile.id)
            .where(
                TrackedFile.folder_id == folder_id,
                TrackedFile.file_exists.is_(True),
                TrackedFile.scan_error.is_(None),
            )
            .order_by(func.coalesce(TrackedFile.relative_path, TrackedFile.filename))
        )
    )
    return _add_members(session, dataset_id, file_ids)


def remove_files(db: Database, dataset_id: str, file_ids: Iterable[str]) -> int:
    """Take files out of the dataset (their captions stay, hidden, until re-added); returns how many."""
    ids = list(dict.fromkeys(file_ids))
    with db.session() as session:
        require_dataset(session, dataset_id)
        removed = 0
        for chunk in _chunks(ids):
            result = session.execute(
                delete(DatasetFile).where(
                    DatasetFile.dataset_id == dataset_id, DatasetFile.file_id.in_(chunk)
                )
            )
            removed += _changed_rows(result)
        if removed:
            _touch(session, dataset_id)
            refresh_dataset_and_sets(session, dataset_id)
        datasets_changed(session, dataset_id)
        return removed


def set_excluded(db: Database, dataset_id: str, file_ids: Iterable[str], excluded: bool) -> int:
    """Mark members excluded from exports (or include them again); returns how many members matched."""
    ids = list(dict.fromkeys(file_ids))
    with db.session() as session:
        require_dataset(session, dataset_id)
        matched = 0
        for chunk in _chunks(ids):
            result = session.execute(
                update(DatasetFile)
                .where(DatasetFile.dataset_id == dataset_id, DatasetFile.file_id.in_(chunk))
                .values(excluded=bool(excluded))
            )
            matched += _changed_rows(result)
        if matched:
            _touch(session, dataset_id)
        datasets_changed(session, dataset_id)
        return matched


def reorder(db: Database, dataset_id: str, file_ids_in_new_order: Iterable[str]) -> None:
    """Put the given members first, in this order; members not listed follow in their previous order."""
    ordered = list(dict.fromkeys(file_ids_in_new_order))
    with db.session() as session:
        require_dataset(session, dataset_id)
        members = list(
            session.scalars(
                select(DatasetFile)
                .where(DatasetFile.dataset_id == dataset_id)
                .order_by(DatasetFile.order_index, DatasetFile.date_added, DatasetFile.id)
            )
        )
        by_file = {member.file_id: member for member in members}
        strangers = [file_id for file_id in ordered if file_id not in by_file]
        if strangers:
            raise Invalid(
                f"{len(strangers)} files are not in this dataset (first: {strangers[0]}); refresh and try again"
            )
        listed = set(ordered)
        sequence = [by_file[f] for f in ordered] + [m for m in members if m.file_id not in listed]
        for index, member in enumerate(sequence):
            member.order_index = index
        _touch(session, dataset_id)
        datasets_changed(session, dataset_id)


def list_dataset_files(
    db: Database, dataset_id: str, caption_set_id: str | None = None, *, limit: int | None = None
) -> list[DatasetFileRow]:
    """One row per member in order, with the file's facts and (given a caption set) its caption there.

    `limit`: only the first rows (a grid's first screen comes before the rest of a 100,000-image set)."""
    with db.session() as session:
        dataset = require_dataset(session, dataset_id)
        if caption_set_id is not None:
            _require_set_of(session, dataset, caption_set_id)
        # Core rows: the ORM's row processing cost ~10% of the load
        rows = session.connection().execute(_members_query(dataset_id, caption_set_id).limit(limit))
        return [_member_row(row) for row in rows]


def _require_set_of(session: Session, dataset: Dataset, caption_set_id: str) -> None:
    """Raise NotFound unless `caption_set_id` is a caption set of `dataset`."""
    caption_set = session.get(CaptionSet, caption_set_id)
    if caption_set is None or caption_set.dataset_id != dataset.id:
        raise NotFound(f'Caption set {caption_set_id} is not a caption set of dataset "{dataset.name}"')


def _members_query(dataset_id: str, caption_set_id: str | None) -> Select:
    """The members of a dataset in order, with their file facts and caption in `caption_set_id`."""
    return (
        select(
            TrackedFile.id,
            TrackedFile.filename,
            TrackedFile.file_path,
            TrackedFile.folder_id,
            TrackedFile.width,
            TrackedFile.height,
            TrackedFile.file_size_mb,
            TrackedFile.quality_score,
            TrackedFile.quality_flags,
            TrackedFile.thumbnail_key,
            TrackedFile.imported_caption,
            DatasetFile.date_added,
            DatasetFile.order_index,
            DatasetFile.excluded,
            Caption.id,
            Caption.caption_text,
            Caption.source,
            Caption.manually_edited,
            Caption.modified_date,
            TrackedFile.is_video,
            TrackedFile.duration_seconds,
            TrackedFile.fps,
            TrackedFile.frame_count,
            DatasetFile.crop_x,
            DatasetFile.crop_y,
            DatasetFile.crop_w,
            DatasetFile.crop_h,
        )
        .join(TrackedFile, TrackedFile.id == DatasetFile.file_id)
        .outerjoin(
            Caption,
            and_(Caption.file_id == DatasetFile.file_id, Caption.caption_set_id == caption_set_id),
        )
        .where(DatasetFile.dataset_id == dataset_id)
        .order_by(DatasetFile.order_index, DatasetFile.date_added, TrackedFile.filename)
    )


def require_dataset(session: Session, dataset_id: str) -> Dataset:
    """The dataset row, or NotFound with a message that says so."""
    dataset = session.get(Dataset, dataset_id)
    if dataset is None:
        raise NotFound(f"Dataset {dataset_id} does not exist (deleted in another tab?); reload the list")
    return dataset


def _member_row(row: Any) -> DatasetFileRow:
    (file_id, filename, path, folder_id, width, height, size, quality, flags, thumb_key, imported,
     added, order_index, excluded, caption_id, text, source, edited, modified, *extra) = row  # fmt: skip
    is_video, duration, fps, frames, *box = extra
    crop = None if None in box else dict(zip(("x", "y", "w", "h"), box, strict=True))
    return {
        "file_id": file_id,
        "filename": filename,
        "file_path": readable(path) or "",  # never empty: the column is NOT NULL
        "folder_id": folder_id,
        "width": width,
        "height": height,
        "file_size_mb": size,
        "date_added": iso(added),
        "order_index": order_index,
        "excluded": bool(excluded),
        "quality_score": quality,
        "quality_flags": json_value(flags, []),
        "thumbnail_url": thumbnail_url(file_id, thumb_key, crop),
        "crop": crop,
        "has_imported": bool(imported and imported.strip()),
        "caption_id": caption_id,
        "caption_text": text,
        "caption_state": caption_state(source, edited) if caption_id else "none",
        "caption_modified": iso(modified),
        "is_video": bool(is_video),
        "duration_seconds": duration,
        "fps": fps,
        "frame_count": frames,
        "video_url": f"/api/files/{file_id}/video" if is_video else None,
    }


def _add_members(session: Session, dataset_id: str, file_ids: list[str]) -> int:
    members = _existing(session, DatasetFile.file_id, file_ids, DatasetFile.dataset_id == dataset_id)
    new_ids = [file_id for file_id in file_ids if file_id not in members]
    if not new_ids:
        return 0
    last = session.scalar(
        select(func.max(DatasetFile.order_index)).where(DatasetFile.dataset_id == dataset_id)
    )
    start = -1 if last is None else last
    session.add_all(
        DatasetFile(dataset_id=dataset_id, file_id=file_id, order_index=start + offset)
        for offset, file_id in enumerate(new_ids, start=1)
    )
    _touch(session, dataset_id)
    refresh_dataset_and_sets(session, dataset_id)
    return len(new_ids)


def _existing(session: Session, column: Any, values: list[str], *where: Any) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(values):
        found.update(session.scalars(select(column).where(column.in_(chunk), *where)))
    return found


def _touch(session: Session, dataset_id: str) -> None:
    dataset = session.get(Dataset, dataset_id)
    if dataset is not None:
        dataset.modified_date = utcnow()  # onupdate fires only for the dataset's own columns


def _changed_rows(result: Result[Any]) -> int:
    """How many rows a DELETE or UPDATE touched (the session hands back a CursorResult for those)."""
    return cast(CursorResult[Any], result).rowcount or 0


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
