"""Exports: the summary before starting (plan), the history row (start), and the export itself (run).

One query reads the dataset members with the chosen set's caption and the tracked file data; filters and
names are decided here; images are converted in the process pool (export_images); the result is built
in a temporary sibling and renamed into place (export_target). Plain sync functions, no NiceGUI.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app import models
from app.config import Settings
from app.db import Database
from app.errors import CaptionForgeError, Invalid, NotFound
from app.models import utcnow
from app.services.exports import export_target
from app.services.exports.export_build import DiskFull, ExportCancelled, build_export
from app.services.exports.export_checks import export_checks, training_resolution
from app.services.exports.export_history import get_export, stored_settings, update_export
from app.services.exports.export_options import ExportOptions, build_options, flatten_request
from app.services.exports.export_plan import PlanItem, plan_items
from app.services.exports.export_presets import kohya_folder, layout_for, preset_options
from app.services.exports.export_shapes import (
    ExportContext,
    ExportEntry,
    ExportPlan,
    ExportStarted,
    NamedRef,
    SkippedFile,
)

SKIPPED_SHOWN = 500  # the summary lists this many skipped files by name; counts cover all


def resolve_options(settings: Settings, request: dict[str, Any]) -> ExportOptions:
    """Settings defaults < the preset's values < the request (nested groups or flat stored settings)."""
    preset = request.get("preset") or "generic"
    config = settings["export"]  # the user's defaults (settings.yaml export section) under every preset
    defaults = {key: config[key] for key in ("jpeg_quality", "png_compression", "numbering_padding")}
    defaults["caption_extension"] = config["caption_extension"]
    base = preset_options(settings.data_dir, preset, defaults)
    return build_options(base, {**flatten_request(request), "preset": preset})


def plan_export(db: Database, settings: Settings, dataset_id: str, request: dict[str, Any]) -> ExportPlan:
    """The summary before starting: file count, estimated size, skipped files with reasons, the target."""
    options = resolve_options(settings, request)
    context = _context(db, dataset_id, options)
    items, skipped = plan_items(context.rows, options, context.layout, context.ensure_trigger)
    target = export_target.resolve_target(
        db, settings, options.export_type, options.export_path, context.slug
    )
    return ExportPlan(
        dataset=context.dataset,
        caption_set=context.caption_set,
        options=options,
        layout=context.layout,
        file_count=len(items),
        estimated_size_mb=round(sum(item.estimated_bytes for item in items) / 1e6, 2),
        skipped_count=len(skipped),
        skipped_reasons=_reasons(skipped),
        skipped=skipped[:SKIPPED_SHOWN],
        sample_names=[item.relative_image for item in items[:3]],
        target=target,
        checks=export_checks(
            db,
            dataset_id,
            options,
            items,
            context.rows,
            context.trigger,
            settings.thumbnails_dir,
            resolution=training_resolution(options, settings["image_processing"]["training_resolution"]),
        ),
    )


def start_export(db: Database, settings: Settings, dataset_id: str, request: dict[str, Any]) -> ExportStarted:
    """Check everything, then record a pending export. Raises Conflict for a non-empty target without
    overwrite, Invalid for a target inside a source folder or an empty export."""
    plan = plan_export(db, settings, dataset_id, request)
    options, target = plan.options, plan.target
    export_target.require_confirmation(target, options.overwrite)
    if plan.file_count == 0:
        raise Invalid("Nothing to export: every image is skipped (see the summary for the reasons)")
    # The path as asked (empty = a new dated name in the exports folder), so "export again" asks the same.
    stored = {**options.to_dict(), "dataset_id": dataset_id}
    with db.session() as session:
        row = models.ExportHistory(
            dataset_id=dataset_id,
            caption_set_id=options.caption_set_id,
            export_path=str(target.path),
            export_format=options.export_type,
            image_format=options.image_format,
            target_resolution=options.target_resolution,
            jpeg_quality=options.jpeg_quality,
            png_compression=options.png_compression,
            numbering_start=options.numbering_start,
            numbering_padding=options.numbering_padding,
            min_quality_score=options.min_quality_score,
            status="pending",
            settings=json.dumps(stored),
            report=json.dumps(
                {
                    "planned_files": plan.file_count,
                    "skipped": [entry.model_dump() for entry in plan.skipped],
                    "skipped_reasons": plan.skipped_reasons,
                }
            ),
        )
        session.add(row)
        session.flush()
        export_id = row.id
    return ExportStarted(
        export_id=export_id,
        status="pending",
        estimated_files=plan.file_count,
        estimated_size_mb=plan.estimated_size_mb,
        export_path=str(target.path),
    )


