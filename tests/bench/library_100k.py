"""A 100,000-image library in about a minute: real files on disk, the first ones scanned, the rest generated.

What is real and what is generated (say so wherever a figure from it is quoted):
- Every one of the COUNT images is a real, distinct file on disk (a 64x48 JPEG with its index in a comment,
  ~700 bytes), so a rescan walks and stats all of them exactly as it would a photo folder.
- The first SCANNED files go through the real scan (hash, probe, thumbnail, metrics, dHash), so the
  generated rows are checked against what the scan itself writes: the rescan must call all COUNT unchanged.
- The other rows are generated: built by the scan's own row builder (scan_rows.row_fields) from each
  file's real size and mtime, with made-up metrics, and bulk-inserted. They share THUMBNAILS thumbnails.
- One dataset holds all COUNT images; its caption set has a tag-style caption on two of every three.
"""

from __future__ import annotations

import hashlib
import io
import os
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from sqlalchemy import insert

from app.core import Core
from app.models import TrackedFile, new_id, utcnow
from app.services.captions import caption_batches, caption_sets
from app.services.datasets import dataset_members, datasets
from app.services.folders import folders
from app.services.folders.scan_rows import row_fields
from app.services.folders.scanning import scan_folder
from tests.bench.synthetic_dataset import _write_thumbnails

COUNT = 100_000
SCANNED = 2_000
THUMBNAILS = 2_000
TAGS = ["woman", "man", "smile", "red dress", "hat", "outdoors", "portrait", "bokeh", "sunlight", "blue sky",
        "city", "beach", "night", "studio", "glasses", "long hair", "short hair", "forest", "snow", "ohwx"]  # fmt: skip


@dataclass
class Library:
    folder_id: str
    root: Path
    dataset_id: str
    caption_set_id: str
    file_ids: list[str]


def build_library(core: Core, root: Path, count: int = COUNT) -> Library:
    """The library described above, in `core`'s database; files under root (100 subfolders of 1,000)."""
    _write_files(root, 0, SCANNED)
    folder = folders.add_folder(core.db, str(root), recursive=True, max_depth=2)
    scanned = scan_folder(core.db, core.settings, folder["id"])
    assert scanned["new"] == SCANNED and scanned["broken"] == 0, scanned
    paths = _write_files(root, SCANNED, count)
    keys = _write_thumbnails(core.settings.thumbnails_dir, core.settings["thumbnails"]["size"], THUMBNAILS)
    _insert_generated_rows(core, folder["id"], str(root), paths, keys)
    with core.db.session() as session:
        file_ids = [
            row[0]
            for row in session.execute(
                TrackedFile.__table__.select()
                .with_only_columns(TrackedFile.id)
                .where(TrackedFile.folder_id == folder["id"])
                .order_by(TrackedFile.relative_path)
            )
        ]
    dataset = datasets.create_dataset(core.db, "Hundred thousand")
    dataset_members.add_files(core.db, dataset.id, file_ids)
    caption_set = caption_sets.create_caption_set(core.db, dataset.id, "Tags", "tags")
    rng = random.Random(3)
    updates = [
        {"file_id": file_id, "caption_text": ", ".join(rng.sample(TAGS, rng.randint(3, 9)))}
        for index, file_id in enumerate(file_ids)
        if index % 3
    ]
    caption_batches.save_captions_batch(core.db, caption_set.id, updates, source="generated")
    return Library(folder["id"], root, dataset.id, caption_set.id, file_ids)


def _write_files(root: Path, start: int, stop: int) -> list[str]:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 80, 40)).save(buffer, "JPEG")
    data = buffer.getvalue()
    paths = []
    for index in range(start, stop):
        folder = root / f"part{index // 1000:03d}"
        if index % 1000 == 0 or index == start:
            folder.mkdir(parents=True, exist_ok=True)
        comment = f"{index}".encode()
        path = str(folder / f"img_{index:06d}.jpg")
        with open(path, "wb") as out:
            out.write(data[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + data[2:])
        paths.append(path)
    return paths


def _insert_generated_rows(core: Core, folder_id: str, root: str, paths: list[str], keys: list[str]) -> None:
    now = utcnow()
    rows = []
    for index, path in enumerate(paths):
        info = os.stat(path)
        quality = ((index * 37) % 100) / 100
        flags = ["blurry"] if quality < 0.1 else []
        measured = {
            "file_hash": hashlib.sha256(path.encode()).hexdigest(),
            "file_type": "jpg",
            "mime_type": "image/jpeg",
            "width": 1024 + (index % 4) * 128,
            "height": 768,
            "aspect_ratio": 1.33,
            "thumbnail_key": keys[index % len(keys)],
            "phash": f"{index:016x}",
            "quality_score": quality,
            "quality_details": {
                "measured": {"sharpness": quality},
                "reasons": {"sharpness": "generated row"},
            },
            "quality_flags": flags,
            "scan_error": None,
        }
        fields = row_fields(measured, path, root, info.st_size, info.st_mtime_ns)
        fields["exists"] = fields.pop("file_exists")
        rows.append({"id": new_id(), "folder_id": folder_id, "date_added": now, **fields})
    with core.db.session() as session:
        for start in range(0, len(rows), 5000):
            session.execute(insert(TrackedFile.__table__), rows[start : start + 5000])
