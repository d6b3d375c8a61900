"""The scan's work on one video: hash and probe from one pass over the file, a poster-frame thumbnail.

Runs in the scan's worker processes (no SQLAlchemy). Errors are raised for scan_worker's per-file error path.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from app.services.quality import quality
from app.services.thumbnails import make_thumbnail, save_thumbnail, thumbnail_key, thumbnail_path
from app.services.video_probe import VIDEO_MIME_TYPES, open_video, poster, probe

READ_CHUNK = 1 << 20


class HashingReader:
    """A file object for PyAV that hashes the bytes as the demuxer reads them in order.

    PyAV reads the header and the poster's frames; `finish()` hashes whatever it skipped, so each byte
    is read from disk about once and the hash is of the whole file, as for images.
    """

    def __init__(self, handle) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.hashed = 0  # bytes [0, hashed) are in the digest

    def read(self, size: int = -1) -> bytes:
        position = self.handle.tell()
        data = self.handle.read(size)
        if position <= self.hashed < position + len(data):
            self.digest.update(data[self.hashed - position :])
            self.hashed = position + len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.handle.seek(offset, whence)

    def tell(self) -> int:
        return self.handle.tell()

    def finish(self) -> str:
        """Hash the rest of the file; returns the hex SHA-256 of all of it."""
        self.handle.seek(self.hashed)
        while chunk := self.handle.read(READ_CHUNK):
            self.digest.update(chunk)
            self.hashed += len(chunk)
        return self.digest.hexdigest()


def measure_video(path: str, options: Any, result: dict[str, Any]) -> dict[str, Any]:
    """The columns of one video; sets result["file_hash"] first, so a broken video keeps its hash.

    Raises VideoDecodeError (or OSError) for the scan's per-file error path.
    """
    with Path(path).open("rb") as handle:
        reader = HashingReader(handle)
        try:
            with open_video(reader) as container:
                info = probe(container)
                picture = poster(container, info)
        finally:
            result["file_hash"] = reader.finish()
    key = thumbnail_key(result["file_hash"], options.thumbnail_size)
    target = thumbnail_path(Path(options.thumbnails_dir), key)
    if not target.exists():
        save_thumbnail(make_thumbnail(picture, options.thumbnail_size), target, options.thumbnail_quality)
    file_type = Path(path).suffix.lower().lstrip(".")
    return {
        "file_type": file_type,
        "mime_type": VIDEO_MIME_TYPES.get(file_type),
        "width": info.width,
        "height": info.height,
        "aspect_ratio": round(info.width / info.height, 4),
        "thumbnail_key": key,
        "phash": quality.dhash(picture),
        "is_video": True,
        "duration_seconds": info.duration,
        "fps": info.fps,
        "frame_count": info.frame_count,
        "video_codec": info.codec,
        "has_audio": info.has_audio,
    }