def run_export(
    db: Database,
    settings: Settings,
    export_id: str,
    *,
    progress: Callable[[dict[str, Any]], None] = lambda _p: None,
    cancel: threading.Event | None = None,
    workers: int = 0,
) -> ExportEntry:
    """Carry out a recorded export; returns the finished history entry (status completed/failed/cancelled)."""
    row = get_export(db, export_id)
    stored = stored_settings(db, export_id)
    dataset_id = stored.pop("dataset_id")
    options = build_options({}, stored)
    final = Path(row.export_path)
    temp = export_target.temp_folder(final, export_id)
    part = export_target.temp_zip(final, export_id)
    update_export(db, export_id, status="processing")
    try:
        result, items, skipped = _build(
            db,
            settings,
            export_id,
            dataset_id,
            options,
            final,
            temp,
            part,
            progress=progress,
            cancel=cancel,
            workers=workers,
        )
    except Exception as exc:  # every failure removes the temp work and is recorded on the row
        export_target.discard(temp, part)
        _record_failure(db, export_id, exc, final, progress)
        if not isinstance(exc, (ExportCancelled, DiskFull, CaptionForgeError, OSError)):
            raise  # a bug: recorded above, the traceback goes to the log
        return get_export(db, export_id)
    finally:
        export_target.discard(temp)
    return _record_completed(db, export_id, options, final, result, items, skipped, progress)


def _build(
    db: Database,
    settings: Settings,
    export_id: str,
    dataset_id: str,
    options: ExportOptions,
    final: Path,
    temp: Path,
    part: Path,
    *,
    progress: Callable[[dict[str, Any]], None],
    cancel: threading.Event | None,
    workers: int,
) -> tuple[dict[str, Any], list[PlanItem], list[SkippedFile]]:
    """Plan the items again, build them in the temp place and rename it into place; (result, items, skipped)."""
    context = _context(db, dataset_id, options)
    context.final = str(final)
    context.resolution = training_resolution(options, settings["image_processing"]["training_resolution"])
    items, skipped = plan_items(context.rows, options, context.layout, context.ensure_trigger)
    target = export_target.resolve_target(db, settings, options.export_type, str(final), context.slug)
    if target.non_empty and not options.overwrite:
        export_target.require_confirmation(target, False)
    final.parent.mkdir(parents=True, exist_ok=True)
    zipped = options.export_type == "zip"
    result = build_export(
        items,
        options,
        context,
        temp=temp,
        part=part if zipped else None,
        export_id=export_id,
        progress=progress,
        cancel=cancel or threading.Event(),
        max_pixels=settings["image_processing"]["max_image_pixels"],
        workers=workers,
    )
    export_target.commit(part if zipped else temp, final)
    return result, items, skipped


def _record_failure(
    db: Database,
    export_id: str,
    exc: Exception,
    final: Path,
    progress: Callable[[dict[str, Any]], None],
) -> None:
    """Record a failed or cancelled export on its row and tell the listener."""
    message = _failure_message(exc, final)
    status = "cancelled" if isinstance(exc, ExportCancelled) else "failed"
    update_export(db, export_id, status=status, error_message=message, completed_date=utcnow())
    progress({"export_id": export_id, "status": status, "error": message})


def _record_completed(
    db: Database,
    export_id: str,
    options: ExportOptions,
    final: Path,
    result: dict[str, Any],
    items: list[PlanItem],
    skipped: list[SkippedFile],
    progress: Callable[[dict[str, Any]], None],
) -> ExportEntry:
    """Record a finished export (counts, size, report) and tell the listener; returns the history entry."""
    report = {
        **result["report"],
        "skipped": [entry.model_dump() for entry in skipped[:SKIPPED_SHOWN]],
        "skipped_reasons": _reasons(skipped),
    }
    size = final.stat().st_size if options.export_type == "zip" else result["bytes"]
    update_export(
        db,
        export_id,
        status="completed",
        completed_date=utcnow(),
        file_count=result["file_count"],
        total_size_mb=round(size / 1e6, 3),
        report=json.dumps(report),
    )
    done = get_export(db, export_id)
    progress(
        {
            "export_id": export_id,
            "status": "completed",
            "done": result["file_count"],
            "total": len(items),
            "file_count": result["file_count"],
            "total_size_mb": done.total_size_mb,
        }
    )
    return done


