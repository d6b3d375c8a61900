"""Caption one tracked file (the editor's Generate button and POST /api/vision/generate)."""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from app.config import Settings
from app.db import Database
from app.services.video import video_clips
from app.services.vision_models.vision_generate import generation_inputs
from app.vision.client import CaptionResult, generate_caption
from app.vision.prompts import STYLES
from app.vision.reachability import ensure_ready


class SettingsAndDatabase(Protocol):
    """What a single generation reads: the settings and the database (the Core or the app's services)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def db(self) -> Database: ...


async def generate_for_clip(core: SettingsAndDatabase, clip_id: str, caption_set_id: str) -> dict[str, Any]:
    """Caption one clip from frames of its own time range, with the caption set's settings, and keep the
    caption on the clip. Returns the clip (with caption_text) and the result under "result"."""
    clip = await asyncio.to_thread(video_clips.get_clip, core.db, clip_id)
    span = (clip.start, clip.end)
    result = await generate_for_file(core, clip.file_id, caption_set_id, time_range=span)
    saved = await asyncio.to_thread(video_clips.set_caption, core.db, clip_id, result.caption)
    return {**saved.model_dump(), "result": result.to_dict()}


async def generate_for_file(
    core: SettingsAndDatabase, file_id: str, caption_set_id: str | None = None, **overrides: Any
) -> CaptionResult:
    """Generate a caption for a tracked file with its caption set's style, length, trigger phrase,
    prompt and model; non-None overrides (style, max_length, trigger_phrase, custom_prompt,
    vision_model, base_url) win. Raises what generate_caption raises, or NotFound; a server that does not
    answer, or lacks the model, fails at once (ServerNotReady, ModelNotFound) rather than after retries."""
    time_range = overrides.pop("time_range", None)  # a clip of a video: frames from that range only
    inputs = await asyncio.to_thread(generation_inputs, core.db, file_id, caption_set_id)
    inputs = inputs.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    await ensure_ready(core.settings, model=inputs.vision_model, base_url=inputs.base_url)
    style = inputs.style or "natural_detailed"
    return await generate_caption(
        core.settings,
        inputs.image_path,
        style=style if style in STYLES else "custom",
        max_length=inputs.max_length,
        trigger_phrase=inputs.trigger_phrase,
        custom_prompt=inputs.custom_prompt,
        model=inputs.vision_model,
        base_url=inputs.base_url,
        context=inputs.context,
        time_range=time_range,
    )
