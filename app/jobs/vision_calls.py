"""The real vision calls a caption job makes (app.vision.client), in the shape the runner injects."""

from __future__ import annotations

import asyncio
from typing import Any

from nicegui import background_tasks

from app.config import Settings
from app.errors import BackendUnavailable, CaptionForgeError
from app.jobs.caption_job import ModelCheck
from app.services.vision_models.vision_models import is_installed
from app.vision import transport
from app.vision.catalog import load_catalog
from app.vision.client import generate_caption, installed_models, resolve_model_name, vision_settings
from app.vision.errors import VisionError
from app.vision.imaging import DEFAULT_VIDEO_FRAMES, PreparedImage, prepare_for_model


class VisionCaptioner:
    """Caption one image on a given server. `prepare(path)` downscales an image ahead of its turn (in the
    process pool), so a slot's time goes to the model, not to waiting for the image."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._ready: dict[tuple[str, tuple[float, float] | None], asyncio.Task] = {}

    async def __call__(self, image_path: str, *, base_url: str, model: str, **options: Any) -> Any:
        image = await self._prepared((image_path, options.get("time_range")))
        return await generate_caption(
            self.settings, image_path, model=model, base_url=base_url, image=image, **options
        )

    def prepare(self, image_path: str, time_range: tuple[float, float] | None = None) -> None:
        """Start preparing an image (or a clip's frames) that will be captioned soon (once per path and range)."""
        key = (image_path, time_range)
        if key not in self._ready:
            vision, max_pixels, _ = vision_settings(self.settings)
            work = prepare_for_model(
                image_path,
                float(vision.get("max_image_megapixels") or 1.5),
                max_pixels,
                int(vision.get("video_frames") or DEFAULT_VIDEO_FRAMES),
                time_range,
            )
            # Errors surface when the image's turn comes: generate_caption prepares it again and reports them.
            task = background_tasks.create(work, name="prepare image", handle_exceptions=False)
            task.add_done_callback(_retrieve)  # an unused failed preparation must not log "never retrieved"
            self._ready[key] = task

    def discard(self) -> None:
        """Drop prepared images nobody will ask for (the run paused or ended)."""
        for task in self._ready.values():
            task.cancel()
        self._ready.clear()

    async def _prepared(self, key: tuple[str, Any]) -> PreparedImage | list[PreparedImage] | None:
        task = self._ready.pop(key, None)
        if task is None:
            return None
        try:
            return await task
        except (CaptionForgeError, OSError, asyncio.CancelledError):
            return None


def _retrieve(task: asyncio.Task) -> None:
    if not task.cancelled():
        task.exception()


def captioner_for(settings: Settings) -> VisionCaptioner:
    """The captioner a job run uses (one per run: its prepared images belong to that run)."""
    return VisionCaptioner(settings)


def warm_up(settings: Settings) -> None:
    """Everything a cold app's first caption job would otherwise build on the event loop before its first
    request (HTTP client modules, TLS context, the model catalog): run it in a thread at startup."""
    transport.warm_up()
    load_catalog(settings.data_dir)


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
