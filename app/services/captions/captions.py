"""Captions in caption sets: save (with a revision on every change), get, list, delete, history, revert.

Caption sets live in caption_sets, edits of many captions in caption_batches. Semantics of the flags:
- source is where the text came from: "imported" (a paired .txt), "generated" (a vision model) or
  "manual" (a person typed it into an empty slot); a later manual edit keeps the source.
- auto_generated: a vision model wrote it; manually_edited: a person wrote or changed it since.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import Database
from app.errors import Invalid, NotFound
from app.fs_names import readable
from app.models import Caption, CaptionRevision, DatasetFile, TrackedFile
from app.services.captions import caption_events, caption_shapes
from app.services.captions.caption_sets import require_caption_set
from app.services.captions.caption_writer import caption_dict, remove_caption, write_caption
from app.services.datasets.dataset_stats import refresh_caption_set_stats
from app.services.folders.folders import video_fields
from app.services.rows import json_value
from app.services.thumbnails import thumbnail_url


def save_caption(db: Database, caption_set_id: str, file_id: str, text: str, **change: Any) -> dict[str, Any]:
    """Create or change the caption of a file in a set, in one transaction; returns the caption dict.

    `change` takes caption_writer.write_caption's keywords: source ("manual" | "generated" | "imported"),
    expected_modified, quality_score, quality_details, vision_model, batch_id, batch_label, change_type.
    Raises Invalid past the set's max_length or for an empty text, Conflict when `expected_modified`
    is older than the stored modified_date (another tab saved in between), NotFound for unknown ids.
    """
    for attempt in range(3):  # a parallel first save of the same file won the unique row: save over it
        try:
            with db.session() as session:
                caption_set = require_caption_set(session, caption_set_id)
                caption = write_caption(session, caption_set, file_id, text, **change)
                refresh_caption_set_stats(session, caption_set.id)
                caption_events.caption_saved(session, caption)
                result = caption_dict(caption)
            return result
        except IntegrityError:
            if attempt == 2:
                raise  # the API answers 409: try again
    raise AssertionError("unreachable")


def get_caption(db: Database, caption_set_id: str, file_id: str) -> dict[str, Any]:
    """The caption of a file in a set (None when there is none) with the imported reference and file facts."""
    with db.session() as session:
        caption_set = require_caption_set(session, caption_set_id)
        file = session.get(TrackedFile, file_id)
        if file is None:
            raise NotFound(f"File {file_id} is not tracked (its folder was removed?)")
        caption = session.scalar(
            select(Caption).where(Caption.caption_set_id == caption_set_id, Caption.file_id == file_id)
        )
        member = session.scalar(
            select(DatasetFile.excluded).where(
                DatasetFile.dataset_id == caption_set.dataset_id, DatasetFile.file_id == file_id
            )
        )
        return {
            "caption": caption_dict(caption) if caption else None,
            "imported_caption": file.imported_caption,
            "imported_caption_path": readable(file.imported_caption_path),
            "caption_set": {
                "id": caption_set.id,
                "dataset_id": caption_set.dataset_id,
                "name": caption_set.name,
                "style": caption_set.style,
                "max_length": caption_set.max_length,
                "trigger_phrase": caption_set.trigger_phrase,
            },
            "file": {
                "id": file.id,
                "filename": file.filename,
                "file_path": readable(file.file_path),
                "width": file.width,
                "height": file.height,
                "file_size_mb": file.file_size_mb,
                "quality_score": file.quality_score,
                "quality_details": json_value(file.quality_details, {}),
                "quality_flags": json_value(file.quality_flags, []),
                "thumbnail_url": thumbnail_url(file.id, file.thumbnail_key),
                "image_url": f"/api/files/{file.id}/image",
                "in_dataset": member is not None,
                "excluded": bool(member),
                **video_fields(file),
            },
        }


def get_caption_by_id(db: Database, caption_id: str) -> caption_shapes.Caption:
    """One caption by its id."""
    with db.session() as session:
        return caption_shape(_require_caption(session, caption_id))


def list_captions(db: Database, caption_set_id: str) -> list[caption_shapes.Caption]:
    """Every caption of the set, in the dataset's order (captions of removed files last)."""
    with db.session() as session:
        caption_set = require_caption_set(session, caption_set_id)
        rows = session.scalars(
            select(Caption)
            .outerjoin(
                DatasetFile,
                (DatasetFile.file_id == Caption.file_id) & (DatasetFile.dataset_id == caption_set.dataset_id),
            )
            .where(Caption.caption_set_id == caption_set_id)
            .order_by(DatasetFile.order_index.is_(None), DatasetFile.order_index, Caption.created_date)
        )
        return [caption_shape(caption) for caption in rows]


