"""The crop of each dataset member: get, set, clear; "centre-crop the selection" as one undoable batch.

The crop belongs to the membership (dataset_files), so one image has a crop per dataset; the source file is
never touched. Boxes are normalised 0..1 (see crop_box). Every change is kept in crop_revisions (before and
after), and a batch's rows share a batch_id that `undo_crop_batch` restores, like caption batch edits.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.errors import Conflict, NotFound
from app.models import CropRevision, DatasetFile, TrackedFile, utcnow
from app.services.captions.batch_edits import PREVIEW_LIMIT, undo_batch_id
from app.services.crop_box import aspect_ratio, centre_box, check_box, is_whole, stored_box
from app.services.crops.crop_shapes import (
    CentreCropPreview,
    CentreCropResult,
    Crop,
    CropChange,
    CropSkipped,
    CropUndoResult,
)
from app.services.datasets.dataset_events import datasets_changed
from app.services.datasets.dataset_members import require_dataset

Box = Mapping[str, Any]  # {"x", "y", "w", "h"}: crop_box's dicts and crop_shapes.Box alike
_CHUNK = 500


def get_crop(db: Database, dataset_id: str, file_id: str) -> Crop:
    """One member's crop (None: the whole image) and the image's size."""
    with db.session() as session:
        member, file = _member(session, dataset_id, file_id)
        return _answer(member, file)


def set_crop(db: Database, dataset_id: str, file_id: str, box: Any) -> Crop:
    """Store the member's crop (checked against the image); a box of the whole image clears it."""
    with db.session() as session:
        member, file = _member(session, dataset_id, file_id)
        checked = check_box(box, file.width, file.height)
        _store(session, member, None if is_whole(checked) else checked, None, None)
        datasets_changed(session, dataset_id, [file_id])
        return _answer(member, file)


def clear_crop(db: Database, dataset_id: str, file_id: str) -> Crop:
    """The whole image again."""
    with db.session() as session:
        member, file = _member(session, dataset_id, file_id)
        _store(session, member, None, None, None)
        datasets_changed(session, dataset_id, [file_id])
        return _answer(member, file)


def preview_centre_crop(
    db: Database, dataset_id: str, file_ids: Sequence[str], aspect: str, limit: int = PREVIEW_LIMIT
) -> CentreCropPreview:
    """What centre-cropping these members to `aspect` would do; samples are the first `limit` that change.

    Aspect "free" clears their crops (the whole image), as an undoable batch too.
    """
    plan = _plan(db, dataset_id, file_ids, aspect)
    return CentreCropPreview(
        label=plan.label,
        total=len(plan.changes),
        samples=plan.changes[: max(0, limit)],
        skipped=plan.skipped,
    )


def apply_centre_crop(
    db: Database, dataset_id: str, file_ids: Sequence[str], aspect: str
) -> CentreCropResult:
    """Centre-crop the members as one batch (batch_id None: nothing changed)."""
    plan = _plan(db, dataset_id, file_ids, aspect)
    changed_ids = [change.file_id for change in plan.changes]
    if not changed_ids:
        return CentreCropResult(batch_id=None, label=plan.label, changed=0, file_ids=[], skipped=plan.skipped)
    batch_id = str(uuid.uuid4())
    with db.session() as session:
        members = _members(session, dataset_id, changed_ids)
        for change in plan.changes:
            _store(session, members[change.file_id], change.after, batch_id, plan.label)
        datasets_changed(session, dataset_id, changed_ids)
    return CentreCropResult(
        batch_id=batch_id,
        label=plan.label,
        changed=len(changed_ids),
        file_ids=changed_ids,
        skipped=plan.skipped,
    )


def undo_crop_batch(db: Database, batch_id: str) -> CropUndoResult:
    """Put back the crops a batch replaced, as a new batch (its id is the answer's batch_id); members changed
    since are skipped."""
    undo_id = undo_batch_id(batch_id)
    with db.session() as session:
        revisions = list(session.scalars(select(CropRevision).where(CropRevision.batch_id == batch_id)))
        if not revisions:
            raise NotFound(f"No crop batch {batch_id} (or its dataset was deleted)")
        if session.scalar(select(CropRevision.id).where(CropRevision.batch_id == undo_id).limit(1)):
            raise Conflict("This crop batch was already undone")
        dataset_id = revisions[0].dataset_id
        members = _members(session, dataset_id, [r.file_id for r in revisions])
        restored, skipped = [], 0
        for revision in revisions:
            member = members.get(revision.file_id)
            if member is None or _text(stored_box(member)) != revision.new_box:
                skipped += 1  # removed from the dataset, or cropped again since
                continue
            label = f"Undo: {revision.batch_label or 'crop'}"
            _store(session, member, _box(revision.previous_box), undo_id, label)
            restored.append(revision.file_id)
        if restored:
            datasets_changed(session, dataset_id, restored)
    return CropUndoResult(
        batch_id=undo_id,
        undone_batch_id=batch_id,
        restored=len(restored),
        skipped=skipped,
        dataset_id=dataset_id,
        file_ids=restored,
    )


