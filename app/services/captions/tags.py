"""Tag vocabulary of a caption set, and renaming or deleting a tag everywhere in the set.

A tag is a comma-separated part of a caption (trimmed, compared without case). Rename and delete are
batch edits: previewed first, applied as one undoable batch (see batch_edits).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from app.db import Database
from app.models import Caption
from app.services.captions.batch_edits import PREVIEW_LIMIT, apply_batch, preview_batch
from app.services.captions.caption_shapes import BatchApplied, BatchPreview, TagCount


def tag_vocabulary(db: Database, caption_set_id: str, limit: int | None = None) -> list[TagCount]:
    """Every tag in the set with the number of captions that have it, most frequent first."""
    with db.session() as session:
        texts = list(
            session.scalars(select(Caption.caption_text).where(Caption.caption_set_id == caption_set_id))
        )
    return count_tags(texts)[:limit] if limit else count_tags(texts)


def count_tags(texts: Iterable[str | None]) -> list[TagCount]:
    """The tags of caption texts with their counts: each caption counts a tag once; ties sort by name.

    Spellings that differ only in case are one tag, shown in its most common spelling.
    """
    counts: Counter[str] = Counter()
    variants: dict[str, Counter[str]] = {}  # only spellings that are not all lower case
    for text in texts:
        if not text:
            continue
        keys: dict[str, str] = {}
        for part in text.split(","):
            tag = part.strip()
            if tag:
                keys.setdefault(tag.lower(), tag)
        counts.update(keys.keys())
        for key, tag in keys.items():
            if tag != key:
                variants.setdefault(key, Counter())[tag] += 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [TagCount(tag=_spelling(key, count, variants.get(key)), count=count) for key, count in ranked]


def _spelling(key: str, count: int, variants: Counter[str] | None) -> str:
    """The most common spelling of a tag (its lower-case form unless another is more frequent)."""
    if not variants:
        return key
    spelled, uses = variants.most_common(1)[0]
    return spelled if uses > count - sum(variants.values()) else key


def suggest_tags(
    vocabulary: list[TagCount], typed: str, exclude: Iterable[str] = (), limit: int = 10
) -> list[str]:
    """Autocomplete: vocabulary tags containing `typed` (prefix matches first), by frequency, minus `exclude`."""
    needle = typed.strip().lower()
    skip = {tag.lower() for tag in exclude}
    matches = [item.tag for item in vocabulary if needle in item.tag.lower() and item.tag.lower() not in skip]
    prefix = [tag for tag in matches if tag.lower().startswith(needle)]
    return (prefix + [tag for tag in matches if not tag.lower().startswith(needle)])[:limit]


def preview_rename_tag(
    db: Database, caption_set_id: str, tag: str, new: str, limit: int = PREVIEW_LIMIT
) -> BatchPreview:
    """Preview renaming `tag` to `new` in the whole set (an empty `new` deletes it); see preview_batch."""
    return preview_batch(db, caption_set_id, _rename(tag, new), limit=limit)


def rename_tag(db: Database, caption_set_id: str, tag: str, new: str) -> BatchApplied:
    """Rename (or with an empty `new`, delete) a tag in every caption of the set, as one undoable batch."""
    return apply_batch(db, caption_set_id, _rename(tag, new))


def preview_delete_tag(
    db: Database, caption_set_id: str, tag: str, limit: int = PREVIEW_LIMIT
) -> BatchPreview:
    """Preview deleting `tag` from every caption of the set."""
    return preview_rename_tag(db, caption_set_id, tag, "", limit)


def delete_tag(db: Database, caption_set_id: str, tag: str) -> BatchApplied:
    """Delete a tag from every caption of the set, as one undoable batch."""
    return rename_tag(db, caption_set_id, tag, "")


def _rename(tag: str, new: str) -> dict[str, Any]:
    return {"op": "rename_tag", "tag": tag, "new": new}
