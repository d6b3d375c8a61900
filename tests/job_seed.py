"""Seed tracked images, a dataset and a caption set for the caption-job tests (services, plus ORM rows for
tracked files so these tests do not depend on scanning)."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from app import models
from app.db import Database
from app.services.captions import caption_sets, captions
from app.services.datasets import datasets
from app.services.datasets.dataset_members import add_files


@dataclass
class Seeded:
    dataset_id: str
    caption_set_id: str
    file_ids: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)


def write_images(folder: Path, count: int, size: tuple[int, int] = (96, 64)) -> list[Path]:
    """`count` small distinct-named JPEGs (copies of one image: decoding cost stays tiny)."""
    folder.mkdir(parents=True, exist_ok=True)
    first = folder / "img_00000.jpg"
    Image.new("RGB", size, (180, 60, 40)).save(first, quality=85)
    paths = [first]
    for index in range(1, count):
        target = folder / f"img_{index:05d}.jpg"
        shutil.copyfile(first, target)
        paths.append(target)
    return paths


def seed_caption_set(
    db: Database, paths: list[Path], *, name: str = "Job set", max_length: int | None = None
) -> Seeded:
    """Track `paths`, put them in a new dataset in order and create an empty caption set."""
    folder = paths[0].parent
    with db.session() as session:
        tracked_folder = models.TrackedFolder(path=str(folder), name=folder.name)
        session.add(tracked_folder)
        session.flush()
        file_ids = []
        for path in paths:
            data = path.read_bytes()
            tracked = models.TrackedFile(
                folder_id=tracked_folder.id,
                filename=path.name,
                file_path=str(path),
                file_hash=hashlib.sha256(data + path.name.encode()).hexdigest(),
                file_size_mb=len(data) / 1e6,
                size_bytes=len(data),
                file_type="jpg",
                width=96,
                height=64,
            )
            session.add(tracked)
            session.flush()
            file_ids.append(tracked.id)
    dataset = datasets.create_dataset(db, name)
    add_files(db, dataset.id, file_ids)
    caption_set = caption_sets.create_caption_set(
        db, dataset.id, "Natural", "natural_detailed", max_length=max_length
    )
    return Seeded(dataset.id, caption_set.id, file_ids, list(paths))


def captions_of(db: Database, caption_set_id: str) -> dict[str, dict]:
    """file_id -> caption dict of every caption in the set."""
    return {c.file_id: c.model_dump() for c in captions.list_captions(db, caption_set_id)}


def revision_count(db: Database, caption_set_id: str, change_type: str = "generated") -> dict[str, int]:
    """file_id -> number of revisions of `change_type` (a file captioned twice would show 2)."""
    from sqlalchemy import func, select

    with db.session() as session:
        rows = session.execute(
            select(models.CaptionRevision.file_id, func.count())
            .where(
                models.CaptionRevision.caption_set_id == caption_set_id,
                models.CaptionRevision.change_type == change_type,
            )
            .group_by(models.CaptionRevision.file_id)
        ).all()
    return dict(rows)


def seed_data_dir(data_dir: Path, images: Path, count: int, name: str = "Job set") -> Seeded:
    """Seed a data dir before a server starts on it (the e2e tests): `count` images in `images`."""
    from app.config import load_settings
    from app.core import build_core

    core = build_core(load_settings(data_dir))
    try:
        return seed_caption_set(core.db, write_images(images, count), name=name)
    finally:
        core.db.dispose()
