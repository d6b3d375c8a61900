"""The vision entry points the app uses: generate_caption, the installed-model check, test_connection."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.config import Settings
from app.errors import BackendUnavailable
from app.services.captions.postprocess import finish_caption
from app.services.video_probe import is_video_path
from app.services.vision_models.vision_model_shapes import ConnectionCheck
from app.services.vision_models.vision_models import is_installed
from app.vision.catalog import find_model, load_catalog
from app.vision.errors import VisionError
from app.vision.imaging import DEFAULT_VIDEO_FRAMES, PreparedImage, as_list, prepare_for_model
from app.vision.ollama import OllamaBackend
from app.vision.openai_compat import OpenAICompatBackend
from app.vision.parsing import parse_reply
from app.vision.prompts import build_prompt
from app.vision.replies import RawReply
from app.vision.transport import Connection

DEFAULT_MAX_PIXELS = 178_956_970


@dataclass
class CaptionResult:
    """A generated caption with the model's quality opinion (the /api/vision/generate response)."""

    caption: str
    quality_score: float | None
    quality_details: dict[str, float]
    flags: list[str]
    processing_time_ms: int
    model: str
    backend: str
    prompt: str = ""
    raw: dict[str, Any] = field(default_factory=dict)  # done_reason, token counts, reasoning length

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


async def generate_caption(
    settings_values: Any,
    image_path: str | Path,
    *,
    style: str,
    max_length: int | None = None,
    trigger_phrase: str | None = None,
    custom_prompt: str | None = None,
    model: str | None = None,
    base_url: str | None = None,
    context: dict[str, Any] | None = None,
    image: PreparedImage | list[PreparedImage] | None = None,
    time_range: tuple[float, float] | None = None,
) -> CaptionResult:
    """Caption one image with the configured backend.

    settings_values: Settings, its `.values`, or the "vision" section. model/base_url override the
    settings (a curated id like "qwen3-vl-4b" is resolved to the backend's name). context fills the
    custom prompt's {filename} {folder} {imported_caption}. Raises BackendUnavailable, VisionError
    (ModelNotFound, BackendRejected, EmptyCaption) or NotFound/Invalid for the image.
    """
    started = time.perf_counter()
    vision, max_pixels, data_dir = vision_settings(settings_values)
    path = Path(image_path)
    frames = int(vision.get("video_frames") or DEFAULT_VIDEO_FRAMES) if is_video_path(path) else 0
    prompt = _prompt(path, style, max_length, trigger_phrase, custom_prompt, context, frames)
    backend = make_backend(vision, base_url)
    model_name = resolve_model_name(model or vision["model"], vision["backend"], data_dir)
    # A caption job passes `image` prepared ahead, while earlier requests were still running.
    megapixels = float(vision.get("max_image_megapixels") or 1.5)
    frames_wanted = frames or DEFAULT_VIDEO_FRAMES
    image = image or await prepare_for_model(path, megapixels, max_pixels, frames_wanted, time_range)
    reply = await backend.chat(model_name, prompt, image)
    parsed = parse_reply(reply.content, done_reason=reply.done_reason)
    caption = finish_caption(
        parsed.caption, style=style, trigger_phrase=trigger_phrase, max_length=max_length
    )
    return CaptionResult(
        caption=caption,
        quality_score=parsed.quality.get("overall"),
        quality_details=parsed.quality,
        flags=parsed.flags,
        processing_time_ms=int((time.perf_counter() - started) * 1000),
        model=model_name,
        backend=backend.name,
        prompt=prompt,
        raw=_reply_details(reply, as_list(image), frames),
    )


def _prompt(
    path: Path,
    style: str,
    max_length: int | None,
    trigger_phrase: str | None,
    custom_prompt: str | None,
    context: dict[str, Any] | None,
    frames: int,
) -> str:
    """The prompt for one image (or a video's `frames` frames), its custom placeholders filled from `context`."""
    values = {"filename": path.name, "folder": path.parent.name, "imported_caption": "", **(context or {})}
    return build_prompt(
        style,
        max_length=max_length,
        trigger_phrase=trigger_phrase,
        custom_prompt=custom_prompt,
        context=values,
        video_frames=frames,
    )


