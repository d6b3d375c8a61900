"""Tiny test videos written with PyAV: make_clip(path, codec="h264", seconds=1, fps=12, cut_at=None).

A clip is a slow colour ramp (so frames differ a little); `cut_at` switches to a very different picture
at that second (a hard cut for scene detection). `truncate(path)` cuts a file in half (a broken video).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

CONTAINERS = {"h264": ".mp4", "vp9": ".webm", "mpeg4": ".avi"}


def make_clip(
    path: Path,
    codec: str = "h264",
    seconds: float = 1.0,
    fps: int = 12,
    size: tuple[int, int] = (64, 48),
    cut_at: float | None = None,
    audio: bool = False,
) -> Path:
    """Write a small clip of `seconds` at `fps` (frames = seconds x fps); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = size
    frames = round(seconds * fps)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        audio_codec = {".webm": "libopus", ".avi": "mp2"}.get(path.suffix, "aac")
        sound = (
            container.add_stream(audio_codec, rate=48000 if audio_codec == "libopus" else 22050)
            if audio
            else None
        )
        for index in range(frames):
            picture = _picture(index, frames, width, height, cut=cut_at is not None and index >= cut_at * fps)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
        if sound is not None:
            samples = np.zeros((1, 1024 * 4), dtype=np.float32)
            audio_frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            audio_frame.sample_rate = sound.rate
            container.mux(sound.encode(audio_frame))
            container.mux(sound.encode())
    return path


def truncate(path: Path) -> Path:
    """Cut the file to its first half: the container's index (or its end) is gone."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _picture(index: int, total: int, width: int, height: int, cut: bool) -> np.ndarray:
    shade = int(40 + 120 * index / max(1, total))
    picture = np.zeros((height, width, 3), dtype=np.uint8)
    if cut:  # a bright checkerboard after the cut, a dark ramp before it
        ys, xs = np.mgrid[0:height, 0:width]
        picture[((xs // 8 + ys // 8) % 2) == 0] = (240, 240, 30)
        picture[..., 2] = 200
    else:
        picture[..., 0] = shade
        picture[:, : width // 2, 1] = 90
        picture[height // 2 :, :, 2] = 60
    return picture
