"""The captions feature's change events (caption_changed): built here, queued on the transaction that made
the change, and published once it has committed (app.db.queue_event)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from sqlalchemy.orm import Session

from app.db import queue_event
from app.models import Caption
from app.services.rows import caption_state, iso

MAX_EVENTS = 500  # a batch that changes more captions sends one "re-read the set" event instead

CaptionChange = tuple[str, str | None, str | None, str | None]  # file_id, caption_text, state, modified_date


class CaptionChanged(TypedDict, total=False):
    """What a page receives: one caption's new text and state, or `bulk` with no file (re-read the set)."""

    caption_set_id: str | None
    file_id: str | None
    caption_text: str | None
    caption_state: str
    modified_date: str | None
    bulk: bool


def caption_changed(
    session: Session,
    caption_set_id: str,
    file_id: str,
    caption_text: str | None,
    caption_state: str | None,
    modified_date: str | None,
) -> None:
    """One caption was saved; `caption_text` None with state "none" when it was deleted."""
    queue_event(
        session,
        "caption_changed",
        changed_payload(caption_set_id, file_id, caption_text, caption_state, modified_date),
    )


def caption_saved(session: Session, caption: Caption) -> None:
    """A caption row was created or changed: its tile shows the new text and state."""
    caption_changed(session, caption.caption_set_id, *change_of(caption))


def caption_deleted(session: Session, caption_set_id: str, file_id: str) -> None:
    """One caption was deleted: its tile shows no caption."""
    caption_changed(session, caption_set_id, file_id, None, "none", None)


def captions_changed(session: Session, caption_set_id: str | None, changes: Sequence[CaptionChange]) -> None:
    """Many captions changed, as (file_id, caption_text, caption_state, modified_date): one event each, or one
    bulk event past MAX_EVENTS so a huge batch does not flood every open tab."""
    if len(changes) > MAX_EVENTS:
        captions_reread(session, caption_set_id)
        return
    for file_id, text, state, modified in changes:
        queue_event(
            session, "caption_changed", changed_payload(caption_set_id, file_id, text, state, modified)
        )


def captions_saved(session: Session, caption_set_id: str, changes: Mapping[str, Caption | None]) -> None:
    """The captions a batch wrote, by file id (None: the batch deleted that file's caption)."""
    captions_changed(
        session, caption_set_id, [_change(file_id, caption) for file_id, caption in changes.items()]
    )


def captions_reread(session: Session, caption_set_id: str | None) -> None:
    """The set changed in bulk: pages re-read it rather than patch tiles."""
    bulk: CaptionChanged = {"caption_set_id": caption_set_id, "file_id": None, "bulk": True}
    queue_event(session, "caption_changed", bulk)


def change_of(caption: Caption) -> CaptionChange:
    """A caption row as (file_id, caption_text, caption_state, modified_date)."""
    state = caption_state(caption.source, caption.manually_edited)
    return caption.file_id, caption.caption_text, state, iso(caption.modified_date)


def payload_of(caption: Mapping[str, Any] | None, caption_set_id: str, file_id: str) -> CaptionChanged:
    """The caption_changed payload for a caption dict (None: the caption was deleted)."""
    if caption is None:
        return changed_payload(caption_set_id, file_id, None, "none", None)
    return changed_payload(
        caption_set_id, file_id, caption["caption_text"], caption["caption_state"], caption["modified_date"]
    )


def changed_payload(
    caption_set_id: str | None,
    file_id: str,
    caption_text: str | None,
    caption_state: str | None,
    modified_date: str | None,
) -> CaptionChanged:
    """The one shape of a caption_changed payload for a single caption."""
    return {
        "caption_set_id": caption_set_id,
        "file_id": file_id,
        "caption_text": caption_text,
        "caption_state": caption_state or "none",
        "modified_date": modified_date,
    }


def _change(file_id: str, caption: Caption | None) -> CaptionChange:
    return change_of(caption) if caption is not None else (file_id, None, "none", None)