def _context(db: Database, dataset_id: str, options: ExportOptions) -> ExportContext:
    """The dataset, caption set, layout and member rows one export reads."""
    with db.session() as session:
        dataset = session.get(models.Dataset, dataset_id)
        if dataset is None:
            raise NotFound(f"No dataset with id {dataset_id}")
        caption_set = _caption_set(session, dataset_id, options.caption_set_id)
        rows = [row._asdict() for row in session.execute(_members_query(dataset_id, options))]
        trigger = caption_set.trigger_phrase if caption_set else None
        return ExportContext(
            dataset=NamedRef(id=dataset.id, name=dataset.name),
            caption_set=NamedRef(id=caption_set.id, name=caption_set.name) if caption_set else None,
            slug=dataset.name_filesystem_safe or export_target.default_slug(dataset.name),
            rows=rows,
            layout=layout_for(options, trigger),
            trigger=trigger,
            tag_style=bool(caption_set and caption_set.style == "tags"),
            # The set guarantees its trigger at export too (captions saved before the switch was on).
            ensure_trigger=(trigger, caption_set.style)
            if caption_set and caption_set.ensure_trigger
            else None,
            kohya_tokens=kohya_folder(options, trigger).split("_", 1)[1] if options.layout == "kohya" else "",
        )


def _caption_set(session: Any, dataset_id: str, caption_set_id: str | None) -> models.CaptionSet | None:
    """The chosen caption set (None when none is chosen); NotFound when it is not this dataset's."""
    caption_set = session.get(models.CaptionSet, caption_set_id) if caption_set_id else None
    if caption_set_id and (caption_set is None or caption_set.dataset_id != dataset_id):
        raise NotFound(f"The caption set {caption_set_id} does not belong to this dataset")
    return caption_set


def _members_query(dataset_id: str, options: ExportOptions) -> Any:
    """The dataset's members in order, with their tracked file data and the chosen set's caption."""
    m = models
    return (
        select(
            m.DatasetFile.file_id,
            m.DatasetFile.excluded,
            m.TrackedFile.filename,
            m.TrackedFile.file_path,
            m.TrackedFile.file_hash,
            m.TrackedFile.size_bytes,
            m.TrackedFile.file_size_mb,
            m.TrackedFile.width,
            m.TrackedFile.height,
            m.TrackedFile.file_exists,
            m.TrackedFile.quality_score,
            m.TrackedFile.quality_flags,
            m.TrackedFile.imported_caption,
            m.TrackedFile.is_video,
            m.Caption.caption_text,
            m.DatasetFile.crop_x,
            m.DatasetFile.crop_y,
            m.DatasetFile.crop_w,
            m.DatasetFile.crop_h,
        )
        .join(m.TrackedFile, m.TrackedFile.id == m.DatasetFile.file_id)
        .outerjoin(
            m.Caption,
            (m.Caption.file_id == m.DatasetFile.file_id)
            & (m.Caption.caption_set_id == (options.caption_set_id or "")),
        )
        .where(m.DatasetFile.dataset_id == dataset_id)
        .order_by(
            m.DatasetFile.order_index.is_(None),
            m.DatasetFile.order_index,
            m.DatasetFile.date_added,
            m.TrackedFile.filename,
        )
    )


def _reasons(skipped: list[SkippedFile]) -> dict[str, int]:
    """How many were skipped for each reason, most first."""
    return dict(Counter(entry.reason for entry in skipped).most_common())


def _failure_message(exc: Exception, final: Path) -> str:
    if isinstance(exc, (ExportCancelled, DiskFull, CaptionForgeError)):
        return str(exc)
    if isinstance(exc, OSError):
        return (
            f"Cannot write the export at {final} ({exc.strerror or exc}); nothing was left under that name."
        )
    return f"The export failed ({type(exc).__name__}: {exc}); nothing was written under {final}."
