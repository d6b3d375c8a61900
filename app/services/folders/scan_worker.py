"""The scan's per-file work, run in worker processes: read once, then hash, probe, thumbnail and measure.

Kept free of SQLAlchemy and NiceGUI so spawned workers start fast and stay small.
"""

from __future__ import annotations

import errno
import hashlib
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from app.services.folders.decode_memory import big_decode_guard, release_memory
from app.services.images import (
    MIME_TYPES,
    SUPPORTED_FORMATS,
    ImageDecodeError,
    fit_within,
    open_image,
    oriented_size,
)
from app.services.quality import quality
from app.services.thumbnails import make_thumbnail, save_thumbnail, thumbnail_key, thumbnail_path
from app.services.video.video_scan import measure_video
from app.services.video_probe import VideoDecodeError, is_video_path

_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


@dataclass(frozen=True)
class ScanOptions:
    """What every file of one scan needs to know (picklable)."""

    thumbnails_dir: str
    thumbnail_size: int = 256
    thumbnail_quality: int = 80
    max_pixels: int | None = 178_956_970
    training_resolution: int = 1024


def process_files(paths: list[str], options: ScanOptions) -> list[dict[str, Any]]:
    """Process a chunk of files (one pool task, to keep inter-process overhead low); one result each."""
    results = []
    for path in paths:
        results.append(process_file(path, options))
        release_memory()
    return results


def process_file(path: str, options: ScanOptions) -> dict[str, Any]:
    """Everything the database needs about one file, from a single read of its bytes.

    Returns {path, file_hash, ...}; a file that is not a usable image gets `scan_error` with the reason.
    """
    if is_video_path(path):
        result: dict[str, Any] = {"path": path, "file_hash": "", "scan_error": None}
        return _guarded(result, path, lambda: measure_video(path, options, result))
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return {
            "path": path,
            "file_hash": "",
            "scan_error": f"cannot be read ({exc.strerror or exc})",
            "file_type": Path(path).suffix.lower().lstrip(".") or "unknown",
            "mime_type": mimetypes.guess_type(path)[0],
        }
    result = {"path": path, "file_hash": hashlib.sha256(data).hexdigest(), "scan_error": None}
    return _guarded(result, path, lambda: _decode_and_measure(data, result["file_hash"], options))


def _guarded(result: dict[str, Any], path: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Add what `work` measured to the result; whatever goes wrong becomes this file's error."""
    try:
        result.update(work())
    except (ImageDecodeError, VideoDecodeError) as exc:
        _failed(result, path, str(exc))
    except OSError as exc:
        if exc.errno in _DISK_FULL:  # the thumbnails' disk, not this file: the scan stops and says so
            raise
        _failed(result, path, f"could not be processed ({exc.strerror or exc})")
    except MemoryError:
        _failed(result, path, "too large to decode in the memory available")
    except Exception as exc:  # noqa: BLE001 - one odd file becomes its own error, never the whole scan's
        _failed(result, path, f"could not be processed ({type(exc).__name__}: {exc})")
    return result


def _failed(result: dict[str, Any], path: str, reason: str) -> None:
    """Turn a half-filled result into a recorded error (only what the decode did not get to stays)."""
    for key in list(result):
        if key not in ("path", "file_hash"):
            del result[key]
    result["scan_error"] = reason[:500]
    result["file_type"] = Path(path).suffix.lower().lstrip(".") or "unknown"
    result["mime_type"] = mimetypes.guess_type(path)[0]


def _decode_and_measure(data: bytes, file_hash: str, options: ScanOptions) -> dict[str, Any]:
    header = open_image(data, max_pixels=options.max_pixels, load=False)
    stored_size = header.size
    width, height = _oriented(header)
    file_type = SUPPORTED_FORMATS[header.format or ""]  # open_image refused any other format
    jpeg_quality = quality.estimate_jpeg_quality(getattr(header, "quantization", None))
    # Decode at the smallest JPEG DCT scale that still covers the metric size (aspect-true request box).
    draft = fit_within(stored_size, long_side=quality.METRIC_SIDE)
    with big_decode_guard(header, options.thumbnails_dir):
        image = open_image(data, max_pixels=options.max_pixels, draft_size=draft)
    if max(image.size) > quality.METRIC_SIDE:
        image = image.resize(
            fit_within(image.size, long_side=quality.METRIC_SIDE), Image.Resampling.BILINEAR, reducing_gap=2.0
        )
    measured = quality.measure(image, (width, height), options.training_resolution, jpeg_quality)
    key = thumbnail_key(file_hash, options.thumbnail_size)
    target = thumbnail_path(Path(options.thumbnails_dir), key)
    if not target.exists():
        save_thumbnail(make_thumbnail(image, options.thumbnail_size), target, options.thumbnail_quality)
    return {
        "file_type": file_type,
        "mime_type": MIME_TYPES.get(file_type),
        "width": width,
        "height": height,
        "aspect_ratio": round(width / height, 4) if height else None,
        "thumbnail_key": key,
        "phash": quality.dhash(image),
        "quality_score": measured.score,
        "quality_details": measured.details(),
        "quality_flags": measured.flags,
    }


def _oriented(image: Image.Image) -> tuple[int, int]:
    """Displayed size: EXIF orientations 5-8 (stored sideways) swap width and height."""
    try:
        return oriented_size(image)
    except (OSError, ValueError, SyntaxError):  # unreadable EXIF: the stored size is the best we know
        return image.size
