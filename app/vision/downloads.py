"""Model downloads: one normalized progress stream for both backends, and a registry of running
downloads that the Settings page and the API both watch (start, progress, cancel)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from app.errors import BackendUnavailable
from app.services.vision_models.vision_models import mark_pulled
from app.vision.catalog import find_model, load_catalog
from app.vision.client import make_backend, vision_settings
from app.vision.errors import DownloadFailed, DownloadUnsupported, VisionError
from app.vision.openai_compat import OpenAICompatBackend

log = logging.getLogger(__name__)
_STATUS = {
    "pulling manifest": "Pulling manifest",
    "verifying sha256 digest": "Verifying",
    "writing manifest": "Writing manifest",
    "removing unused layers": "Cleaning up",
    "downloading": "Downloading",
    "success": "Complete",
}


@dataclass
class DownloadState:
    """What a download dialog shows. state: running | success | error | cancelled."""

    model: str
    backend: str
    state: str = "running"
    status: str = "Starting"
    completed: int = 0
    total: int = 0
    percent: float = 0.0
    speed_bps: float = 0.0
    error: str | None = None
    error_kind: str | None = None  # unknown_tag | disk_full | server_gone | unsupported | failed
    command: str | None = None  # what to run in a terminal when the server cannot download
    started: float = field(default_factory=time.time)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def pull_model(settings_values: Any, model: str) -> AsyncIterator[DownloadState]:
    """Download `model` on the configured backend, yielding its state after every progress event.

    Ends with state "success", or "error" with a message and error_kind. Stop iterating to cancel
    (the connection closes and the server stops pulling)."""
    vision, _, data_dir = vision_settings(settings_values)
    backend = make_backend(vision)
    progress = DownloadState(model=model, backend=backend.name)
    layers: dict[str, tuple[int, int]] = {}
    last = (time.monotonic(), 0)
    try:
        if isinstance(backend, OpenAICompatBackend):
            curated = find_model(load_catalog(data_dir), model)
            quant = (curated.backends.get("lmstudio") or {}).get("default_quant") if curated else None
            events = backend.pull(model, quant)
        else:
            events = backend.pull(model)
        async for event in events:
            _apply(progress, event, layers)
            now = time.monotonic()
            if now - last[0] >= 0.5 and progress.completed >= last[1]:
                measured = (progress.completed - last[1]) / (now - last[0])
                progress.speed_bps = event.get("speed") or (0.5 * progress.speed_bps + 0.5 * measured)
                last = (now, progress.completed)
            yield progress
    except DownloadUnsupported as exc:
        _fail(progress, "unsupported", f"{exc} Run this in a terminal, then refresh: {exc.command}")
        progress.command = exc.command
    except DownloadFailed as exc:
        kind, message = explain_failure(str(exc), model, vision["base_url"])
        _fail(progress, kind, message)
    except BackendUnavailable as exc:
        _fail(
            progress,
            "server_gone",
            f"The server at {vision['base_url']} went away ({exc}). Start it and retry; finished parts are kept.",
        )
    except VisionError as exc:
        _fail(progress, "failed", str(exc))
    else:
        if progress.state == "running":
            _fail(progress, "server_gone", "The download ended without finishing. Retry.")
    yield progress


def explain_failure(error: str, model: str, base_url: str) -> tuple[str, str]:
    """(error_kind, message a person can act on) for a backend's download error."""
    text = error.lower()
    if "file does not exist" in text or "manifest unknown" in text or "not found" in text:
        return (
            "unknown_tag",
            f'"{model}" is not a model the server can download. Check the name (e.g. qwen3-vl:4b-instruct).',
        )
    if "no space left" in text or "enospc" in text or "disk" in text:
        return (
            "disk_full",
            f"Not enough disk space on the server at {base_url} for {model}. Free some space and retry.",
        )
    return "failed", f"The download of {model} failed: {error}. Retry."


class Downloads:
    """Running downloads by model name, one registry per running app (app.container)."""

    def __init__(self, on_success: Callable[[DownloadState], Any] | None = None) -> None:
        self.states: dict[str, DownloadState] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        self._on_success = on_success

    def start(self, settings_values: Any, model: str) -> DownloadState:
        """Start (or join) the download of `model`; call from the event loop."""
        task = self._tasks.get(model)
        if task and not task.done():
            return self.states[model]
        vision, _, _ = vision_settings(settings_values)
        self.states[model] = DownloadState(model=model, backend=vision["backend"])
        self._tasks[model] = asyncio.get_running_loop().create_task(self._run(settings_values, model))
        return self.states[model]

    def get(self, model: str) -> DownloadState | None:
        return self.states.get(model)

    def cancel(self, model: str) -> bool:
        """Stop a running download; False when none runs."""
        task = self._tasks.get(model)
        if not task or task.done():
            return False
        task.cancel()
        return True

    async def _run(self, settings_values: Any, model: str) -> None:
        try:
            async for state in pull_model(settings_values, model):
                self.states[model] = state
        except asyncio.CancelledError:
            state = self.states[model]
            state.state, state.status = "cancelled", "Cancelled"
            raise
        state = self.states[model]
        if state.state == "success" and self._on_success:
            try:
                result = self._on_success(state)
                if asyncio.iscoroutine(result):
                    await result
            except Exception:  # the download itself worked; a bookkeeping failure is only logged
                log.exception("after downloading %s", model)


def _apply(progress: DownloadState, event: dict[str, Any], layers: dict[str, tuple[int, int]]) -> None:
    status = str(event.get("status") or "")
    if event.get("digest") and event.get("total"):
        layers[event["digest"]] = (int(event["total"]), int(event.get("completed") or 0))
        progress.total = sum(t for t, _ in layers.values())
        progress.completed = sum(c for _, c in layers.values())
        progress.status = "Downloading layers"
    elif event.get("total"):
        progress.total, progress.completed = int(event["total"]), int(event.get("completed") or 0)
        progress.status = _STATUS.get(status, status.capitalize())
    else:
        progress.status = _STATUS.get(status, status.capitalize())
    if progress.total:
        progress.percent = round(100 * progress.completed / progress.total, 1)
    if status == "success":
        progress.state, progress.percent = "success", 100.0
        progress.completed = progress.total = progress.total or progress.completed


def _fail(progress: DownloadState, kind: str, message: str) -> None:
    progress.state, progress.error_kind, progress.error = "error", kind, message
    progress.status = "Failed"


def make_downloads(core: Any) -> Downloads:
    """The app's download registry; a finished download is recorded in vision_models."""

    async def record(state: DownloadState) -> None:
        catalog = load_catalog(core.settings.data_dir)
        curated = find_model(catalog, state.model)
        model_id = curated.id if curated else state.model
        await asyncio.to_thread(mark_pulled, core.db, state.backend, model_id, state.model)

    return Downloads(on_success=record)