@dataclass
class _Plan:
    label: str
    changes: list[CropChange]
    skipped: list[CropSkipped]


def _plan(db: Database, dataset_id: str, file_ids: Sequence[str], aspect: str) -> _Plan:
    wanted = list(dict.fromkeys(file_ids))
    labels = {"bucket": "Centre-crop to the nearest bucket", "free": "Clear the crop"}
    label = labels.get(aspect, f"Centre-crop to {aspect}")
    aspect_ratio(aspect, 1, 1)  # an unknown aspect is refused before anything is read
    changes: list[CropChange] = []
    skipped: list[CropSkipped] = []
    with db.session() as session:
        require_dataset(session, dataset_id)
        by_id: dict[str, tuple[DatasetFile, TrackedFile]] = {}
        for start in range(0, len(wanted), _CHUNK):  # well under every database's bound-parameter limit
            rows = session.execute(
                select(DatasetFile, TrackedFile)
                .join(TrackedFile, TrackedFile.id == DatasetFile.file_id)
                .where(
                    DatasetFile.dataset_id == dataset_id,
                    DatasetFile.file_id.in_(wanted[start : start + _CHUNK]),
                )
            ).all()
            by_id.update((member.file_id, (member, file)) for member, file in rows)
        for file_id in wanted:
            if file_id not in by_id:
                continue
            member, file = by_id[file_id]
            if not file.width or not file.height:
                skipped.append(CropSkipped(file_id=file_id, filename=file.filename, reason="size unknown"))
                continue
            box = centre_box(file.width, file.height, aspect_ratio(aspect, file.width, file.height))
            after = None if is_whole(box) else box
            before = stored_box(member)
            if _text(before) == _text(after):
                continue
            changes.append(
                CropChange(
                    file_id=file_id,
                    filename=file.filename,
                    before=before,
                    after=after,
                    width=file.width,
                    height=file.height,
                )
            )
    return _Plan(label=label, changes=changes, skipped=skipped)


def _member(session: Session, dataset_id: str, file_id: str) -> tuple[DatasetFile, TrackedFile]:
    dataset = require_dataset(session, dataset_id)
    row = session.execute(
        select(DatasetFile, TrackedFile)
        .join(TrackedFile, TrackedFile.id == DatasetFile.file_id)
        .where(DatasetFile.dataset_id == dataset_id, DatasetFile.file_id == file_id)
    ).first()
    if row is None:
        raise NotFound(f'File {file_id} is not in dataset "{dataset.name}" (removed meanwhile?)')
    return row[0], row[1]


def _members(session: Session, dataset_id: str, file_ids: list[str]) -> dict[str, DatasetFile]:
    found: dict[str, DatasetFile] = {}
    for start in range(0, len(file_ids), _CHUNK):
        chunk = file_ids[start : start + _CHUNK]
        found.update(
            (m.file_id, m)
            for m in session.scalars(
                select(DatasetFile).where(
                    DatasetFile.dataset_id == dataset_id, DatasetFile.file_id.in_(chunk)
                )
            )
        )
    return found


def _store(
    session: Session, member: DatasetFile, box: Box | None, batch_id: str | None, label: str | None
) -> None:
    before = stored_box(member)
    if _text(before) == _text(box):
        return
    member.crop_x, member.crop_y, member.crop_w, member.crop_h = (
        (box["x"], box["y"], box["w"], box["h"]) if box else (None, None, None, None)
    )
    session.add(
        CropRevision(
            dataset_id=member.dataset_id,
            file_id=member.file_id,
            previous_box=_text(before),
            new_box=_text(box),
            batch_id=batch_id,
            batch_label=label,
            created_date=utcnow(),
        )
    )


def _answer(member: DatasetFile, file: TrackedFile) -> Crop:
    return Crop(
        dataset_id=member.dataset_id,
        file_id=member.file_id,
        crop=stored_box(member),
        width=file.width,
        height=file.height,
    )


def _text(box: Box | None) -> str | None:
    return None if box is None else json.dumps({k: round(box[k], 6) for k in ("x", "y", "w", "h")})


def _box(text: str | None) -> Box | None:
    return None if text is None else json.loads(text)
