"""Video files with PyAV: probe the container, decode only the frames a poster or a strip needs.

Plain functions on paths or open file objects, free of SQLAlchemy, so they run in the scan's workers.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PIL import Image

if TYPE_CHECKING:
    import av

VIDEO_EXTENSIONS = {".mp4", ".mov", ".webm", ".mkv", ".avi"}
VIDEO_MIME_TYPES = {
    "mp4": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
    "mkv": "video/x-matroska",
    "avi": "video/x-msvideo",
}
POSTER_AT = 0.1  # the poster is the frame a tenth into the clip: past a fade-in, still the opening shot


class VideoDecodeError(Exception):
    """A file that cannot be used as a video; the message says why in plain words."""


@dataclass(frozen=True)
class VideoInfo:
    """What a probe of the container found (the frame count is the container's, or duration x fps)."""

    duration: float
    fps: float
    frame_count: int
    width: int
    height: int
    codec: str
    has_audio: bool


def is_video_path(path: str | Path) -> bool:
    """True when the file's extension is one of the tracked video containers."""
    return Path(path).suffix.lower() in VIDEO_EXTENSIONS


class ByteSource(Protocol):
    """A file object PyAV demuxes from: an open binary file, or a wrapper such as video_scan.HashingReader."""

    def read(self, size: int = -1) -> bytes: ...

    def seek(self, offset: int, whence: int = 0) -> int: ...

    def tell(self) -> int: ...


def open_video(source: str | Path | ByteSource) -> av.container.InputContainer:
    """The opened container with at least one video stream; raises VideoDecodeError."""
    import av  # on first use: PyAV costs every scan worker ~20 MB, and most folders hold no videos

    try:
        container = av.open(source if not isinstance(source, Path) else str(source), mode="r")
    except av.FFmpegError as exc:
        raise VideoDecodeError(_reason(exc)) from None
    if not container.streams.video:
        container.close()
        raise VideoDecodeError("no video stream (an audio-only file?)")
    return container


def probe(container: av.container.InputContainer) -> VideoInfo:
    """Duration, fps, frame count, size, codec and audio of an opened container (no frame decoded)."""
    stream = container.streams.video[0]
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    fps = float(rate) if rate else 0.0
    duration = _duration(container, stream)
    frames = stream.frames or (round(duration * fps) if fps and duration else 0)
    if not duration and frames and fps:
        duration = frames / fps
    width, height = stream.codec_context.width, stream.codec_context.height
    if not width or not height:
        raise VideoDecodeError("the video stream has no picture size (a damaged header?)")
    return VideoInfo(
        duration=round(duration, 3),
        fps=round(fps, 3),
        frame_count=int(frames),
        width=width,
        height=height,
        codec=stream.codec_context.name,
        has_audio=bool(container.streams.audio),
    )


def frame_at(container: av.container.InputContainer, seconds: float) -> Image.Image:
    """The first frame shown at or after `seconds` (seeks to the keyframe before it, decodes from there)."""
    import av

    stream = container.streams.video[0]
    base = stream.time_base or Fraction(1, 1_000_000)
    start = stream.start_time or 0
    target = start + int(max(0.0, seconds) / base)
    last = None
    # No index (a cut-off WebM): the seek fails and decoding goes forward from where the reader stands.
    with contextlib.suppress(av.FFmpegError):
        container.seek(target, stream=stream, backward=True, any_frame=False)
    try:
        for frame in container.decode(stream):
            last = frame
            if frame.pts is None or frame.pts >= target:
                break
    except av.FFmpegError as exc:
        if last is None:
            raise VideoDecodeError(_reason(exc)) from None
    if last is None:
        raise VideoDecodeError("no picture could be decoded (truncated or damaged?)")
    return last.to_image()


def frames_at(path: str | Path, times: list[float]) -> list[Image.Image]:
    """One picture per time (seconds, in order), from one open of the file; raises VideoDecodeError."""
    with open_video(Path(path)) as container:
        return [frame_at(container, t) for t in times]


def even_times(duration: float, count: int, start: float = 0.0) -> list[float]:
    """`count` moments spread evenly over [start, start + duration): the middle of each equal slice."""
    count = max(1, count)
    step = duration / count
    return [round(start + step * (i + 0.5), 4) for i in range(count)]


def probe_path(path: str | Path) -> VideoInfo:
    """Probe a video file by path (opens and closes it)."""
    with open_video(Path(path)) as container:
        return probe(container)


def poster(container: av.container.InputContainer, info: VideoInfo) -> Image.Image:
    """The grid's poster frame (a tenth into the clip)."""
    return frame_at(container, info.duration * POSTER_AT)


def poster_of(path: str | Path) -> Image.Image:
    """The poster of a video file by path (the thumbnail route rebuilds a lost thumbnail with it)."""
    with open_video(Path(path)) as container:
        return poster(container, probe(container))


def count_frames(path: str | Path) -> int:
    """Every frame decoded and counted (exports check their clips with it; slow on long videos)."""
    with open_video(Path(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def _duration(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> float:
    import av

    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return container.duration / av.time_base
    return 0.0


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "strerror", None) or exc).lower()
    if "invalid data" in text or "moov atom" in text or "end of file" in text:
        return "not a readable video (truncated or damaged container)"
    return f"cannot decode the video ({exc})"
