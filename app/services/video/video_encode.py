"""Re-encoding one clip (a time range of a video) to H.264 MP4 at a set size, rate and frame count, with PyAV.

Frames are picked by time, so a 30 fps source written at 16 fps keeps its real speed: output frame k shows
the source frame on screen at start + k / fps.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from app.services.video_probe import VideoDecodeError, open_video

HOLD_LAST = 2  # frames the source's last picture may fill at the end
CRF = "18"  # visually lossless for training; the trainers re-encode to latents anyway


def snap_frames(available: int, requested: int | None, step: int) -> int:
    """The largest step*k+1 frame count within both what the clip holds and what was asked (0: none fits)."""
    limit = min(available, requested) if requested else available
    return 0 if limit < 1 else (limit - 1) // step * step + 1


def snap_size(width: int, height: int, long_side: int | None, multiple: int) -> tuple[int, int]:
    """Aspect-true size with the long side at most `long_side` (never upscaled), each side a multiple."""
    scale = min(1.0, long_side / max(width, height)) if long_side else 1.0
    return (
        max(multiple, int(width * scale) // multiple * multiple),
        max(multiple, int(height * scale) // multiple * multiple),
    )


def frames_available(start: float, end: float, fps: float) -> int:
    """How many frames at `fps` fit in [start, end) without showing any frame twice at the end."""
    return int((end - start) * fps + 1e-6)


def write_clip(
    source: str | Path, target: Path, *, start: float, frames: int, fps: float, size: tuple[int, int]
) -> int:
    """Write `frames` frames from `start` seconds at `fps` and `size` as H.264 MP4; returns frames written.

    Raises VideoDecodeError when the source ends (or breaks) before the frames are there.
    """
    import av  # on first use: PyAV weighs ~20 MB, and most apps never export a clip

    rate = Fraction(fps).limit_denominator(1001)
    width, height = size
    written = 0
    with open_video(Path(source)) as container, av.open(str(target), mode="w") as output:
        stream = container.streams.video[0]
        base = stream.time_base or Fraction(1, 1_000_000)
        origin = (stream.start_time or 0) * base
        out = output.add_stream("libx264", rate=rate, options={"crf": CRF, "preset": "medium"})
        out.width, out.height, out.pix_fmt = width, height, "yuv420p"
        out.codec_context.time_base = 1 / rate
        try:
            container.seek(int((origin + Fraction(start).limit_denominator(10_000)) / base), stream=stream)
        except av.FFmpegError:
            container.seek(0)
        shown = None  # the source frame on screen at the current output time
        try:
            for frame in container.decode(stream):
                when = float(frame.pts * base - origin) if frame.pts is not None else 0.0
                while shown is not None and written < frames and when > start + written / float(rate) + 1e-6:
                    written = _emit(output, out, shown, written, size)
                if written >= frames:
                    break
                shown = frame
            # The last source frame stays on screen to the clip's end (rounding: a frame or two, no more).
            for _ in range(HOLD_LAST):
                if written < frames and shown is not None:
                    written = _emit(output, out, shown, written, size)
        except av.FFmpegError as exc:
            raise VideoDecodeError(f"the video broke while re-encoding it ({exc})") from None
        output.mux(out.encode())
    if written < frames:
        raise VideoDecodeError(f"the clip ends after {written} of the {frames} frames asked")
    return written


def _emit(output, out, frame, index: int, size: tuple[int, int]) -> int:
    picture = frame.reformat(width=size[0], height=size[1], format="yuv420p")
    picture.pts = index
    picture.time_base = out.codec_context.time_base
    output.mux(out.encode(picture))
    return index + 1
