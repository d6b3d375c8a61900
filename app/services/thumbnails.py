"""Thumbnails: 256 px WebP files in <data-dir>/thumbnails, named from the file's SHA-256.

The name is the cache key: the same bytes always give the same thumbnail, so the URL that carries the key
can be cached forever, and a changed file gets a new key (and URL) by itself.
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

from app.services.crop_box import box_text, crop_key, pixel_box
from app.services.images import fit_within, flatten, open_image
from app.services.video_probe import is_video_path, poster_of


def thumbnail_url(file_id: str, thumbnail_key: str | None, crop: dict[str, float] | None = None) -> str:
    """The thumbnail URL of a tracked file: cached forever with ?v=<key>, revalidated without one.

    With a crop box (a dataset member's) the URL asks for the cropped thumbnail: `&crop=x,y,w,h`.
    """
    base = f"/api/files/{file_id}/thumbnail"
    url = f"{base}?v={thumbnail_key}" if thumbnail_key else base
    if crop is None:
        return url
    return f"{url}{'&' if thumbnail_key else '?'}crop={box_text(crop)}"


def thumbnail_key(file_hash: str, size: int) -> str:
    """The cache key (and file stem) of a thumbnail: hash prefix plus the long side it was made at."""
    return f"{file_hash[:40]}-{size}"


def thumbnail_path(thumbnails_dir: Path, key: str) -> Path:
    """Where the thumbnail with this key lives; sharded by the first two hex digits to keep folders small."""
    if not key or "/" in key or "\\" in key or key.startswith("."):
        raise ValueError(f"not a thumbnail key: {key!r}")
    return Path(thumbnails_dir) / key[:2] / f"{key}.webp"


def make_thumbnail(image: Image.Image, size: int) -> Image.Image:
    """A copy at most `size` px on the long side, RGB (alpha flattened onto white) or L."""
    target = fit_within(image.size, long_side=size)
    if target != image.size:
        # reduce() first (integer box filter, very fast) then a good filter for the last step.
        factor = min(image.width // target[0], image.height // target[1]) // 2
        if factor >= 2:
            image = image.reduce(factor)
        image = image.resize(target, Image.Resampling.LANCZOS)
    return image if image.mode == "L" else flatten(image)


def save_thumbnail(image: Image.Image, path: Path, quality: int) -> None:
    """Write the WebP atomically (a reader never sees half a file); parent folders are created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    image.save(tmp, "WEBP", quality=quality, method=2)
    os.replace(tmp, path)


def ensure_thumbnail(
    source: Path,
    thumbnails_dir: Path,
    key: str,
    size: int,
    quality: int,
    max_pixels: int | None,
    crop: dict[str, float] | None = None,
) -> Path:
    """The thumbnail for `key`, made from `source` when the cache lost it (e.g. the user cleared it).

    With a crop the thumbnail shows only the box; it is cached under its own key (crop_key).
    """
    if crop is not None:
        key = crop_key(key, crop)
    path = thumbnail_path(thumbnails_dir, key)
    if not path.exists():
        draft = (size, size)
        if crop is not None:  # decode enough pixels that the box still fills the thumbnail (either way up)
            side = max(1, round(size / min(crop["w"], crop["h"])))
            draft = (side, side)
        if is_video_path(source):
            image = poster_of(source)
        else:
            image = open_image(Path(source), max_pixels=max_pixels, draft_size=draft)
        if crop is not None:
            image = image.crop(pixel_box(crop, image.width, image.height))
        save_thumbnail(make_thumbnail(image, size), path, quality)
    return path
