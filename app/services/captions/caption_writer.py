"""The one place a caption row changes: validation, source flags, conflict check and the revision row."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import Conflict, Invalid, NotFound
from app.models import Caption, CaptionRevision, CaptionSet, DatasetFile, TrackedFile, new_id, utcnow
from app.services.captions.postprocess import ensure_trigger
from app.services.rows import caption_state, iso, json_value, parse_iso

SOURCES = ("manual", "generated", "imported")
CHANGE_TYPES = ("manual", "generated", "batch", "import", "revert", "delete")
_DEFAULT_CHANGE = {"manual": "manual", "generated": "generated", "imported": "import"}


def write_caption(
    session: Session,
    caption_set: CaptionSet,
    file_id: str,
    text: str,
    *,
    source: str = "manual",
    expected_modified: str | None = None,
    quality_score: float | None = None,
    quality_details: dict[str, Any] | str | None = None,
    vision_model: str | None = None,
    batch_id: str | None = None,
    batch_label: str | None = None,
    change_type: str | None = None,
    file: TrackedFile | None = None,
    flush: bool = True,
) -> Caption:
    """Create or update the caption of `file_id` in `caption_set` and record a revision if the text changed."""
    clean = _clean_text(caption_set, text, source, change_type)
    file = file or _require_member_file(session, caption_set, file_id)
    caption = session.scalar(
        select(Caption).where(Caption.caption_set_id == caption_set.id, Caption.file_id == file_id)
    )
    _check_not_stale(caption, expected_modified, file.filename)
    previous = caption.caption_text if caption is not None else None
    if caption is not None and clean == previous and source == "manual":
        return caption  # saving unchanged text is not a change
    caption, now = _caption_row(session, caption, caption_set.id, file_id, clean)
    was_edited = None if previous is None else bool(caption.manually_edited)
    caption.caption_text = clean
    caption.modified_date = now
    _apply_source(caption, source, previous is None, file, now, vision_model)
    _apply_quality(caption, quality_score, quality_details)
    if clean != previous:
        session.add(
            CaptionRevision(
                caption_id=caption.id, caption_set_id=caption_set.id, file_id=file_id, previous_text=previous,
                new_text=clean, previous_edited=was_edited,
                change_type=change_type or ("batch" if batch_id else _DEFAULT_CHANGE[source]),
                batch_id=batch_id, batch_label=batch_label, created_date=now,
            )
        )  # fmt: skip
    if flush:  # a batch flushes once at its end
        session.flush()
    return caption


def _clean_text(caption_set: CaptionSet, text: str, source: str, change_type: str | None) -> str:
    """The text as it will be saved (trigger guaranteed, trimmed), after checking source and change type."""
    if source not in SOURCES:
        raise Invalid(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    if change_type is not None and change_type not in CHANGE_TYPES:
        raise Invalid(f"change_type must be one of {', '.join(CHANGE_TYPES)}, not {change_type!r}")
    if caption_set.ensure_trigger and isinstance(text, str) and text.strip():
        text = ensure_trigger(text.strip(), caption_set.trigger_phrase, caption_set.style)
    return check_text(caption_set, text)


def _caption_row(
    session: Session, caption: Caption | None, caption_set_id: str, file_id: str, text: str
) -> tuple[Caption, datetime]:
    """The caption row to write (a new one when there is none) and its new modified_date."""
    now = utcnow()
    if caption is None:
        caption = Caption(
            id=new_id(), caption_set_id=caption_set_id, file_id=file_id, caption_text=text, created_date=now
        )
        session.add(caption)
    elif now <= caption.modified_date:
        now = caption.modified_date + timedelta(microseconds=1)  # keep modified_date strictly increasing
    return caption, now


def _apply_quality(
    caption: Caption, quality_score: float | None, quality_details: dict[str, Any] | str | None
) -> None:
    if quality_score is not None:
        caption.quality_score = float(quality_score)
    if quality_details is not None:
        caption.quality_details = (
            quality_details if isinstance(quality_details, str) else json.dumps(quality_details)
        )


def remove_caption(
    session: Session, caption: Caption, batch_id: str | None = None, batch_label: str | None = None
) -> None:
    """Delete a caption, recording its last text as a "delete" revision so it can be restored later."""
    session.add(
        CaptionRevision(
            caption_id=caption.id, caption_set_id=caption.caption_set_id, file_id=caption.file_id,
            previous_text=caption.caption_text, new_text=None, change_type="delete", batch_id=batch_id,
            batch_label=batch_label, created_date=max(utcnow(), caption.modified_date + timedelta(microseconds=1)),
        )
    )  # fmt: skip
    session.flush()
    session.delete(caption)
    session.flush()


def check_text(caption_set: CaptionSet, text: Any, filename: str | None = None) -> str:
    """The caption text trimmed; Invalid when empty or longer than the set's max_length."""
    if not isinstance(text, str):
        raise Invalid("A caption must be text")
    clean = text.strip()
    where = f" for {filename}" if filename else ""
    if not clean:
        raise Invalid(f"The caption{where} is empty; write some text or delete the caption instead")
    limit = caption_set.max_length
    if limit and len(clean) > limit:
        raise Invalid(
            f'The caption{where} has {len(clean)} characters; caption set "{caption_set.name}" allows '
            f"at most {limit}. Shorten it by {len(clean) - limit} or raise the set's maximum length."
        )
    return clean


