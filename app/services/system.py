"""System configuration and statistics."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from app import models
from app.config import Settings, merge_into, save_settings
from app.db import Database
from app.services.caption_jobs.caption_job_plan import normalize_endpoints
from app.services.paths import check_settings_patch


class Counts(BaseModel):
    """How many of each tracked thing the database holds."""

    folders: int
    files: int
    datasets: int
    caption_sets: int
    captions: int
    caption_jobs: int
    exports: int
    missing_files: int = Field(description="Tracked files no longer found on disk")


class SystemStats(BaseModel):
    """The counts, where the data lives and the size of the thumbnail cache."""

    counts: Counts
    data_dir: str
    database_url: str
    thumbnail_cache_mb: float


_COUNTED = {
    "folders": models.TrackedFolder,
    "files": models.TrackedFile,
    "datasets": models.Dataset,
    "caption_sets": models.CaptionSet,
    "captions": models.Caption,
    "caption_jobs": models.CaptionJob,
    "exports": models.ExportHistory,
}


def update_config(settings: Settings, patch: dict[str, Any]) -> dict[str, Any]:
    """Validate a partial settings object, apply it at runtime, save settings.yaml; returns the new settings.

    A masked API key ("********") sent back unchanged keeps the stored key.
    """
    patch = copy.deepcopy(patch)
    check_settings_patch(settings, patch)  # LAN users cannot widen their own access
    if patch.get("vision", {}).get("api_key") == "********":
        patch["vision"].pop("api_key")
    if "endpoints" in patch.get("vision", {}):
        patch["vision"]["endpoints"] = normalize_endpoints(patch["vision"]["endpoints"])
    checked = copy.deepcopy(settings.values)
    merge_into(checked, patch)  # validate all of it first
    changed = {
        section: {key: checked[section][key] for key in entries}
        for section, entries in patch.items()
        if entries
    }
    save_settings(settings, changed)  # then disk, then memory: a failed save changes neither
    merge_into(settings.values, changed)
    return settings.public_dict()


def system_stats(db: Database, settings: Settings) -> SystemStats:
    """Counts of folders, files, datasets, captions and jobs, plus the disk used by the data dir."""
    with db.session() as session:
        counts = {
            name: session.scalar(select(func.count()).select_from(model)) or 0
            for name, model in _COUNTED.items()
        }
        counts["missing_files"] = (
            session.scalar(
                select(func.count())
                .select_from(models.TrackedFile)
                .where(models.TrackedFile.file_exists.is_(False))
            )
            or 0
        )
    thumbs = sum(p.stat().st_size for p in settings.thumbnails_dir.glob("**/*") if p.is_file())
    return SystemStats(
        counts=Counts(**counts),
        data_dir=str(settings.data_dir),
        database_url=settings.database_url,
        thumbnail_cache_mb=round(thumbs / 1_048_576, 2),
    )