def _reply_details(reply: RawReply, sent: list[PreparedImage], frames: int) -> dict[str, Any]:
    """The raw part of a result: why the model stopped, its reasoning length, the image sent, token counts."""
    return {
        "done_reason": reply.done_reason,
        "reasoning_chars": len(reply.reasoning),
        "image": {
            "width": sent[0].width,
            "height": sent[0].height,
            "mime": sent[0].mime,
            "bytes": sum(len(one.data) for one in sent),
            "frames": len(sent) if frames else None,
        },
        **reply.metrics,
    }


async def installed_models(settings_values: Any, base_url: str | None = None) -> dict[str, int | None]:
    """The models the backend has (name -> size in bytes when known). Raises BackendUnavailable."""
    vision, _, _ = vision_settings(settings_values)
    return await make_backend(vision, base_url).installed_models()


async def check_connection(settings_values: Any, model: str | None = None) -> list[ConnectionCheck]:
    """Checks, in order, of what works and what does not. Never raises."""
    vision, _, data_dir = vision_settings(settings_values)
    backend = make_backend(vision)
    name = resolve_model_name(model or vision["model"], vision["backend"], data_dir)
    checks: list[ConnectionCheck] = []
    try:
        kind = await backend.server_version()
        installed = await backend.installed_models()
    except (BackendUnavailable, VisionError) as exc:
        checks.append(ConnectionCheck(check="Server", ok=False, detail=f"{vision['base_url']}: {exc}"))
        return checks
    checks.append(ConnectionCheck(check="Server", ok=True, detail=f"{kind} answers at {vision['base_url']}"))
    if not is_installed(name, installed):
        detail = f"{name} is not downloaded. Use Download, or pick one of: {', '.join(sorted(installed)) or 'none'}"
        checks.append(ConnectionCheck(check="Model", ok=False, detail=detail))
        return checks
    checks.append(ConnectionCheck(check="Model", ok=True, detail=f"{name} is installed"))
    try:
        capabilities = await backend.capabilities(name)
    except (BackendUnavailable, VisionError) as exc:
        checks.append(ConnectionCheck(check="Vision", ok=False, detail=str(exc)))
        return checks
    if capabilities and "vision" not in capabilities:
        checks.append(
            ConnectionCheck(
                check="Vision", ok=False, detail=f"{name} cannot see images: choose a vision model"
            )
        )
    elif capabilities:
        checks.append(ConnectionCheck(check="Vision", ok=True, detail=f"{name} accepts images"))
    if "thinking" in capabilities:
        checks.append(
            ConnectionCheck(
                check="Thinking",
                ok=False,
                detail=f"{name} is a thinking model and may return empty captions: use an -instruct tag",
            )
        )
    return checks


def make_backend(vision: dict[str, Any], base_url: str | None = None) -> OllamaBackend | OpenAICompatBackend:
    """The backend object for the settings' backend kind."""
    connection = Connection.from_settings(vision, base_url)
    if vision.get("backend") == "openai":
        return OpenAICompatBackend(connection, vision)
    return OllamaBackend(connection, vision)


def resolve_model_name(name: str, backend: str, data_dir: Path | None = None) -> str:
    """A curated id or curated name ("qwen3-vl-4b") becomes this backend's name; any other name is used as written."""
    curated = find_model(load_catalog(data_dir), name)
    if curated:  # also translates another backend's name, e.g. after switching Ollama -> LM Studio
        return curated.model_name(backend) or name
    return name


def vision_settings(settings_values: Any) -> tuple[dict[str, Any], int | None, Path | None]:
    """(vision section, Pillow pixel guard, data dir) from Settings, its values, or the vision section."""
    data_dir = settings_values.data_dir if isinstance(settings_values, Settings) else None
    values = settings_values.values if isinstance(settings_values, Settings) else settings_values
    if "vision" in values:
        guard = (values.get("image_processing") or {}).get("max_image_pixels", DEFAULT_MAX_PIXELS)
        return values["vision"], guard, data_dir
    return values, DEFAULT_MAX_PIXELS, data_dir
