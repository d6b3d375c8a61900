"""A dataset of N synthetic images in seconds: tracked-file rows plus tiny thumbnails, no scan needed.

The thumbnails are written straight into <data-dir>/thumbnails under the keys the rows carry, so the
thumbnail route serves them; the "source" files themselves do not exist (nothing reads them here).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image
from sqlalchemy import insert

from app.db import Database
from app.models import TrackedFile, TrackedFolder, new_id
from app.services.captions import caption_batches, caption_sets
from app.services.datasets import dataset_members, datasets
from app.services.thumbnails import thumbnail_key, thumbnail_path

PALETTE = 24  # distinct thumbnails by default; files share them round-robin


@dataclass
class SyntheticDataset:
    dataset_id: str
    caption_set_id: str
    file_ids: list[str]
    filenames: list[str]


def seed_dataset(
    db: Database,
    data_dir: Path,
    count: int,
    *,
    name: str = "Synthetic",
    captioned_every: int = 3,
    max_length: int | None = None,
    trigger_phrase: str | None = None,
    thumbnail_size: int = 256,
    distinct_thumbnails: int = PALETTE,
) -> SyntheticDataset:
    """Create a folder row, `count` file rows with thumbnails, a dataset holding them and one caption set.

    `distinct_thumbnails` different thumbnail files are shared round-robin (the benchmark uses one per file).
    """
    keys = _write_thumbnails(data_dir / "thumbnails", thumbnail_size, distinct_thumbnails)
    folder_id = new_id()
    start = datetime(2024, 1, 1)
    files = []
    for index in range(count):
        digest = hashlib.sha256(f"{name}-{index}".encode()).hexdigest()
        quality = ((index * 37) % 100) / 100
        files.append(
            {
                "id": new_id(),
                "folder_id": folder_id,
                "filename": f"img_{index:05d}.jpg",
                "file_path": f"/synthetic/{name}/img_{index:05d}.jpg",
                "relative_path": f"img_{index:05d}.jpg",
                "file_hash": digest,
                "file_size_mb": round(0.2 + (index % 50) / 10, 2),
                "file_type": "jpg",
                "mime_type": "image/jpeg",
                "width": 1024 + (index % 4) * 128,
                "height": 768,
                "aspect_ratio": 1.33,
                "date_added": start + timedelta(minutes=index),
                "has_paired_caption": index % 5 == 0,
                "imported_caption": f"imported caption number {index}" if index % 5 == 0 else None,
                "thumbnail_key": keys[index % len(keys)],
                "quality_score": quality,
                "quality_details": json.dumps(
                    {"measured": {"sharpness": quality}, "reasons": {"sharpness": "synthetic test image"}}
                ),
                "quality_flags": json.dumps(["blurry"] if quality < 0.1 else []),
            }
        )
    with db.session() as session:
        session.add(TrackedFolder(id=folder_id, path=f"/synthetic/{name}", name=name, file_count=count))
        session.flush()
        session.execute(insert(TrackedFile), files)
    dataset = datasets.create_dataset(db, name)
    file_ids = [f["id"] for f in files]
    dataset_members.add_files(db, dataset.id, file_ids)
    caption_set = caption_sets.create_caption_set(
        db, dataset.id, "Natural", "natural_simple", max_length=max_length, trigger_phrase=trigger_phrase
    )
    updates = [
        {"file_id": file_id, "caption_text": f"a synthetic photo number {index}"}
        for index, file_id in enumerate(file_ids)
        if captioned_every and index % captioned_every == 0
    ]
    if updates:
        caption_batches.save_captions_batch(db, caption_set.id, updates, source="generated")
    return SyntheticDataset(dataset.id, caption_set.id, file_ids, [f["filename"] for f in files])


def _write_thumbnails(thumbnails_dir: Path, size: int, count: int) -> list[str]:
    keys = []
    for index in range(count):
        key = thumbnail_key(hashlib.sha256(f"colour-{index}".encode()).hexdigest(), size)
        path = thumbnail_path(thumbnails_dir, key)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            hue = (index * 255 // count, 180, 200)
            image = Image.new("HSV", (64, 48), hue).convert("RGB")
            buffer = io.BytesIO()
            image.save(buffer, "WEBP", quality=60)
            path.write_bytes(buffer.getvalue())
        keys.append(key)
    return keys
