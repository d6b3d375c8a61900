"""Caption sets of a dataset: create (optionally from imported captions), edit, duplicate, delete.

Each change queues datasets_changed for the set's dataset on its own transaction (the dataset list shows
the sets and their counts); captions copied in queue caption_changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import Database
from app.errors import Conflict, Invalid, NotFound
from app.models import Caption, CaptionRevision, CaptionSet, Dataset, DatasetFile, TrackedFile, new_id, utcnow
from app.services.captions import caption_events
from app.services.captions.caption_shapes import CaptionSet as CaptionSetShape
from app.services.captions.caption_shapes import CaptionSetDeleted, ImportReport
from app.services.captions.caption_writer import write_caption
from app.services.captions.postprocess import ensure_trigger
from app.services.datasets import dataset_events
from app.services.datasets.dataset_members import require_dataset
from app.services.datasets.dataset_stats import refresh_caption_set_stats
from app.services.rows import iso

STYLES = ("natural_simple", "natural_detailed", "tags", "custom")
MAX_LENGTH_LIMIT = 20_000
EDITABLE_FIELDS = {
    "name",
    "description",
    "style",
    "max_length",
    "trigger_phrase",
    "vision_model",
    "generation_prompt",
    "ensure_trigger",
}


def create_caption_set(
    db: Database,
    dataset_id: str,
    name: str,
    style: str,
    description: str | None = None,
    max_length: int | None = None,
    trigger_phrase: str | None = None,
    vision_model: str | None = None,
    generation_prompt: str | None = None,
    init_from_imported: bool = False,
    ensure_trigger: bool = True,
) -> CaptionSetShape:
    """A new caption set; with init_from_imported, members' imported captions become its first captions.

    The result's `imported` and `skipped_too_long` count them when initialized from imports.
    """
    with db.session() as session:
        dataset = require_dataset(session, dataset_id)
        caption_set = CaptionSet(id=new_id(), dataset_id=dataset_id, name=_clean_name(session, dataset, name))
        _apply_fields(
            caption_set,
            {
                "style": style,
                "description": description,
                "max_length": max_length,
                "trigger_phrase": trigger_phrase,
                "vision_model": vision_model,
                "generation_prompt": generation_prompt,
                "ensure_trigger": ensure_trigger,
            },
        )
        session.add(caption_set)
        session.flush()
        if dataset.default_caption_set_id is None:
            dataset.default_caption_set_id = caption_set.id
        report = (
            _import_in_session(session, caption_set, None, overwrite=False) if init_from_imported else None
        )
        refresh_caption_set_stats(session, caption_set.id)
        dataset_events.datasets_changed(session, dataset_id)
        result = caption_set_shape(session, caption_set)
        if report is not None:
            result.imported, result.skipped_too_long = report["imported"], report["skipped_too_long"]
        return result


def list_caption_sets(db: Database, dataset_id: str) -> list[CaptionSetShape]:
    """The dataset's caption sets, oldest first."""
    with db.session() as session:
        require_dataset(session, dataset_id)
        sets = session.scalars(
            select(CaptionSet).where(CaptionSet.dataset_id == dataset_id).order_by(CaptionSet.created_date)
        )
        return [caption_set_shape(session, caption_set) for caption_set in sets]


def get_caption_set(db: Database, caption_set_id: str) -> CaptionSetShape:
    """One caption set with its statistics."""
    with db.session() as session:
        return caption_set_shape(session, require_caption_set(session, caption_set_id))


def update_caption_set(db: Database, caption_set_id: str, **fields: Any) -> CaptionSetShape:
    """Change any of name, description, style, max_length, trigger_phrase, vision_model, generation_prompt.

    Lowering max_length keeps longer captions as they are; the result's over_max_length counts them.
    """
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise Invalid(
            f"Cannot change {', '.join(sorted(unknown))}; editable: {', '.join(sorted(EDITABLE_FIELDS))}"
        )
    with db.session() as session:
        caption_set = require_caption_set(session, caption_set_id)
        if "name" in fields:
            dataset = require_dataset(session, caption_set.dataset_id)
            caption_set.name = _clean_name(session, dataset, fields.pop("name"), exclude_id=caption_set.id)
        _apply_fields(caption_set, fields)
        session.flush()
        dataset_events.datasets_changed(session, caption_set.dataset_id)
        return caption_set_shape(session, caption_set)