def update_caption(
    db: Database, caption_id: str, text: str, *, expected_modified: str | None = None
) -> dict[str, Any]:
    """A person's edit of an existing caption by id (PUT /api/captions/{id})."""
    with db.session() as session:
        caption = _require_caption(session, caption_id)
        caption_set_id, file_id = caption.caption_set_id, caption.file_id
    return save_caption(db, caption_set_id, file_id, text, expected_modified=expected_modified)


def delete_caption(db: Database, caption_id: str) -> caption_shapes.Caption:
    """Delete a caption; its history stays (a "delete" revision keeps the text). Returns the deleted caption."""
    with db.session() as session:
        caption = _require_caption(session, caption_id)
        deleted = caption_shape(caption)
        remove_caption(session, caption)
        refresh_caption_set_stats(session, caption.caption_set_id)
        caption_events.caption_deleted(session, caption.caption_set_id, caption.file_id)
        return deleted


def list_revisions(db: Database, caption_id: str) -> list[caption_shapes.CaptionRevision]:
    """The history of this file's caption in the set (deleted captions included), newest first.

    Reverting to a revision restores its new_text: the version of the caption that change produced.
    """
    with db.session() as session:
        caption = _require_caption(session, caption_id)
        revisions = session.scalars(
            select(CaptionRevision)
            .where(
                CaptionRevision.caption_set_id == caption.caption_set_id,
                CaptionRevision.file_id == caption.file_id,
            )
            .order_by(CaptionRevision.created_date.desc(), CaptionRevision.id)
        )
        return [revision_shape(revision) for revision in revisions]


def revert_caption(db: Database, caption_id: str, revision_id: str) -> caption_shapes.Caption:
    """Restore the text a revision produced (a new "revert" revision records it); returns the caption."""
    with db.session() as session:
        caption = _require_caption(session, caption_id)
        revision = session.get(CaptionRevision, revision_id)
        if revision is None or (revision.caption_set_id, revision.file_id) != (
            caption.caption_set_id,
            caption.file_id,
        ):
            raise NotFound(f"Revision {revision_id} is not in the history of caption {caption_id}")
        text = revision.new_text if revision.new_text is not None else revision.previous_text
        if not text:
            raise Invalid("That revision holds no text to restore; pick another one")
        caption_set = require_caption_set(session, caption.caption_set_id)
        write_caption(session, caption_set, caption.file_id, text, source="manual", change_type="revert")
        refresh_caption_set_stats(session, caption_set.id)
        caption_events.caption_saved(session, caption)
        return caption_shape(caption)


def caption_shape(caption: Caption) -> caption_shapes.Caption:
    """The typed public shape of a caption row."""
    return caption_shapes.Caption.model_validate(caption_dict(caption))


def caption_changed_payload(
    caption: dict[str, Any] | None, caption_set_id: str, file_id: str
) -> dict[str, Any]:
    """The caption_changed payload for a saved (or, with None, deleted) caption; caption jobs' events use it."""
    return dict(caption_events.payload_of(caption, caption_set_id, file_id))


def revision_shape(revision: CaptionRevision) -> caption_shapes.CaptionRevision:
    """The public shape of a caption revision."""
    return caption_shapes.CaptionRevision(
        id=revision.id,
        caption_id=revision.caption_id,
        caption_set_id=revision.caption_set_id,
        file_id=revision.file_id,
        previous_text=revision.previous_text,
        new_text=revision.new_text,
        change_type=revision.change_type,
        batch_id=revision.batch_id,
        batch_label=revision.batch_label,
        created_date=revision.created_date.isoformat(),
    )


def _require_caption(session: Session, caption_id: str) -> Caption:
    caption = session.get(Caption, caption_id)
    if caption is None:
        raise NotFound(f"Caption {caption_id} does not exist (deleted in another tab?); reload the image")
    return caption
