"""Crop boxes: checking them, turning them into pixels, and boxes of a given aspect (no database here).

A box is {"x", "y", "w", "h"}: left, top, width and height NORMALISED 0..1 relative to the upright
(EXIF-corrected) image, so it fits the image at any size (original, thumbnail, draft-decoded JPEG).
This is the one place that says so; everything else (database columns, API, export, thumbnails) uses it.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from app.errors import Invalid
from app.services.buckets import nearest_bucket_size

# Aspect presets of the editor and of the batch centre-crop; "bucket" is the nearest SDXL/Flux bucket.
ASPECTS: dict[str, tuple[int, int] | None] = {
    "free": None,
    "1:1": (1, 1),
    "2:3": (2, 3),
    "3:2": (3, 2),
    "4:5": (4, 5),
    "16:9": (16, 9),
    "bucket": None,
}
_EPSILON = 1e-9
KEYS = ("x", "y", "w", "h")


def check_box(box: Any, width: int | None = None, height: int | None = None) -> dict[str, float]:
    """The box as four floats, or Invalid saying what is wrong (outside the image, zero size, not numbers).

    With the image's size, the box must also cover at least one pixel each way.
    """
    if not isinstance(box, dict) or any(key not in box for key in KEYS):
        raise Invalid('A crop is {"x", "y", "w", "h"}: left, top, width and height from 0 to 1')
    values: dict[str, float] = {}
    for key in KEYS:
        value = box[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid(f"Crop {key} must be a number from 0 to 1, not {value!r}")
        try:
            number = float(value)
        except OverflowError:
            raise Invalid(f"Crop {key} is far outside 0..1") from None
        if not math.isfinite(number):
            raise Invalid(f"Crop {key} must be a number from 0 to 1, not {value!r}")
        if not 0.0 <= number <= 1.0:
            raise Invalid(f"Crop {key} = {number:g} is outside the image: use 0 to 1 (a share of the side)")
        values[key] = number
    if values["w"] <= 0 or values["h"] <= 0:
        raise Invalid("The crop has zero size: drag a box with some width and height")
    if values["x"] + values["w"] > 1 + _EPSILON or values["y"] + values["h"] > 1 + _EPSILON:
        raise Invalid("The crop reaches past the image's right or bottom edge: make it smaller or move it")
    if width and height and (values["w"] * width < 1 or values["h"] * height < 1):
        raise Invalid(f"The crop is less than one pixel of this {width}x{height} image: make it larger")
    values["w"] = min(values["w"], 1 - values["x"])
    values["h"] = min(values["h"], 1 - values["y"])
    return values


def is_whole(box: dict[str, float] | None) -> bool:
    """No crop, or a box that is the whole image."""
    return box is None or (box["x"] <= 0 and box["y"] <= 0 and box["w"] >= 1 and box["h"] >= 1)


def pixel_box(box: dict[str, float], width: int, height: int) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) in pixels of an upright image of this size; at least 1x1, inside it."""
    left = min(width - 1, max(0, round(box["x"] * width)))
    top = min(height - 1, max(0, round(box["y"] * height)))
    right = max(left + 1, min(width, round((box["x"] + box["w"]) * width)))
    bottom = max(top + 1, min(height, round((box["y"] + box["h"]) * height)))
    return left, top, right, bottom


def cropped_size(width: int, height: int, box: dict[str, float] | None) -> tuple[int, int]:
    """The size an image of this size has once cropped (the size itself without a crop)."""
    if box is None:
        return width, height
    left, top, right, bottom = pixel_box(box, width, height)
    return right - left, bottom - top


def aspect_ratio(aspect: str, width: int, height: int) -> float | None:
    """Width / height of a preset for an image of this size (None for "free"); Invalid for an unknown one."""
    if aspect not in ASPECTS:
        raise Invalid(f"Unknown aspect {aspect!r}; choose one of {', '.join(ASPECTS)}")
    if aspect == "bucket":
        bucket = nearest_bucket_size(width, height)
        return bucket[0] / bucket[1]
    shape = ASPECTS[aspect]
    return None if shape is None else shape[0] / shape[1]


def centre_box(width: int, height: int, ratio: float | None) -> dict[str, float]:
    """The largest box of this aspect (width / height) centred on an image of this size; whole without one."""
    return fit_aspect({"x": 0.0, "y": 0.0, "w": 1.0, "h": 1.0}, width, height, ratio)


def fit_aspect(box: dict[str, float], width: int, height: int, ratio: float | None) -> dict[str, float]:
    """The largest box of this aspect inside `box`, on the same centre (the box itself without a ratio)."""
    if ratio is None or not width or not height:
        return dict(box)
    box_w, box_h = box["w"] * width, box["h"] * height
    if box_w / box_h > ratio:  # too wide: keep the height
        share = box["w"] * (box_h * ratio / box_w)
        return {
            "x": round(box["x"] + (box["w"] - share) / 2, 6),
            "y": box["y"],
            "w": round(share, 6),
            "h": box["h"],
        }
    share = box["h"] * (box_w / ratio / box_h)
    return {
        "x": box["x"],
        "y": round(box["y"] + (box["h"] - share) / 2, 6),
        "w": box["w"],
        "h": round(share, 6),
    }


def box_text(box: dict[str, float]) -> str:
    """ "x,y,w,h" with 6 decimals: the form in thumbnail URLs and the CSV manifest."""
    return ",".join(f"{box[key]:.6f}".rstrip("0").rstrip(".") or "0" for key in KEYS)


def parse_box_text(text: str) -> dict[str, float]:
    """The box of box_text(); Invalid when it is not four numbers."""
    parts = text.split(",")
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 4:
        raise Invalid(f"A crop is four numbers x,y,w,h from 0 to 1, not {text[:60]!r}")
    return check_box(dict(zip(KEYS, numbers, strict=True)))


def crop_key(thumbnail_key: str, box: dict[str, float]) -> str:
    """The cache key of a cropped thumbnail: the file's key plus a digest of the box."""
    digest = hashlib.sha1(box_text(box).encode()).hexdigest()[:12]
    return f"{thumbnail_key}-c{digest}"


def stored_box(row: Any) -> dict[str, float] | None:
    """The box of a row that has crop_x/crop_y/crop_w/crop_h (attributes or keys); None when not cropped."""
    get = row.get if isinstance(row, dict) else lambda key: getattr(row, key, None)
    numbers = [float(value) for key in KEYS if (value := get(f"crop_{key}")) is not None]
    if len(numbers) < len(KEYS):
        return None
    return dict(zip(KEYS, numbers, strict=True))
