"""Preparing a photo for the model: draft-decoded downscale vs a naive full decode + resize."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image, ImageOps

from app.vision.imaging import prepare_image, target_size


def _naive(path: str, megapixels: float) -> bytes:
    image = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    image = image.resize(target_size(image.size, megapixels), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.mark.bench
def test_prepare_image_beats_naive_resize(make_image) -> None:
    path = str(make_image("big.jpg", size=(6000, 4000), quality=92))
    runs = 5
    start = time.perf_counter()
    for _ in range(runs):
        prepared = prepare_image(path, 1.5, 178_956_970)
    fast = (time.perf_counter() - start) / runs
    start = time.perf_counter()
    for _ in range(runs):
        _naive(path, 1.5)
    naive = (time.perf_counter() - start) / runs
    print(
        f"\n24 MP JPEG -> {prepared.width}x{prepared.height} ({len(prepared.data) // 1024} KB): "
        f"prepare_image {fast * 1000:.0f} ms, naive {naive * 1000:.0f} ms, {naive / fast:.1f}x faster"
    )
    assert prepared.width * prepared.height <= 1_500_000
