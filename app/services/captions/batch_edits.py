"""Batch edits of a caption set: preview, apply as ONE undoable batch, list recent batches, undo.

An edit is a dict (the API's request body), e.g.
    {"op": "add", "text": "smile", "position": "start"}        after the set's trigger phrase
    {"op": "remove_tag", "tag": "hat"}    {"op": "rename_tag", "tag": "smile", "new": "grin"}
    {"op": "replace", "find": "red", "replace": "blue", "regex": false, "case_sensitive": false,
     "whole_word": false}
    {"op": "apply_trigger"}               {"op": "strip", "text": "high quality"}
The scope is `file_ids` (a selection), `query` (the grid's filter) or neither (the whole set); only
files that already have a caption in the set are edited. The text work is in caption_transforms.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.db import Database
from app.errors import Conflict, Invalid, NotFound
from app.models import CaptionRevision
from app.services.captions import caption_transforms as transforms
from app.services.captions.caption_batches import revert_batch, save_captions_batch
from app.services.captions.caption_sets import get_caption_set
from app.services.captions.caption_shapes import Batch, BatchApplied, BatchChange, BatchPreview, BatchUndo
from app.services.datasets.dataset_members import list_dataset_files
from app.services.grid.query import filter_rows

PREVIEW_LIMIT = 20
OPS = ("add", "remove_tag", "rename_tag", "replace", "apply_trigger", "strip")
_UNDO_NAMESPACE = uuid.UUID("6f1c2a4e-8d3b-4f5e-9a7c-1b2d3e4f5a6b")


def preview_batch(
    db: Database,
    caption_set_id: str,
    edit: dict[str, Any],
    *,
    file_ids: Sequence[str] | None = None,
    query: str | None = None,
    limit: int = PREVIEW_LIMIT,
) -> BatchPreview:
    """What an edit would do, nothing written.

    `total` counts every caption that would change; `samples` holds the first `limit` of them in grid
    order; `skipped` lists captions the edit would leave empty or make too long (they are not changed).
    """
    plan = _plan(db, caption_set_id, edit, file_ids, query)
    return BatchPreview(
        label=plan.label,
        total=len(plan.changes),
        scanned=plan.scanned,
        samples=plan.changes[: max(0, limit)],
        skipped=plan.skipped,
    )


def apply_batch(
    db: Database,
    caption_set_id: str,
    edit: dict[str, Any],
    *,
    file_ids: Sequence[str] | None = None,
    query: str | None = None,
) -> BatchApplied:
    """Apply an edit as one batch (one batch_id on every revision; None if nothing changed)."""
    plan = _plan(db, caption_set_id, edit, file_ids, query)
    changes = plan.changes
    if not changes:
        return BatchApplied(batch_id=None, label=plan.label, changed=0, skipped=plan.skipped, file_ids=[])
    updates = [{"file_id": c.file_id, "caption_text": c.after} for c in changes]
    saved = save_captions_batch(db, caption_set_id, updates, label=plan.label)
    return BatchApplied(
        batch_id=saved.batch_id,
        label=plan.label,
        changed=len(changes),
        skipped=plan.skipped,
        file_ids=[c.file_id for c in changes],
    )


def recent_batches(db: Database, caption_set_id: str, limit: int = 20) -> list[Batch]:
    """The newest batches of the set, newest first."""
    with db.session() as session:
        rows = session.execute(
            select(
                CaptionRevision.batch_id,
                func.max(CaptionRevision.batch_label),
                func.min(CaptionRevision.change_type),
                func.count(CaptionRevision.id),
                func.max(CaptionRevision.created_date),
            )
            .where(CaptionRevision.caption_set_id == caption_set_id, CaptionRevision.batch_id.is_not(None))
            .group_by(CaptionRevision.batch_id)
            .order_by(func.max(CaptionRevision.created_date).desc())
            .limit(limit)
        ).all()
        ids = [str(row[0]) for row in rows]  # never None: the query keeps batched revisions only
        undo_ids = {undo_batch_id(batch_id): batch_id for batch_id in ids}
        undone = set(
            session.scalars(
                select(CaptionRevision.batch_id)
                .where(CaptionRevision.batch_id.in_(list(undo_ids)))
                .distinct()
            )
        )
    return [
        Batch(
            batch_id=str(batch_id),
            label=label or "Batch edit",
            change_type=change_type,
            count=count,
            created_date=created.isoformat(),
            undone=undo_batch_id(str(batch_id)) in undone,
        )
        for batch_id, label, change_type, count, created in rows
    ]


def undo_batch(db: Database, batch_id: str) -> BatchUndo:
    """Restore every caption of the batch to its earlier text, as a new batch (so an undo can be undone).

    Captions edited since the batch are left as they are and counted in `skipped`; `batch_id` of the
    result is the undo's own batch.
    """
    undo_id = undo_batch_id(batch_id)
    with db.session() as session:
        if (
            session.scalar(select(CaptionRevision.id).where(CaptionRevision.batch_id == batch_id).limit(1))
            is None
        ):
            raise NotFound(f"Batch {batch_id} has no caption changes (its captions were deleted?)")
        if session.scalar(select(CaptionRevision.id).where(CaptionRevision.batch_id == undo_id).limit(1)):
            raise Conflict("This batch was already undone; undo the undo in Recent changes to redo it")
    counts = revert_batch(db, batch_id, undo_batch_id=undo_id)
    return BatchUndo(
        batch_id=undo_id, undone_batch_id=batch_id, restored=counts.reverted, skipped=counts.skipped
    )


def undo_batch_id(batch_id: str) -> str:
    """The id the undo of `batch_id` carries: derived from it, so a batch is undone at most once."""
    return str(uuid.uuid5(_UNDO_NAMESPACE, batch_id))


def make_transform(edit: dict[str, Any], trigger_phrase: str | None) -> tuple[Callable[[str], str], str]:
    """The text -> text function and the human label ("Add tag "smile" at start") for an edit dict."""
    op = edit.get("op")
    if op == "add":
        text, position = _required(edit, "text"), edit.get("position", "end")
        return (
            lambda t: transforms.add_phrase(t, text, position=position, trigger_phrase=trigger_phrase),
            f'Add "{text}" at {position}',
        )
    if op == "remove_tag":
        tag = _required(edit, "tag")
        return lambda t: transforms.remove_tag(t, tag), f'Remove tag "{tag}"'
    if op == "rename_tag":
        tag, new = _required(edit, "tag"), str(edit.get("new") or "").strip()
        label = f'Rename tag "{tag}" to "{new}"' if new else f'Delete tag "{tag}"'
        return lambda t: transforms.rename_tag(t, tag, new), label
    if op == "replace":
        return _replace_transform(edit)
    if op == "apply_trigger":
        phrase = str(edit.get("text") or trigger_phrase or "").strip()
        if not phrase:
            raise Invalid(
                "This caption set has no trigger phrase; set one in the caption set or type it here"
            )
        return lambda t: transforms.apply_trigger(t, phrase), f'Apply trigger phrase "{phrase}"'
    if op == "strip":
        phrase = _required(edit, "text")
        case = bool(edit.get("case_sensitive"))
        return lambda t: transforms.strip_phrase(t, phrase, case_sensitive=case), f'Strip "{phrase}"'
    raise Invalid(f"Unknown batch edit {op!r}; choose one of {', '.join(OPS)}")


def _replace_transform(edit: dict[str, Any]) -> tuple[Callable[[str], str], str]:
    find, replacement = str(edit.get("find") or ""), str(edit.get("replace") or "")
    regex = bool(edit.get("regex"))
    pattern = transforms.compile_find(
        find,
        regex=regex,
        case_sensitive=bool(edit.get("case_sensitive")),
        whole_word=bool(edit.get("whole_word")),
    )
    kind = "regex" if regex else "text"
    return (
        lambda t: transforms.substitute(pattern, t, replacement, regex=regex),
        f'Replace {kind} "{find}" with "{replacement}"',
    )


@dataclass
class _Plan:
    """What an edit does to the captions of its scope."""

    label: str
    changes: list[BatchChange]
    skipped: list[BatchChange]
    scanned: int


def _plan(
    db: Database, caption_set_id: str, edit: dict[str, Any], file_ids: Sequence[str] | None, query: str | None
) -> _Plan:
    caption_set = get_caption_set(db, caption_set_id)
    transform, label = make_transform(edit, caption_set.trigger_phrase)
    rows = list_dataset_files(db, caption_set.dataset_id, caption_set_id)
    if query:
        rows = filter_rows(rows, query)
    if file_ids is not None:
        wanted = set(file_ids)
        rows = [row for row in rows if row["file_id"] in wanted]
    rows = [row for row in rows if row.get("caption_text")]
    changes: list[BatchChange] = []
    skipped: list[BatchChange] = []
    limit = caption_set.max_length
    for row in rows:
        before = row["caption_text"] or ""
        after = transform(before).strip()
        if after == before.strip():
            continue
        reason = _rejection(after, limit)
        item = BatchChange(
            file_id=row["file_id"], filename=row["filename"], before=before, after=after, reason=reason
        )
        (skipped if reason else changes).append(item)
    return _Plan(label=label, changes=changes, skipped=skipped, scanned=len(rows))


def _rejection(text: str, limit: int | None) -> str | None:
    if not text:
        return "the caption would be empty"
    if limit and len(text) > limit:
        return f"the caption would have {len(text)} characters, over the set's maximum of {limit}"
    return None


def _required(edit: dict[str, Any], key: str) -> str:
    value = str(edit.get(key) or "").strip()
    if not value:
        raise Invalid(f"This edit needs '{key}': type the text")
    return value
