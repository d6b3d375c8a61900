"""The model list the Settings page and GET /api/vision/models show: curated + custom, each with
Ready / Not downloaded / Backend unreachable, checked live and cached in the vision_models table."""

from __future__ import annotations

import asyncio
from typing import Any

from app.config import Settings
from app.db import Database
from app.errors import BackendUnavailable
from app.services.vision_models.vision_model_shapes import CachedAvailability, ModelRow, ModelStatuses
from app.services.vision_models.vision_models import cached_availability, is_installed, record_availability
from app.vision.catalog import find_model, load_catalog
from app.vision.client import installed_models
from app.vision.errors import VisionError

STATUS_LABELS = {
    "ready": "Ready",
    "not_downloaded": "Not downloaded",
    "unreachable": "Backend unreachable",
    "unknown": "Not checked",
}


async def model_statuses(settings: Settings, db: Database, *, refresh: bool = True) -> ModelStatuses:
    """Every curated model and the one in settings with its status. With refresh the backend is asked (and
    the table updated); without, the last check is shown."""
    vision = settings["vision"]
    backend = vision["backend"]
    catalog = load_catalog(settings.data_dir)
    entries = [
        {"model_id": m.id, "backend_model_name": name} for m in catalog if (name := m.model_name(backend))
    ]
    current = vision["model"]
    curated_current = find_model(catalog, current)
    if curated_current is None and current:
        entries.append({"model_id": current, "backend_model_name": current})
    installed: dict[str, int | None] | None = None
    error = None
    if refresh:
        try:
            installed = await installed_models(settings)
        except (BackendUnavailable, VisionError) as exc:
            error = str(exc)
        else:
            await asyncio.to_thread(record_availability, db, backend, entries, installed)
    cached = await asyncio.to_thread(cached_availability, db, backend)
    rows: list[ModelRow] = []
    for entry in entries:
        name = entry["backend_model_name"]
        curated = find_model(catalog, entry["model_id"]) if entry["model_id"] != name else None
        row: dict[str, Any] = (
            curated.as_dict(backend) if curated else {"id": name, "name": name, "model_name": name}
        )
        row["custom"] = curated is None
        status = _status(name, installed, cached.get(name), error)
        row.update(status=status, status_label=STATUS_LABELS[status], **_cache_fields(cached.get(name)))
        rows.append(ModelRow.model_validate(row))
    return ModelStatuses(
        backend=backend,
        base_url=vision["base_url"],
        reachable=None if not refresh else error is None,
        error=error,
        current=current,
        installed=sorted(installed) if installed is not None else [],
        models=rows,
    )


def _status(name: str, installed: dict | None, cached: CachedAvailability | None, error: str | None) -> str:
    if error:
        return "unreachable"
    if installed is not None:
        return "ready" if is_installed(name, installed) else "not_downloaded"
    if cached is None or cached.last_checked is None:
        return "unknown"
    return "ready" if cached.is_available else "not_downloaded"


def _cache_fields(cached: CachedAvailability | None) -> dict[str, Any]:
    if cached is None:
        return dict.fromkeys(("last_checked", "pulled_at", "file_size_mb"))
    return cached.model_dump(include={"last_checked", "pulled_at", "file_size_mb"})
