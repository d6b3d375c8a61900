"""The vision_models table (which models each backend had at the last check, and when they were pulled),
and whether a wanted model name is among the names a backend reports as installed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app import models
from app.db import Database
from app.models import utcnow
from app.services.rows import iso
from app.services.vision_models.vision_model_shapes import CachedAvailability


def is_installed(name: str, installed: Any) -> bool:
    """Whether `name` is among the installed names (Ollama's implicit ":latest", LM Studio's "@quant")."""
    full = name if ":" in name or "/" in name else f"{name}:latest"
    return any(n in (name, full) or n.startswith(name + "@") for n in installed)


def record_availability(
    db: Database, backend: str, entries: list[dict[str, str]], installed: dict[str, int | None]
) -> None:
    """Upsert one row per entry ({model_id, backend_model_name}) with is_available and last_checked now."""
    now = utcnow()
    with db.session() as session:
        rows = {
            row.model_id: row
            for row in session.scalars(
                select(models.VisionModel).where(models.VisionModel.backend == backend)
            )
        }
        for entry in entries:
            row = rows.get(entry["model_id"])
            if row is None:
                row = models.VisionModel(model_id=entry["model_id"], backend=backend)
                session.add(row)
                rows[entry["model_id"]] = row
            name = entry["backend_model_name"]
            row.backend_model_name = name
            row.is_available = is_installed(name, installed)
            row.last_checked = now
            size = installed.get(name)
            if size:
                row.file_size_mb = round(size / 1_048_576)


def cached_availability(db: Database, backend: str) -> dict[str, CachedAvailability]:
    """backend_model_name -> what the last check said about it."""
    with db.session() as session:
        rows = session.scalars(select(models.VisionModel).where(models.VisionModel.backend == backend))
        return {
            row.backend_model_name: CachedAvailability(
                is_available=row.is_available,
                last_checked=iso(row.last_checked),
                pulled_at=iso(row.pulled_at),
                file_size_mb=row.file_size_mb,
            )
            for row in rows
        }


def mark_pulled(db: Database, backend: str, model_id: str, backend_model_name: str) -> None:
    """Record a finished download."""
    now = utcnow()
    with db.session() as session:
        row = session.scalar(
            select(models.VisionModel).where(
                models.VisionModel.backend == backend, models.VisionModel.model_id == model_id
            )
        )
        if row is None:
            row = models.VisionModel(model_id=model_id, backend=backend)
            session.add(row)
        row.backend_model_name = backend_model_name
        row.is_available = True
        row.pulled_at = row.last_checked = now
