"""Seed tracked folders and files straight into the database (no images on disk, no scan) for tests.

ids = make_tracked_files(core.db, 3)                                   # sizes 1.0, 2.0, 3.0 MB
ids = make_tracked_files(db, 2, folder="/photos/b", quality=[0.5, 0.9],
                         imported_captions=["a cat", None], flags=[["blurry"], []])
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from app.db import Database
from app.models import TrackedFile, TrackedFolder, new_id


def make_tracked_files(
    db: Database,
    n: int,
    folder: str = "/data/photos",
    *,
    sizes_mb: Sequence[float] | float | None = None,
    quality: Sequence[float | None] | float | None = None,
    imported_captions: Sequence[str | None] | None = None,
    flags: Sequence[list[str]] | None = None,
    size: tuple[int, int] = (1024, 768),
    prefix: str = "img",
    exists: bool = True,
) -> list[str]:
    """Insert `n` TrackedFile rows in the folder at path `folder` (created if new); returns their ids in order.

    Defaults: file i (1-based) is `{prefix}_{i:04d}.jpg`, i MB big, quality 0.5 + i/100 (capped at 1).
    """
    ids = []
    with db.session() as session:
        tracked = session.scalar(select(TrackedFolder).where(TrackedFolder.path == folder))
        if tracked is None:
            tracked = TrackedFolder(
                id=new_id(), path=folder, name=folder.rstrip("/").rsplit("/", 1)[-1] or folder
            )
            session.add(tracked)
            session.flush()
        start = len(list(session.scalars(select(TrackedFile.id).where(TrackedFile.folder_id == tracked.id))))
        for i in range(n):
            number = start + i + 1
            filename = f"{prefix}_{number:04d}.jpg"
            path = f"{folder.rstrip('/')}/{filename}"
            caption = _pick(imported_captions, i, None)
            file = TrackedFile(
                id=new_id(),
                folder_id=tracked.id,
                filename=filename,
                file_path=path,
                relative_path=filename,
                file_hash=hashlib.sha256(path.encode()).hexdigest(),
                file_size_mb=float(_pick(sizes_mb, i, float(number))),
                size_bytes=int(float(_pick(sizes_mb, i, float(number))) * 1024 * 1024),
                file_type="jpg",
                mime_type="image/jpeg",
                width=size[0],
                height=size[1],
                aspect_ratio=size[0] / size[1],
                has_paired_caption=caption is not None,
                imported_caption=caption,
                imported_caption_path=path.rsplit(".", 1)[0] + ".txt" if caption is not None else None,
                file_exists=exists,
                thumbnail_key=hashlib.sha256(path.encode()).hexdigest()[:16],
                quality_score=_pick(quality, i, min(1.0, 0.5 + number / 100)),
                quality_flags=json.dumps(_pick(flags, i, [])),
            )
            session.add(file)
            ids.append(file.id)
        tracked.file_count = start + n
    return ids


def _pick(values: Any, index: int, default: Any) -> Any:
    """values[index] for a sequence, the value itself for a scalar, `default` for None."""
    if values is None:
        return default
    if isinstance(values, (list, tuple)):
        return values[index]
    return values
