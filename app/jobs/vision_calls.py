"""The real vision calls a caption job makes (app.vision.client), in the shape the runner injects."""

from __future__ import annotations

from typing import Any

from app.config import Settings
from app.errors import BackendUnavailable
from app.jobs.caption_job import Captioner, ModelCheck
from app.vision.catalog import is_installed
from app.vision.client import generate_caption, installed_models, resolve_model_name
from app.vision.errors import VisionError


def captioner_for(settings: Settings) -> Captioner:
    """Caption one image on the given server with the job's model and the caption set's style."""

    async def caption(image_path: str, *, base_url: str, model: str, **options: Any) -> Any:
        return await generate_caption(settings, image_path, model=model, base_url=base_url, **options)

    return caption


def model_check_for(settings: Settings) -> ModelCheck:
    """Whether a server has the model: True/False, or None when it cannot tell (the run finds out)."""

    async def has_model(base_url: str, model: str) -> bool | None:
        try:
            installed = await installed_models(settings, base_url)
        except (BackendUnavailable, VisionError):
            return None
        return is_installed(
            resolve_model_name(model, settings["vision"]["backend"], settings.data_dir), installed
        )

    return has_model
