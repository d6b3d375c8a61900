"""The database side of a scan: one-query loads of what is tracked, row fields, batched writes."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from typing import Any, cast

from sqlalchemy import Table, insert, select, update

from app.db import Database
from app.fs_names import readable
from app.models import TrackedFile, utcnow
from app.services.folders.paired_captions import read_caption


def existing_rows(db: Database, folder_id: str) -> dict[str, Any]:
    """Every row of the folder in one query (Core rows, no ORM objects): path -> (id, size, mtime, ...)."""
    columns = (
        TrackedFile.file_path,
        TrackedFile.id,
        TrackedFile.size_bytes,
        TrackedFile.mtime_ns,
        TrackedFile.file_exists.label("file_exists"),  # the column is named "exists"
        TrackedFile.file_hash,
        TrackedFile.imported_caption_path,
    )
    query = select(*columns).where(TrackedFile.folder_id == folder_id)
    with db.session() as session:
        return {row.file_path: row for row in session.connection().execute(query)}


def paths_of_other_folders(db: Database, folder_id: str, paths: list[str]) -> set[str]:
    """Of these new paths, the ones another tracked folder already tracks (nested folders, symlinks)."""
    taken: set[str] = set()
    with db.session() as session:
        for start in range(0, len(paths), 500):
            chunk = paths[start : start + 500]
            query = select(TrackedFile.file_path).where(
                TrackedFile.file_path.in_(chunk), TrackedFile.folder_id != folder_id
            )
            taken.update(session.scalars(query))
    return taken


def row_fields(result: dict, path: str, root: str, size: int, mtime: int) -> dict[str, Any]:
    """The columns of a processed file (defaults cleared first, so a file that broke loses its old metrics)."""
    details, flags = result.pop("quality_details", None), result.pop("quality_flags", None)
    return {
        "filename": readable(os.path.basename(path)),
        "file_path": path,
        "relative_path": os.path.relpath(path, root),
        "file_size_mb": round(size / 1_048_576, 3),
        "size_bytes": size,
        "mtime_ns": mtime,
        "file_modified": datetime.fromtimestamp(mtime / 1e9, timezone.utc).replace(tzinfo=None),
        "file_exists": True,
        "last_verified": utcnow(),
        "width": None,
        "height": None,
        "aspect_ratio": None,
        "thumbnail_key": None,
        "phash": None,
        "quality_score": None,
        "is_video": False,
        "duration_seconds": None,
        "fps": None,
        "frame_count": None,
        "video_codec": None,
        "has_audio": None,
        "quality_details": json.dumps(details) if details is not None else None,
        "quality_flags": json.dumps(flags) if flags is not None else None,
        **result,
    }


def caption_fields(caption: str | None) -> dict[str, Any]:
    """The imported-caption columns for the caption file beside an image (None: it has none)."""
    text, error = None, None
    if caption:
        try:
            text = read_caption(caption)
        except OSError as exc:
            error = str(exc)
    return {
        "has_paired_caption": text is not None,
        "imported_caption": text,
        "imported_caption_path": caption if error is None else None,
    }


def write_rows(db: Database, inserts: list[dict], updates: list[dict]) -> None:
    """Batched writes: one executemany insert and one bulk update by primary key."""
    if not inserts and not updates:
        return
    with db.session() as session:
        if inserts:
            session.execute(insert(cast(Table, TrackedFile.__table__)), [_columns(row) for row in inserts])
        if updates:
            session.execute(update(TrackedFile), updates)


def _columns(row: dict[str, Any]) -> dict[str, Any]:
    # The ORM attribute `file_exists` maps the table's column `exists`.
    return {("exists" if key == "file_exists" else key): value for key, value in row.items()}
