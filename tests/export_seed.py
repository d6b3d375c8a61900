"""Seed a tracked folder, a dataset and a caption set straight through the ORM, for the export tests."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from app import models
from app.db import Database


@dataclass
class Seeded:
    folder_id: str
    dataset_id: str
    caption_set_id: str
    file_ids: list[str] = field(default_factory=list)


def seed_dataset(
    db: Database,
    images: list[Path],
    captions: list[str | None] | None = None,
    *,
    name: str = "Nova Chorus",
    trigger: str | None = "novachorus",
    quality: list[float | None] | None = None,
    flags: list[list[str]] | None = None,
    imported: list[str | None] | None = None,
    ensure_trigger: bool = False,
) -> Seeded:
    """One tracked folder (the images' parent), a dataset with every image in order, one caption set."""
    folder_path = images[0].parent if images else Path("/nonexistent")
    with db.session() as session:
        folder = models.TrackedFolder(path=str(folder_path), name=folder_path.name)
        dataset = models.Dataset(name=name, name_filesystem_safe=name.lower().replace(" ", "_"))
        session.add_all([folder, dataset])
        session.flush()
        caption_set = models.CaptionSet(
            dataset_id=dataset.id,
            name="Natural",
            style="natural",
            trigger_phrase=trigger,
            ensure_trigger=ensure_trigger,
        )
        session.add(caption_set)
        session.flush()
        seeded = Seeded(folder.id, dataset.id, caption_set.id)
        for index, path in enumerate(images):
            data = path.read_bytes()
            with Image.open(path) as image:
                width, height = image.size
            tracked = models.TrackedFile(
                folder_id=folder.id,
                filename=path.name,
                file_path=str(path),
                file_hash=hashlib.sha256(data).hexdigest(),
                file_size_mb=len(data) / 1e6,
                size_bytes=len(data),
                file_type=path.suffix.lstrip(".").lower(),
                width=width,
                height=height,
                quality_score=quality[index] if quality else None,
                quality_flags=json.dumps(flags[index]) if flags else None,
                imported_caption=imported[index] if imported else None,
            )
            session.add(tracked)
            session.flush()
            session.add(models.DatasetFile(dataset_id=dataset.id, file_id=tracked.id, order_index=index))
            text = captions[index] if captions else f"caption of {path.name}"
            if text is not None:
                session.add(
                    models.Caption(caption_set_id=caption_set.id, file_id=tracked.id, caption_text=text)
                )
            seeded.file_ids.append(tracked.id)
    return seeded