def duplicate_caption_set(db: Database, caption_set_id: str, new_name: str) -> CaptionSetShape:
    """A copy of the set's settings and captions under a new name (each copy gets a "batch" revision)."""
    with db.session() as session:
        source = require_caption_set(session, caption_set_id)
        dataset = require_dataset(session, source.dataset_id)
        copy = CaptionSet(
            id=new_id(), dataset_id=source.dataset_id, name=_clean_name(session, dataset, new_name)
        )
        for field in EDITABLE_FIELDS - {"name"}:
            setattr(copy, field, getattr(source, field))
        session.add(copy)
        batch_id, label, now = new_id(), f'Copied from "{source.name}"', utcnow()
        for original in session.scalars(select(Caption).where(Caption.caption_set_id == source.id)):
            caption = Caption(id=new_id(), caption_set_id=copy.id, created_date=now, modified_date=now)
            for field in ("file_id", "caption_text", "quality_score", "quality_details", "quality_schema_version",
                          "auto_generated", "manually_edited", "vision_model", "generation_date", "source",
                          "imported_from_path", "notes"):  # fmt: skip
                setattr(caption, field, getattr(original, field))
            session.add(caption)
            session.add(
                CaptionRevision(
                    caption_id=caption.id, caption_set_id=copy.id, file_id=caption.file_id, previous_text=None,
                    new_text=caption.caption_text, change_type="batch", batch_id=batch_id, batch_label=label,
                    created_date=now,
                )
            )  # fmt: skip
        session.flush()
        refresh_caption_set_stats(session, copy.id)
        dataset_events.datasets_changed(session, copy.dataset_id)
        return caption_set_shape(session, copy)


def delete_caption_set(db: Database, caption_set_id: str) -> CaptionSetDeleted:
    """Delete the set and its captions; returns what went with it."""
    with db.session() as session:
        caption_set = require_caption_set(session, caption_set_id)
        count = session.scalar(select(func.count(Caption.id)).where(Caption.caption_set_id == caption_set_id))
        summary = CaptionSetDeleted(caption_set_id=caption_set.id, name=caption_set.name, captions=count or 0)
        dataset = session.get(Dataset, caption_set.dataset_id)
        session.delete(caption_set)
        session.flush()
        if dataset is not None and dataset.default_caption_set_id == caption_set_id:
            dataset.default_caption_set_id = session.scalar(
                select(CaptionSet.id)
                .where(CaptionSet.dataset_id == dataset.id)
                .order_by(CaptionSet.created_date)
            )
        dataset_events.datasets_changed(session, caption_set.dataset_id)
        return summary


def import_captions(
    db: Database, caption_set_id: str, file_ids: Iterable[str] | None = None, overwrite: bool = False
) -> ImportReport:
    """Copy members' imported (.txt) captions into the set; existing captions are kept unless `overwrite`."""
    with db.session() as session:
        caption_set = require_caption_set(session, caption_set_id)
        report = _import_in_session(session, caption_set, file_ids, overwrite)
        refresh_caption_set_stats(session, caption_set.id)
        dataset_events.datasets_changed(session, caption_set.dataset_id)
        return ImportReport.model_validate(report)


def require_caption_set(session: Session, caption_set_id: str) -> CaptionSet:
    """The caption set row, or NotFound."""
    caption_set = session.get(CaptionSet, caption_set_id)
    if caption_set is None:
        raise NotFound(
            f"Caption set {caption_set_id} does not exist (deleted in another tab?); reload the page"
        )
    return caption_set


def caption_set_shape(session: Session, caption_set: CaptionSet) -> CaptionSetShape:
    """The public shape of a caption set; total is the dataset's file count."""
    total = session.scalar(select(Dataset.file_count).where(Dataset.id == caption_set.dataset_id)) or 0
    over: int | None = 0
    if caption_set.max_length:
        over = session.scalar(
            select(func.count(Caption.id)).where(
                Caption.caption_set_id == caption_set.id,
                func.length(Caption.caption_text) > caption_set.max_length,
            )
        )
    return CaptionSetShape(
        id=caption_set.id,
        dataset_id=caption_set.dataset_id,
        name=caption_set.name,
        description=caption_set.description,
        style=caption_set.style,
        max_length=caption_set.max_length,
        trigger_phrase=caption_set.trigger_phrase,
        vision_model=caption_set.vision_model,
        generation_prompt=caption_set.generation_prompt,
        ensure_trigger=bool(caption_set.ensure_trigger),
        caption_count=caption_set.caption_count,
        total=total,
        avg_quality_score=caption_set.avg_quality_score,
        auto_generated_count=caption_set.auto_generated_count,
        manually_edited_count=caption_set.manually_edited_count,
        over_max_length=over or 0,
        created_date=iso(caption_set.created_date) or "",
        modified_date=iso(caption_set.modified_date) or "",
    )


