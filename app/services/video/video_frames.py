"""Frames of a tracked video for people and models: the editor's strip, evenly spaced frames for captions.

The strip is cached beside the thumbnails, named from the file's hash, so a changed video gets a new one.
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

from app.services.images import fit_within
from app.services.thumbnails import thumbnail_path
from app.services.video_probe import even_times, frames_at, probe_path

STRIP_HEIGHT = 96  # px of each frame in the editor's strip
MAX_STRIP_FRAMES = 24


def strip_path(source: str | Path, file_hash: str, thumbnails_dir: Path, count: int) -> Path:
    """A WebP of `count` evenly spaced frames side by side (made on first use); raises VideoDecodeError."""
    count = max(1, min(MAX_STRIP_FRAMES, int(count)))
    target = thumbnail_path(thumbnails_dir, f"{file_hash[:40]}-strip{count}")
    if target.exists():
        return target
    frames = even_frames(source, count, long_side=STRIP_HEIGHT * 2)
    scaled = [
        frame.resize((max(1, round(frame.width * STRIP_HEIGHT / frame.height)), STRIP_HEIGHT))
        for frame in frames
    ]
    strip = Image.new("RGB", (sum(f.width for f in scaled) + 2 * (len(scaled) - 1), STRIP_HEIGHT), "black")
    x = 0
    for frame in scaled:
        strip.paste(frame.convert("RGB"), (x, 0))
        x += frame.width + 2
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    strip.save(tmp, "WEBP", quality=75, method=2)
    os.replace(tmp, target)
    return target


def even_frames(
    source: str | Path,
    count: int,
    *,
    start: float = 0.0,
    end: float | None = None,
    long_side: int | None = None,
) -> list[Image.Image]:
    """`count` frames spread evenly over [start, end) of the video (the whole of it by default), in time order.

    Each is downscaled to `long_side` when given. Raises VideoDecodeError.
    """
    if end is None:
        end = probe_path(source).duration
    times = even_times(max(0.0, end - start), count, start)
    frames = frames_at(source, times)
    if long_side:
        frames = [
            frame.resize(fit_within(frame.size, long_side=long_side), Image.Resampling.BILINEAR)
            if max(frame.size) > long_side
            else frame
            for frame in frames
        ]
    return frames
