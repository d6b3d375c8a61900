"""Measured quality: each damaged variant of a photo scores lower on the matching metric and gets the flag."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageEnhance, ImageFilter

from app.services.quality import quality
from tests.bench.photos import synthetic_photo

SEEDS = range(4)


def measure(image: Image.Image, size=None, jpeg_quality=None) -> quality.Measured:
    small = image.copy()
    small.thumbnail((quality.METRIC_SIDE, quality.METRIC_SIDE))
    return quality.measure(small, size or image.size, 1024, jpeg_quality)


def variants(photo: Image.Image) -> dict[str, tuple[str, str, Image.Image]]:
    """name -> (metric, flag, damaged copy)."""
    return {
        "blurred": ("sharpness", "blurry", photo.filter(ImageFilter.GaussianBlur(max(photo.size) / 400))),
        "overexposed": ("exposure", "overexposed", photo.point(lambda v: min(255, v * 2 + 100))),
        "underexposed": ("exposure", "underexposed", photo.point(lambda v: v // 4)),
        "flat": ("contrast", "low_contrast", ImageEnhance.Contrast(photo).enhance(0.25)),
        "downscaled": ("resolution", "low_resolution", photo.resize((photo.width // 3, photo.height // 3))),
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_every_variant_scores_lower_on_its_metric_and_is_flagged(seed):
    photo = synthetic_photo(seed)
    original = measure(photo)
    assert original.flags == [], original.reasons
    for name, (metric, flag, damaged) in variants(photo).items():
        found = measure(damaged)
        assert found.metrics[metric] < original.metrics[metric] - 0.1, (name, found.reasons[metric])
        assert flag in found.flags, (name, found.reasons)
        assert found.score < original.score, name


def test_tiny_images_are_flagged():
    found = measure(synthetic_photo(1, (200, 150)))
    assert "tiny" in found.flags and found.metrics["resolution"] < 0.2


@pytest.mark.parametrize(("saved_at", "heavy"), [(25, True), (50, True), (75, False), (95, False)])
def test_jpeg_quality_estimated_from_the_quantization_tables(saved_at, heavy):
    buffer = io.BytesIO()
    synthetic_photo(2, (640, 400)).save(buffer, "JPEG", quality=saved_at)
    with Image.open(buffer) as image:
        estimate = quality.estimate_jpeg_quality(image.quantization)
        found = quality.measure(image.convert("RGB"), (2000, 1500), 1024, estimate)
    assert abs(estimate - saved_at) <= 2
    assert ("heavy_jpeg" in found.flags) is heavy


def test_png_has_no_jpeg_metric():
    assert quality.estimate_jpeg_quality(None) is None
    found = measure(synthetic_photo(3))
    assert found.metrics["jpeg_quality"] is None and "not a JPEG" in found.reasons["jpeg_quality"]


def test_reasons_are_plain_words_with_the_value():
    found = measure(synthetic_photo(4).filter(ImageFilter.GaussianBlur(6)))
    assert found.reasons["sharpness"].startswith(f"sharpness {found.metrics['sharpness']:.2f}: ")
    assert "out of focus" in found.reasons["sharpness"]
    details = found.details()
    assert set(details) >= {"measured", "reasons"} and details["measured"] is found.metrics


def test_dhash_survives_resize_and_recompression_but_not_a_different_picture():
    photo = synthetic_photo(5)
    buffer = io.BytesIO()
    photo.resize((800, 500)).save(buffer, "JPEG", quality=60)
    copy = Image.open(buffer)
    assert quality.hash_distance(quality.dhash(photo), quality.dhash(copy)) <= 6
    assert quality.hash_distance(quality.dhash(photo), quality.dhash(synthetic_photo(6))) > 12