def _import_in_session(
    session: Session, caption_set: CaptionSet, file_ids: Iterable[str] | None, overwrite: bool
) -> dict[str, Any]:
    query = (
        select(TrackedFile)
        .join(DatasetFile, DatasetFile.file_id == TrackedFile.id)
        .where(DatasetFile.dataset_id == caption_set.dataset_id, TrackedFile.imported_caption.is_not(None))
        .order_by(DatasetFile.order_index)
    )
    wanted = set(file_ids) if file_ids is not None else None
    existing = set(session.scalars(select(Caption.file_id).where(Caption.caption_set_id == caption_set.id)))
    batch_id = new_id()
    counts = {"imported": 0, "skipped_existing": 0, "skipped_too_long": 0}
    written: dict[str, Caption | None] = {}
    for file in session.scalars(query):
        text = (file.imported_caption or "").strip()
        if not text or (wanted is not None and file.id not in wanted):
            continue
        if caption_set.ensure_trigger:  # the length that counts is the one that will be saved
            text = ensure_trigger(text, caption_set.trigger_phrase, caption_set.style)
        if file.id in existing and not overwrite:
            counts["skipped_existing"] += 1
        elif caption_set.max_length and len(text) > caption_set.max_length:
            counts["skipped_too_long"] += 1
        else:
            written[file.id] = write_caption(
                session, caption_set, file.id, text, source="imported", change_type="import",
                batch_id=batch_id, batch_label="Imported captions", file=file,
            )  # fmt: skip
            counts["imported"] += 1
    caption_events.captions_saved(session, caption_set.id, written)
    return {**counts, "batch_id": batch_id}


def _apply_fields(caption_set: CaptionSet, fields: dict[str, Any]) -> None:
    if "style" in fields:
        if fields["style"] not in STYLES:
            raise Invalid(f"style must be one of {', '.join(STYLES)}, not {fields['style']!r}")
        caption_set.style = fields["style"]
    if "max_length" in fields:
        caption_set.max_length = _check_max_length(fields["max_length"])
    if "ensure_trigger" in fields:
        if not isinstance(fields["ensure_trigger"], bool):
            raise Invalid("ensure_trigger must be true or false")
        caption_set.ensure_trigger = fields["ensure_trigger"]
    for key in ("description", "trigger_phrase", "vision_model", "generation_prompt"):
        if key in fields:
            value = fields[key]
            if value is not None and not isinstance(value, str):
                raise Invalid(f"{key} must be text")
            setattr(caption_set, key, (value or "").strip() or None)
    if caption_set.trigger_phrase and len(caption_set.trigger_phrase) > 500:
        raise Invalid("A trigger phrase can have at most 500 characters")


def _check_max_length(value: Any) -> int | None:
    if value in (None, 0, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LENGTH_LIMIT:
        raise Invalid(
            f"max_length must be a whole number from 1 to {MAX_LENGTH_LIMIT}, or empty for no limit"
        )
    return value


def _clean_name(session: Session, dataset: Dataset, name: Any, exclude_id: str | None = None) -> str:
    if not isinstance(name, str) or not name.strip():
        raise Invalid("A caption set needs a name")
    clean = " ".join(name.split())
    if len(clean) > 200:
        raise Invalid("A caption set name can have at most 200 characters")
    query = select(CaptionSet.id).where(
        CaptionSet.dataset_id == dataset.id, func.lower(CaptionSet.name) == clean.lower()
    )
    if exclude_id:
        query = query.where(CaptionSet.id != exclude_id)
    if session.scalar(query) is not None:
        raise Conflict(
            f'Dataset "{dataset.name}" already has a caption set named "{clean}"; choose another name'
        )
    return clean
