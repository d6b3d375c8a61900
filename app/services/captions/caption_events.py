"""The captions feature's change events (caption_changed): built here, queued on the transaction that made
the change, and published once it has committed (app.db.queue_event)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from sqlalchemy.orm import Session

from app.db import queue_event

MAX_EVENTS = 500  # a batch that changes more captions sends one "re-read the set" event instead


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
        _payload(caption_set_id, file_id, caption_text, caption_state, modified_date),
    )


def caption_deleted(session: Session, caption_set_id: str, file_id: str) -> None:
    """One caption was deleted: its tile shows no caption."""
    caption_changed(session, caption_set_id, file_id, None, "none", None)


def captions_changed(
    session: Session,
    caption_set_id: str | None,
    changes: Sequence[tuple[str, str | None, str | None, str | None]],
) -> None:
    """Many captions changed, as (file_id, caption_text, caption_state, modified_date): one event each, or one
    bulk event past MAX_EVENTS so a huge batch does not flood every open tab."""
    if len(changes) > MAX_EVENTS:
        captions_reread(session, caption_set_id)
        return
    for file_id, text, state, modified in changes:
        queue_event(session, "caption_changed", _payload(caption_set_id, file_id, text, state, modified))


def captions_reread(session: Session, caption_set_id: str | None) -> None:
    """The set changed in bulk: pages re-read it rather than patch tiles."""
    bulk: CaptionChanged = {"caption_set_id": caption_set_id, "file_id": None, "bulk": True}
    queue_event(session, "caption_changed", bulk)


def _payload(
    caption_set_id: str | None,
    file_id: str,
    caption_text: str | None,
    caption_state: str | None,
    modified_date: str | None,
) -> CaptionChanged:
    return {
        "caption_set_id": caption_set_id,
        "file_id": file_id,
        "caption_text": caption_text,
        "caption_state": caption_state or "none",
        "modified_date": modified_date,
    }
