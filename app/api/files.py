"""/api/files: one tracked file's details, its thumbnail and its original, by id only.

No path from a request reaches the filesystem: the id is looked up in the database. Thumbnail and image
URLs that carry the current content key (`?v=`) are cached forever; without it the browser revalidates
with the ETag.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response

from app.container import ServicesDep
from app.errors import NotFound
from app.services.crop_box import crop_key, parse_box_text
from app.services.folders import folders
from app.services.folders.folder_shapes import FileDetail
from app.services.images import ImageDecodeError
from app.services.safe_paths import servable
from app.services.thumbnails import ensure_thumbnail
from app.services.video.video_frames import MAX_STRIP_FRAMES, strip_path
from app.services.video_probe import VideoDecodeError

router = APIRouter(prefix="/api/files", tags=["files"])
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@router.get("/{file_id}", response_model=FileDetail, summary="File details with the imported caption")
def get_file(services: ServicesDep, file_id: str) -> FileDetail:
    """Size, dimensions, format, hash, imported caption (read-only), scan error, measured quality, duplicates."""
    return folders.get_file(services.db, file_id)


@router.get(
    "/{file_id}/thumbnail",
    summary="The 256 px WebP thumbnail",
    responses={
        200: {"content": {"image/webp": {"schema": {"type": "string", "format": "binary"}}}},
        304: {},
        404: {},
    },
)
def get_thumbnail(
    services: ServicesDep,
    file_id: str,
    request: Request,
    v: str | None = Query(None, description="thumbnail_key"),
    crop: str | None = Query(
        None, max_length=200, description="x,y,w,h (shares 0..1): the thumbnail of a dataset member's crop"
    ),
) -> Response:
    source = folders.file_source(services.db, file_id)
    key = source["thumbnail_key"]
    if not key:
        raise NotFound(f"No thumbnail: {source['scan_error'] or 'the file was not scanned yet'}.")
    box = parse_box_text(crop) if crop else None
    cache = IMMUTABLE if v == key else REVALIDATE
    etag = f'"{crop_key(key, box)}"' if box else f'"{key}"'
    if _matches(request, etag):
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache})
    settings = services.settings
    try:
        path = ensure_thumbnail(
            Path(_checked_path(source)),
            settings.thumbnails_dir,
            key,
            settings["thumbnails"]["size"],
            settings["thumbnails"]["quality"],
            settings["image_processing"]["max_image_pixels"] or None,
            crop=box,
        )
    except (OSError, ImageDecodeError, VideoDecodeError) as exc:
        raise NotFound(
            f"The thumbnail is gone and cannot be made again ({exc}): rescan the folder."
        ) from None
    return FileResponse(path, media_type="image/webp", headers={"ETag": etag, "Cache-Control": cache})


@router.get(
    "/{file_id}/image",
    summary="The original image file",
    responses={
        200: {"content": {"image/*": {"schema": {"type": "string", "format": "binary"}}}},
        304: {},
        404: {},
    },
)
def get_image(
    services: ServicesDep,
    file_id: str,
    request: Request,
    v: str | None = Query(None, description="thumbnail_key"),
) -> Response:
    source = folders.file_source(services.db, file_id)
    real = _checked_path(source)
    try:
        stat = os.stat(real)
    except OSError:
        raise NotFound(
            "The original file is missing on disk (moved or deleted?): rescan its folder."
        ) from None
    unchanged = (stat.st_size, stat.st_mtime_ns) == (source["size_bytes"], source["mtime_ns"])
    etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
    cache = IMMUTABLE if unchanged and v and v == source["thumbnail_key"] else REVALIDATE
    if _matches(request, etag):
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": cache})
    return FileResponse(
        real,
        media_type=source["mime_type"] or "application/octet-stream",
        headers={"ETag": etag, "Cache-Control": cache},
    )


@router.get(
    "/{file_id}/video",
    summary="The original video file, with HTTP range requests (seeking in the player)",
    responses={
        200: {"content": {"video/*": {"schema": {"type": "string", "format": "binary"}}}},
        206: {"description": "The asked byte range", "content": {"video/*": {"schema": {"type": "string"}}}},
        304: {},
        404: {},
        416: {},
    },
)
def get_video(services: ServicesDep, file_id: str, request: Request) -> Response:
    """The tracked video itself; `Range: bytes=a-b` gets 206 Partial Content, as HTML5 players ask."""
    source = folders.file_source(services.db, file_id)
    if not (source["mime_type"] or "").startswith("video/"):
        raise NotFound("This file is not a tracked video: open it with /image.")
    return get_image(services, file_id, request, None)


@router.get(
    "/{file_id}/strip",
    summary="A strip of evenly spaced frames of a video (WebP)",
    responses={200: {"content": {"image/webp": {}}}, 404: {}},
)
def get_strip(
    services: ServicesDep, file_id: str, frames: int = Query(8, ge=1, le=MAX_STRIP_FRAMES)
) -> Response:
    """`frames` frames spread over the whole clip, side by side, in time order; cached like thumbnails."""
    source = folders.file_source(services.db, file_id)
    if not (source["mime_type"] or "").startswith("video/") or source["scan_error"]:
        raise NotFound(f"No frames: {source['scan_error'] or 'this file is not a tracked video'}.")
    try:
        path = strip_path(
            _checked_path(source), source["file_hash"], services.settings.thumbnails_dir, frames
        )
    except (OSError, VideoDecodeError) as exc:
        raise NotFound(f"The frames cannot be read ({exc}): rescan the folder.") from None
    return FileResponse(path, media_type="image/webp", headers={"Cache-Control": REVALIDATE})


def _checked_path(source: dict[str, Any]) -> str:
    """The file to open, resolved now: a link swapped in since the scan that leaves the folder is refused."""
    real = servable(source["path"], source["root"], source["follow_links"])
    if real is None:
        raise NotFound(
            "The file is a symbolic link that leads outside its tracked folder (or links are not followed "
            "for this folder): it is not served. Rescan the folder."
        )
    return real


def _matches(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match", "")
    return (
        any(tag.strip().removeprefix("W/") in (etag, "*") for tag in header.split(",")) if header else False
    )
