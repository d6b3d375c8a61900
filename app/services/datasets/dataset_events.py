"""The datasets feature's change events (datasets_changed): built here, queued on the transaction that made
the change, and published once it has committed (app.db.queue_event)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from sqlalchemy.orm import Session

from app.db import queue_event


class DatasetsChanged(TypedDict, total=False):
    """What a page receives: which dataset changed (None: the list itself), and which files' tiles to repaint."""

    dataset_id: str | None
    file_ids: list[str]


def datasets_changed(session: Session, dataset_id: str | None, file_ids: Iterable[str] | None = None) -> None:
    """A dataset was created, edited, deleted or had members added, removed or re-cropped."""
    payload: DatasetsChanged = {"dataset_id": dataset_id}
    if file_ids is not None:
        payload["file_ids"] = list(file_ids)
    queue_event(session, "datasets_changed", payload)
