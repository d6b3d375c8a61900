"""Export endpoints: start and plan an export of a dataset, follow jobs, download ZIPs, history, presets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Body
from fastapi.responses import FileResponse

from app.api.schemas.export_responses import ExportCancelling, PresetDeleted
from app.api.schemas.export_schemas import PRESET_EXAMPLE, ExportPresetOptions, ExportRequest
from app.container import ServicesDep
from app.errors import Conflict, NotFound
from app.services.exports import export_history, export_presets, exports
from app.services.exports.export_shapes import (
    ExportCheckResult,
    ExportEntry,
    ExportPlan,
    ExportStarted,
    Preset,
)

router = APIRouter(prefix="/api", tags=["exports"])

EXAMPLE = {
    "caption_set_id": "caption-set-456",
    "preset": "kohya_ss",
    "export_type": "folder",
    "export_path": "/home/me/lora/nova",
    "overwrite": False,
    "numbering": {"start": 1, "padding": 6},
    "image_processing": {
        "format": "jpeg",
        "target_resolution": 1024,
        "jpeg_quality": 95,
        "png_compression": 9,
        "strip_metadata": True,
    },
    "filtering": {"min_quality_score": 0.7, "exclude_flagged": ["blurry"]},
    "caption_format": "txt",
    "include_manifest": True,
    "repeats": 10,
    "class_tokens": "woman",
}


@router.post(
    "/datasets/{dataset_id}/export",
    response_model=ExportStarted,
    summary="Start an export (the nested request, or flat option names, plus preset/layout)",
)
def start_export(
    services: ServicesDep, dataset_id: str, request: ExportRequest = Body(..., examples=[EXAMPLE])
) -> ExportStarted:
    return services.exports.start(dataset_id, request.as_request())


@router.post(
    "/datasets/{dataset_id}/export/plan",
    response_model=ExportPlan,
    summary="The summary before starting: count, size, skips",
)
def plan_export(
    services: ServicesDep, dataset_id: str, request: ExportRequest = Body(..., examples=[EXAMPLE])
) -> ExportPlan:
    return exports.plan_export(services.db, services.settings, dataset_id, request.as_request())


@router.post(
    "/datasets/{dataset_id}/export/check",
    summary="The checks before writing: missing triggers, small, flagged and duplicate images",
    response_model=ExportCheckResult,
)
def check_export(
    services: ServicesDep, dataset_id: str, request: ExportRequest = Body(..., examples=[EXAMPLE])
) -> ExportCheckResult:
    plan = exports.plan_export(services.db, services.settings, dataset_id, request.as_request())
    return ExportCheckResult(file_count=plan.file_count, issue_count=len(plan.found()), checks=plan.checks)


@router.get(
    "/export/jobs",
    response_model=list[ExportEntry],
    summary="Exports that are pending or running, with live progress",
)
def list_jobs(services: ServicesDep) -> list[ExportEntry]:
    active = [e for e in export_history.list_history(services.db) if e.status in export_history.ACTIVE]
    return [services.exports.status(entry.id) for entry in active]


@router.get(
    "/export/jobs/{export_id}", response_model=ExportEntry, summary="One export's status and progress"
)
def get_job(services: ServicesDep, export_id: str) -> ExportEntry:
    return services.exports.status(export_id)


@router.post(
    "/export/jobs/{export_id}/cancel",
    response_model=ExportCancelling,
    summary="Cancel a running export (nothing is left behind)",
)
def cancel_job(services: ServicesDep, export_id: str) -> dict[str, Any]:
    if not services.exports.cancel(export_id):
        raise Conflict("This export is not running")
    return {"export_id": export_id, "status": "cancelling"}


@router.get(
    "/export/jobs/{export_id}/download",
    summary="Download a finished ZIP export",
    response_class=FileResponse,
    responses={200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}},
)
def download(services: ServicesDep, export_id: str) -> FileResponse:
    entry = export_history.get_export(services.db, export_id)
    if entry.export_format != "zip":
        raise Conflict(f"This export is a folder at {entry.export_path}, not a ZIP")
    if entry.status != "completed":
        raise Conflict(f"This export is {entry.status}; a ZIP can be downloaded once it is completed")
    path = Path(entry.export_path)
    if not path.is_file():
        raise NotFound(f"The ZIP {path} is gone (moved or deleted); export again")
    return FileResponse(path, media_type="application/zip", filename=path.name)


@router.get("/export/history", response_model=list[ExportEntry], summary="Past exports, newest first")
def history(services: ServicesDep, dataset_id: str | None = None) -> list[ExportEntry]:
    return export_history.list_history(services.db, dataset_id)


@router.get("/export/presets", response_model=list[Preset], summary="Built-in and saved export presets")
def list_presets(services: ServicesDep) -> list[Preset]:
    return export_presets.list_presets(services.settings.data_dir)


@router.put("/export/presets/{name}", response_model=Preset, summary="Save a user preset from option values")
def save_preset(
    services: ServicesDep,
    name: str,
    options: ExportPresetOptions = Body(..., examples=[PRESET_EXAMPLE]),
) -> Preset:
    sent = options.model_dump(exclude_unset=True)
    return export_presets.save_preset(services.settings.data_dir, name, sent)


@router.delete("/export/presets/{name}", response_model=PresetDeleted, summary="Delete a user preset")
def delete_preset(services: ServicesDep, name: str) -> dict[str, Any]:
    export_presets.delete_preset(services.settings.data_dir, name)
    return {"deleted": name}
