"""The image a model sees: downscaled in a worker process to <= max megapixels, both sides >= 32 px,
EXIF orientation applied, JPEG (PNG when it has transparency), never WebP, never the raw file."""

from __future__ import annotations

import asyncio
import base64
import functools
import io
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from PIL import Image

from app.errors import Invalid, NotFound
from app.services.images import ImageDecodeError, open_image, oriented_size
from app.services.video.video_frames import even_frames
from app.services.video_probe import VideoDecodeError, is_video_path
from app.services.workers import pool_started, process_pool

MIN_SIDE = 32  # Qwen3-VL (and llama.cpp) reject images smaller than one 32 px patch
JPEG_QUALITY = 90
DEFAULT_VIDEO_FRAMES = 8
MAX_VIDEO_FRAMES = 32
MIN_FRAME_MEGAPIXELS = 0.1  # each frame keeps enough detail to see what moves


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    mime: str
    width: int
    height: int

    @functools.cached_property
    def base64(self) -> str:
        """The request's text form; computed where the image is prepared (a worker), so it travels with
        the image and the event loop never encodes it."""
        return base64.b64encode(self.data).decode("ascii")

    @property
    def data_url(self) -> str:
        return f"data:{self.mime};base64,{self.base64}"


async def prepare_for_model(
    path: str | Path,
    max_megapixels: float,
    max_pixels: int | None,
    video_frames: int = DEFAULT_VIDEO_FRAMES,
    time_range: tuple[float, float] | None = None,
) -> PreparedImage | list[PreparedImage]:
    """Downscale and encode `path` in the process pool: one image, or for a video `video_frames` evenly
    spaced frames in time order (sharing the pixel budget), over `time_range` (a clip) or the whole video.
    Raises NotFound or Invalid with the reason."""
    loop = asyncio.get_running_loop()
    # Before anything has started the pool, a thread does the (GIL-releasing) Pillow work: spawning the
    # workers takes longer than preparing the first images, and a caption job's slots must not wait for it.
    executor = process_pool() if pool_started() else None
    try:
        if is_video_path(path):  # PyAV decodes in C without the GIL: a thread is enough
            count = max(1, min(MAX_VIDEO_FRAMES, int(video_frames)))
            return await loop.run_in_executor(
                None, prepare_video, str(path), count, max_megapixels, time_range
            )
        return await loop.run_in_executor(executor, prepare_image, str(path), max_megapixels, max_pixels)
    except FileNotFoundError:
        raise NotFound(f"{path} no longer exists. Rescan its folder.") from None
    except (ImageDecodeError, VideoDecodeError) as exc:
        raise Invalid(f"{Path(path).name} cannot be sent to the model: {exc}") from None


def prepare_image(path: str, max_megapixels: float, max_pixels: int | None) -> PreparedImage:
    """Worker-process body of prepare_for_model."""
    raw = Path(path).read_bytes()
    probe = open_image(raw, max_pixels=max_pixels, load=False)
    upright = oriented_size(probe)
    target = target_size(upright, max_megapixels)
    draft = target if upright == probe.size else (target[1], target[0])
    image = open_image(raw, max_pixels=max_pixels, draft_size=draft)
    if image.size != target:
        image = image.resize(target, Image.Resampling.LANCZOS)
    # One band's extrema are (min, max) numbers; Pillow's annotation also covers multi-band tuples.
    has_alpha = image.mode == "RGBA" and cast(float, image.getchannel("A").getextrema()[0]) < 255
    buffer = io.BytesIO()
    if has_alpha:
        image.save(buffer, "PNG", optimize=False)
        mime = "image/png"
    else:
        image.convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY)
        mime = "image/jpeg"
    prepared = PreparedImage(buffer.getvalue(), mime, image.width, image.height)
    _ = prepared.base64  # encoded here, off the event loop
    return prepared


def prepare_video(
    path: str, count: int, max_megapixels: float, time_range: tuple[float, float] | None = None
) -> list[PreparedImage]:
    """`count` evenly spaced frames of a video (or of a clip's time range) as JPEGs, each within its share
    of the pixel budget."""
    budget = max(MIN_FRAME_MEGAPIXELS, (max_megapixels or 1.5) / count)
    start, end = time_range if time_range else (0.0, None)
    prepared = []
    for frame in even_frames(path, count, start=start, end=end):
        target = target_size(frame.size, budget)
        if frame.size != target:
            frame = frame.resize(target, Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        frame.convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY)
        one = PreparedImage(buffer.getvalue(), "image/jpeg", frame.width, frame.height)
        _ = one.base64  # encoded here, off the event loop
        prepared.append(one)
    return prepared


def as_list(image: PreparedImage | list[PreparedImage]) -> list[PreparedImage]:
    """The images of one request: a photo alone, or a video's frames."""
    return image if isinstance(image, list) else [image]


def target_size(size: tuple[int, int], max_megapixels: float) -> tuple[int, int]:
    """Within the pixel budget, keeping the aspect ratio, with both sides at least MIN_SIDE."""
    width, height = size
    budget = max_megapixels * 1_000_000 if max_megapixels else None
    if budget and width * height > budget:
        scale = (budget / (width * height)) ** 0.5  # floor, so the result never exceeds the budget
        width, height = max(1, int(width * scale)), max(1, int(height * scale))
    short = min(width, height)
    if short < MIN_SIDE:
        scale = MIN_SIDE / short
        width, height = max(MIN_SIDE, round(width * scale)), max(MIN_SIDE, round(height * scale))
    return width, height
