"""A cheap check before a caption request: does the vision server answer, and does it have the model?

One try, no retries (a refused port fails in milliseconds), remembered for a few seconds per server so
that Generate pressed again, or a dialog opened twice, does not ask again.

    await ensure_ready(settings, model="qwen3-vl-4b")   # raises ServerNotReady / ModelNotFound
"""

from __future__ import annotations

import time
from typing import Any

from app.errors import BackendUnavailable
from app.services.vision_models.vision_models import is_installed
from app.vision.client import installed_models, resolve_model_name, vision_settings
from app.vision.errors import ModelNotFound, VisionError

SETTINGS_URL = "/settings"
CACHE_SECONDS = 5.0

# (backend, base_url) -> (checked at, installed models or None, problem or None)
_CHECKED: dict[tuple[str, str], tuple[float, dict[str, int | None] | None, str | None]] = {}


class ServerNotReady(BackendUnavailable):
    """The vision server does not answer; the message says where to change it (Settings)."""

    settings_url = SETTINGS_URL


def forget_checks() -> None:
    """Drop the remembered answers (Settings changed the server, or a test wants a fresh look)."""
    _CHECKED.clear()


async def ensure_ready(
    settings_values: Any, *, model: str | None = None, base_url: str | None = None
) -> None:
    """Raise ServerNotReady when the server does not answer, ModelNotFound when it lacks the model."""
    vision, _, data_dir = vision_settings(settings_values)
    url = (base_url or vision["base_url"]).rstrip("/")
    installed = await _installed(settings_values, vision, url)
    if not model and not vision.get("model"):
        return
    name = resolve_model_name(model or vision["model"], vision["backend"], data_dir)
    if not is_installed(name, installed):  # ask again: the model may have been downloaded since
        _CHECKED.pop((str(vision.get("backend")), url), None)
        installed = await _installed(settings_values, vision, url)
    if not is_installed(name, installed):
        others = ", ".join(sorted(installed)) or "none"
        raise ModelNotFound(
            f"The vision server at {url} does not have the model {name} (it has: {others}). "
            "Download it or choose another model in Settings."
        )


async def server_problem(settings_values: Any, base_url: str | None = None) -> str | None:
    """None when the server answers, else the message ensure_ready would raise (never raises)."""
    try:
        await ensure_ready(settings_values, model=None, base_url=base_url)
    except ServerNotReady as exc:
        return str(exc)
    return None


async def _installed(settings_values: Any, vision: dict[str, Any], url: str) -> dict[str, int | None]:
    key = (str(vision.get("backend")), url)
    cached = _CHECKED.get(key)
    if cached is None or time.monotonic() - cached[0] > CACHE_SECONDS:
        try:
            found, problem = await installed_models(settings_values, url), None
        except (BackendUnavailable, VisionError) as exc:
            found, problem = None, str(exc)
        cached = _CHECKED[key] = (time.monotonic(), found, problem)
    if cached[2] is not None or cached[1] is None:
        raise ServerNotReady(
            f"The vision server at {url} does not answer. Start it, or change the server address in "
            f"Settings. Details: {cached[2]}"
        )
    return cached[1]
