"""Export history: the rows of past and running exports, the start-up recovery of interrupted ones, and
the datasets with caption sets an export can be made from."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app import models
from app.config import Settings
from app.db import Database
from app.errors import NotFound
from app.models import utcnow
from app.services.exports import export_target
from app.services.exports.export_shapes import ExportEntry, ExportSource, Recovery, SourceCaptionSet
from app.services.rows import iso

log = logging.getLogger("app.services.exports.export_history")

ACTIVE = ("pending", "processing")


def get_export(db: Database, export_id: str) -> ExportEntry:
    with db.session() as session:
        row = session.get(models.ExportHistory, export_id)
        if row is None:
            raise NotFound(f"No export with id {export_id}")
        return _entry(row, session.get(models.Dataset, row.dataset_id))


def stored_settings(db: Database, export_id: str) -> dict[str, Any]:
    """The options an export was recorded with, including the overwrite confirmation."""
    with db.session() as session:
        row = session.get(models.ExportHistory, export_id)
        if row is None:
            raise NotFound(f"No export with id {export_id}")
        return json.loads(row.settings or "{}")


def list_history(db: Database, dataset_id: str | None = None, limit: int = 200) -> list[ExportEntry]:
    """Past and running exports, newest first."""
    with db.session() as session:
        query = select(models.ExportHistory, models.Dataset).join(
            models.Dataset, models.Dataset.id == models.ExportHistory.dataset_id
        )
        if dataset_id:
            query = query.where(models.ExportHistory.dataset_id == dataset_id)
        query = query.order_by(models.ExportHistory.created_date.desc()).limit(limit)
        return [_entry(row, dataset) for row, dataset in session.execute(query).all()]


def recover_interrupted(db: Database, settings: Settings) -> Recovery:
    """At start: exports left running by a stop or crash are marked failed; their temp work is removed."""
    with db.session() as session:
        rows = session.scalars(select(models.ExportHistory)).all()
        folders = {Path(row.export_path).parent for row in rows} | {settings.exports_dir}
        interrupted = [row for row in rows if row.status in ACTIVE]
        for row in interrupted:
            row.status = "failed"
            row.error_message = (
                "Interrupted: CaptionForge stopped during the export. Nothing was written "
                "under the target name; export again."
            )
            row.completed_date = utcnow()
    removed = export_target.clean_leftovers(folders)
    return Recovery(interrupted=len(interrupted), removed=removed)


def list_sources(db: Database) -> list[ExportSource]:
    """Datasets with their caption sets, for choosing what to export."""
    with db.session() as session:
        datasets = session.scalars(select(models.Dataset).order_by(models.Dataset.name)).all()
        sets = session.scalars(select(models.CaptionSet).order_by(models.CaptionSet.name)).all()
    by_dataset: dict[str, list[SourceCaptionSet]] = {}
    for caption_set in sets:
        by_dataset.setdefault(caption_set.dataset_id, []).append(
            SourceCaptionSet(
                id=caption_set.id, name=caption_set.name, trigger_phrase=caption_set.trigger_phrase
            )
        )
    return [
        ExportSource(
            id=d.id,
            name=d.name,
            slug=d.name_filesystem_safe,
            file_count=d.file_count,
            default_caption_set_id=d.default_caption_set_id,
            caption_sets=by_dataset.get(d.id, []),
        )
        for d in datasets
    ]


def update_export(db: Database, export_id: str, **values: Any) -> None:
    with db.session() as session:
        row = session.get(models.ExportHistory, export_id)
        if row is None:  # removed underneath (its dataset was deleted): nothing left to record on
            log.warning("export %s has no history row any more; %s not recorded", export_id, sorted(values))
            return
        for key, value in values.items():
            setattr(row, key, value)


def _entry(row: models.ExportHistory, dataset: models.Dataset | None) -> ExportEntry:
    return ExportEntry(
        id=row.id,
        export_id=row.id,
        dataset_id=row.dataset_id,
        dataset_name=dataset.name if dataset else None,
        caption_set_id=row.caption_set_id,
        export_path=row.export_path,
        export_format=row.export_format,
        image_format=row.image_format,
        target_resolution=row.target_resolution,
        file_count=row.file_count,
        total_size_mb=row.total_size_mb,
        status=row.status,
        error_message=row.error_message,
        created_date=iso(row.created_date),
        completed_date=iso(row.completed_date),
        # Without the overwrite confirmation: "export again" must ask again before replacing anything.
        settings={k: v for k, v in json.loads(row.settings or "{}").items() if k != "overwrite"},
        report=json.loads(row.report) if row.report else {},
        downloadable=row.export_format == "zip"
        and row.status == "completed"
        and Path(row.export_path).is_file(),
    )