def caption_dict(caption: Caption) -> dict[str, Any]:
    """The public shape of a caption (contract: app.services.captions.captions)."""
    return {
        "id": caption.id,
        "caption_set_id": caption.caption_set_id,
        "file_id": caption.file_id,
        "caption_text": caption.caption_text,
        "source": caption.source,
        "auto_generated": bool(caption.auto_generated),
        "manually_edited": bool(caption.manually_edited),
        "caption_state": caption_state(caption.source, caption.manually_edited),
        "quality_score": caption.quality_score,
        "quality_details": json_value(caption.quality_details, None),
        "vision_model": caption.vision_model,
        "generation_date": iso(caption.generation_date),
        "imported_from_path": caption.imported_from_path,
        "created_date": iso(caption.created_date),
        "modified_date": iso(caption.modified_date),
    }


def _apply_source(
    caption: Caption, source: str, is_new: bool, file: TrackedFile, now: Any, vision_model: str | None
) -> None:
    if source == "generated":
        caption.source = "generated"
        caption.auto_generated = True
        caption.manually_edited = False
        caption.generation_date = now
        caption.vision_model = vision_model or caption.vision_model
    elif source == "imported":
        caption.source = "imported"
        caption.auto_generated = False
        caption.manually_edited = False
        caption.imported_from_path = file.imported_caption_path
    else:
        if is_new:
            caption.source = "manual"
            caption.auto_generated = False
        caption.manually_edited = True


def _check_not_stale(caption: Caption | None, expected_modified: str | None, filename: str) -> None:
    if expected_modified is None:
        return
    expected = parse_iso(expected_modified, "expected_modified")
    if caption is None:
        raise Conflict(
            f"The caption of {filename} was deleted in another tab or window; reload it before saving"
        )
    if caption.modified_date > expected:
        raise Conflict(
            f"The caption of {filename} was changed elsewhere at {caption.modified_date:%H:%M:%S} UTC after "
            "you opened it; reload it (your text is still in the editor) and save again"
        )


def _require_member_file(session: Session, caption_set: CaptionSet, file_id: str) -> TrackedFile:
    file = session.get(TrackedFile, file_id)
    if file is None:
        raise NotFound(f"File {file_id} is not tracked (its folder was removed?)")
    member = session.scalar(
        select(DatasetFile.id).where(
            DatasetFile.dataset_id == caption_set.dataset_id, DatasetFile.file_id == file_id
        )
    )
    if member is None:
        raise Invalid(f"{file.filename} is not in this caption set's dataset; add it to the dataset first")
    return file
