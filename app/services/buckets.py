"""Trainers' aspect buckets: the SDXL family, and which bucket an image of a given size falls into."""

from __future__ import annotations

import math

# SDXL's 1024x1024-area bucket family (width, height); Flux and SD3 trainers use the same shapes.
SDXL_BUCKETS = [
    (640, 1536),
    (768, 1344),
    (832, 1216),
    (896, 1152),
    (1024, 1024),
    (1152, 896),
    (1216, 832),
    (1344, 768),
    (1536, 640),
]


def nearest_bucket(width: int, height: int) -> str:
    """The bucket whose aspect ratio is closest (in log space) to width/height, as "WxH"."""
    bucket = nearest_bucket_size(width, height)
    return f"{bucket[0]}x{bucket[1]}"


def nearest_bucket_size(width: int, height: int) -> tuple[int, int]:
    """The (width, height) of the bucket whose aspect ratio is closest (in log space) to width/height."""
    ratio = math.log(width / height)
    return min(SDXL_BUCKETS, key=lambda b: abs(math.log(b[0] / b[1]) - ratio))
