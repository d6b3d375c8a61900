"""A second near-duplicate signal beside the grayscale dHash: a 4x4 colour grid and a flatness mark.

dHash sees only brightness edges on a 9x8 grid, so flat synthetic images (one shape on a plain
background) hash alike whatever their shape or colour. The colour grid tells colours and shapes apart;
flat images, whose copies match almost exactly, must agree much more closely than photographs.
Computed from the thumbnail the scan already wrote, so old rows need no rescan and no new column.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from app.services.thumbnails import thumbnail_path

GRID = 4
# Mean absolute difference per cell and channel (0-255) that still counts as the same picture. Measured on
# real photos: resized, JPEG q20-25 and 2-5 % cropped copies stay at or under 8.7; different photos are
# 30 or more apart (flat images have their own, stricter limit).
PHOTO_MAX_GRID_DISTANCE = 12.0
# Flat images (a few colours cover nearly every pixel): resized or recompressed copies stay under 2.
FLAT_MAX_GRID_DISTANCE = 4.0
# Share of pixels in the 3 largest of 8 quantized colours above which an image counts as flat (photos
# measured 0.40-0.63, flat shapes 0.94).
FLAT_SHARE = 0.85


@dataclass(frozen=True)
class ColourSignature:
    grid: bytes  # GRID x GRID RGB means, row by row
    flat: bool


def colour_signature(image: Image.Image) -> ColourSignature:
    """The signature of a decoded image (any mode; alpha is flattened onto white)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flattened = Image.new("RGB", rgba.size, "white")
        flattened.paste(rgba, mask=rgba.getchannel("A"))
        rgb = flattened
    else:
        rgb = image.convert("RGB")
    small = rgb.copy()
    small.thumbnail((128, 128))
    colours = small.quantize(colors=8, method=Image.Quantize.MEDIANCUT).getcolors() or []
    top = sum(count for count, _ in sorted(colours, reverse=True)[:3])
    flat = top / max(1, small.width * small.height) >= FLAT_SHARE
    grid = rgb.resize((GRID, GRID), Image.Resampling.BOX).tobytes()
    return ColourSignature(grid=grid, flat=flat)


def grid_distance(first: ColourSignature, second: ColourSignature) -> float:
    """Mean absolute difference of the two grids per cell and channel (0 = same colours everywhere)."""
    return sum(abs(a - b) for a, b in zip(first.grid, second.grid, strict=True)) / len(first.grid)


def colours_agree(first: ColourSignature, second: ColourSignature) -> bool:
    """True when the colour grids are close enough for the same picture; flat images must match closely."""
    limit = FLAT_MAX_GRID_DISTANCE if first.flat or second.flat else PHOTO_MAX_GRID_DISTANCE
    return grid_distance(first, second) <= limit


def thumbnail_signature(thumbnails_dir: Path | None, key: str | None) -> ColourSignature | None:
    """The signature of a stored thumbnail, or None when there is none to read (then dHash decides alone)."""
    if thumbnails_dir is None or not key:
        return None
    try:
        with Image.open(thumbnail_path(Path(thumbnails_dir), key)) as image:
            return colour_signature(image)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
