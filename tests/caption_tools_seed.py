"""Seed a dataset with a tags caption set for the caption-tools tests (services only, no images on disk)."""

from __future__ import annotations

from typing import Any

from app.db import Database
from app.services.captions import caption_sets, captions
from app.services.datasets import dataset_members, datasets
from tests.factories import make_tracked_files

CAPTIONS = [
    "ohwx, woman, smile, red dress",
    "ohwx, woman, hat, Smile",
    "woman, hat, outdoors",
    None,  # uncaptioned
    "ohwx, man, smile",
]


def seed_caption_set(
    db: Database, texts: list[str | None] = CAPTIONS, max_length: int | None = 40
) -> dict[str, Any]:
    """A dataset "Portraits" with one file per text and a caption set "Tags" (trigger "ohwx") holding them.

    Returns {id (the caption set), dataset_id, file_ids}.
    """
    ids = make_tracked_files(db, len(texts))
    dataset = datasets.create_dataset(db, "Portraits")
    dataset_members.add_files(db, dataset.id, ids)
    made = caption_sets.create_caption_set(
        db,
        dataset.id,
        "Tags",
        "tags",
        trigger_phrase="ohwx",
        max_length=max_length,
        ensure_trigger=False,  # one caption lacks the trigger on purpose: the batch tools must cope with it
    )
    for file_id, text in zip(ids, texts, strict=True):
        if text:
            captions.save_caption(db, made.id, file_id, text, source="generated")
    return {"id": made.id, "dataset_id": dataset.id, "file_ids": ids}
