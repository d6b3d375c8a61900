"""Measured image quality and the perceptual hash, from the small upright image a scan already decoded.

No model and no numpy: Pillow's C filters and histograms. Every metric is 0..1 (higher is better) with a
plain-words reason; flags name what a person would cull for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageChops, ImageFilter, ImageStat

# Long side of the grayscale copy the metrics read; sharpness is only comparable at one fixed scale.
METRIC_SIDE = 640
# Sharpness = log10(detail ratio) / this: a ratio of 1 reads 0, 100 (crisp photographs) reads 1.
SHARPNESS_DECADES = 2.0
BLURRY_BELOW = 0.4
LOW_CONTRAST_BELOW = 0.35
EXPOSURE_FLAG_AT = 0.35  # penalty (1 - exposure) from which a photo is flagged over- or under-exposed
WEIGHTS = {"sharpness": 0.35, "exposure": 0.2, "contrast": 0.15, "resolution": 0.2, "jpeg_quality": 0.1}
# IJG's standard luminance quantization table (quality 50), the yardstick for JPEG quality estimates.
_IJG_LUMA = (
    [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56]
    + [14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92]
    + [49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99]
)
# Below this many pixels on the short side there is no interior left for the 4x4 grid of sharpness tiles.
SHARPNESS_MIN_SIDE = 8
_LAPLACIAN = ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=1, offset=128)


@dataclass
class Measured:
    """What `measure` found: metrics 0..1, raw figures, reasons, flags and the combined score."""

    metrics: dict[str, float | None]
    raw: dict[str, float | int | None]
    reasons: dict[str, str]
    flags: list[str] = field(default_factory=list)
    score: float = 0.0

    def details(self) -> dict[str, Any]:
        """The quality_details JSON shape: {"measured": {...}, "raw": {...}, "reasons": {...}}."""
        return {"measured": self.metrics, "raw": self.raw, "reasons": self.reasons}


def measure(
    image: Image.Image,
    original_size: tuple[int, int],
    training_resolution: int,
    jpeg_quality: int | None = None,
) -> Measured:
    """Score an upright image (any size; ideally already <= METRIC_SIDE) whose file is `original_size`."""
    gray = image.convert("L") if image.mode != "L" else image
    if max(gray.size) > METRIC_SIDE:
        gray = gray.resize(_fit(gray.size, METRIC_SIDE), Image.Resampling.BILINEAR, reducing_gap=2.0)
    histogram = gray.histogram()
    total = max(1, sum(histogram))
    found = Measured(metrics={}, raw={}, reasons={})
    _sharpness(found, gray)
    _exposure(found, histogram, total, _middle_channel_histogram(image, gray.size))
    _contrast(found, histogram, total)
    _resolution(found, original_size, training_resolution)
    _jpeg(found, jpeg_quality)
    present = {k: v for k, v in found.metrics.items() if v is not None}
    weight = sum(WEIGHTS[k] for k in present)
    base = sum(WEIGHTS[k] * v for k, v in present.items()) / weight if weight else 0.0
    found.score = round(base * (0.85 ** len(found.flags)), 3)
    return found


def estimate_jpeg_quality(quantization: dict[int, list[int]] | None) -> int | None:
    """The IJG quality (1..100) whose luminance table is closest to the file's, or None for non-JPEGs."""
    if not quantization or 0 not in quantization:
        return None
    table = list(quantization[0])[:64]
    if len(table) != 64:
        return None
    ratio = 100.0 * sum(table) / sum(_IJG_LUMA)
    quality = (200.0 - ratio) / 2.0 if ratio <= 100.0 else 5000.0 / ratio
    return max(1, min(100, round(quality)))


def dhash(image: Image.Image, hash_size: int = 8) -> str:
    """Difference hash: 64 bits (16 hex digits) comparing neighbouring pixels of a 9x8 grayscale copy."""
    small = image.convert("L").resize((hash_size + 1, hash_size), Image.Resampling.BILINEAR, reducing_gap=2.0)
    pixels = small.tobytes()
    bits = 0
    for row in range(hash_size):
        offset = row * (hash_size + 1)
        for col in range(hash_size):
            bits = (bits << 1) | (pixels[offset + col] > pixels[offset + col + 1])
    return f"{bits:0{hash_size * hash_size // 4}x}"


def hash_distance(first: str, second: str) -> int:
    """Hamming distance between two perceptual hashes of the same length (0 = look the same)."""
    return (int(first, 16) ^ int(second, 16)).bit_count()


def _sharpness(found: Measured, gray: Image.Image) -> None:
    # Laplacian variance relative to the tile's own tonal variance: a dark or flat photo is not mistaken
    # for a blurry one. The most detailed quarter of a 4x4 grid decides, so a sharp subject on a smooth
    # background counts as sharp. Pillow leaves border pixels unfiltered: they are cropped away.
    if min(gray.size) < SHARPNESS_MIN_SIDE:  # a sliver or a dot: no interior to measure, so no value
        found.raw["detail_ratio"] = None
        found.metrics["sharpness"] = None
        found.reasons["sharpness"] = (
            f"sharpness: not measured, the image is {gray.width}x{gray.height} px as measured "
            f"(under {SHARPNESS_MIN_SIDE} px on its short side)"
        )
        return
    edges = gray.filter(_LAPLACIAN).crop((2, 2, gray.width - 2, gray.height - 2))
    gray = gray.crop((2, 2, gray.width - 2, gray.height - 2))
    ratios = []
    for x in range(4):
        for y in range(4):
            box = (
                x * gray.width // 4,
                y * gray.height // 4,
                (x + 1) * gray.width // 4,
                (y + 1) * gray.height // 4,
            )
            detail = ImageStat.Stat(edges.crop(box)).var[0]
            ratios.append(100.0 * detail / (ImageStat.Stat(gray.crop(box)).var[0] + 25.0))
    ratio = sum(sorted(ratios, reverse=True)[:4]) / 4
    value = math.log10(max(ratio, 1.0)) / SHARPNESS_DECADES
    found.raw["detail_ratio"] = round(ratio, 2)
    sharpness = _metric(
        found,
        "sharpness",
        value,
        [
            (BLURRY_BELOW, "likely out of focus or motion-blurred"),
            (0.6, "somewhat soft"),
            (1.01, "crisp detail"),
        ],
    )
    if sharpness < BLURRY_BELOW:
        found.flags.append("blurry")


def _exposure(found: Measured, histogram: list[int], total: int, middle_channel: list[int]) -> None:
    # Blown highlights are counted where two channels clip: a pale sky blown in blue and green is blown
    # even when its luminance is not; a saturated red flower (one channel) is not.
    highlights = sum(middle_channel[250:]) / max(1, sum(middle_channel))
    shadows = sum(histogram[:6]) / total
    mean = sum(i * n for i, n in enumerate(histogram)) / total / 255.0
    # A low-key photo still has bright accents and a high-key one deep accents; a badly exposed one has none.
    brightest, darkest = (
        _percentile(histogram, total, 0.99) / 255.0,
        _percentile(histogram, total, 0.01) / 255.0,
    )
    found.raw.update(
        mean_luminance=round(mean, 3),
        clipped_highlights=round(highlights, 3),
        clipped_shadows=round(shadows, 3),
        p1=round(darkest, 3),
        p99=round(brightest, 3),
    )
    over = max(0.0, mean - 0.62) / 0.3 + max(0.0, highlights - 0.03) * 3.0 + max(0.0, darkest - 0.35) * 1.5
    under = max(0.0, 0.3 - mean) / 0.3 * max(0.0, 0.9 - brightest) / 0.5 + max(0.0, shadows - 0.1) * 2.0
    value = _clamp(1.0 - max(over, under))
    found.raw.update(over=round(over, 3), under=round(under, 3))
    if over >= EXPOSURE_FLAG_AT:
        found.flags.append("overexposed")
        reason = f"too bright: {highlights:.0%} of pixels blown out, mean brightness {mean:.0%}"
    elif under >= EXPOSURE_FLAG_AT:
        found.flags.append("underexposed")
        reason = f"too dark: brightest tones at {brightest:.0%}, mean brightness {mean:.0%}"
    else:
        reason = f"balanced: mean brightness {mean:.0%}, {highlights:.0%} blown out, {shadows:.0%} crushed"
    found.metrics["exposure"] = round(value, 3)
    found.reasons["exposure"] = f"exposure {value:.2f}: {reason}"


def _middle_channel_histogram(image: Image.Image, size: tuple[int, int]) -> list[int]:
    if image.mode not in ("RGB", "RGBA"):
        return image.convert("L").resize(size).histogram()
    red, green, blue = (image.getchannel(band) for band in "RGB")
    # The middle channel: bright only where at least two channels are (a saturated colour has one).
    middle = ImageChops.lighter(
        ImageChops.darker(red, green), ImageChops.darker(ImageChops.lighter(red, green), blue)
    )
    return (middle if middle.size == size else middle.resize(size)).histogram()


def _contrast(found: Measured, histogram: list[int], total: int) -> None:
    low, high = _percentile(histogram, total, 0.02), _percentile(histogram, total, 0.98)
    mean = sum(i * n for i, n in enumerate(histogram)) / total
    std = math.sqrt(sum(n * (i - mean) ** 2 for i, n in enumerate(histogram)) / total)
    spread = (high - low) / 255.0
    value = _clamp(0.5 * min(1.0, std / 60.0) + 0.5 * min(1.0, spread / 0.8))
    found.raw.update(luminance_std=round(std, 1), tonal_range=round(spread, 3))
    contrast = _metric(
        found,
        "contrast",
        value,
        [(LOW_CONTRAST_BELOW, "flat, washed-out tones"), (0.55, "muted"), (1.01, "good tonal range")],
    )
    if contrast < LOW_CONTRAST_BELOW:
        found.flags.append("low_contrast")


def _resolution(found: Measured, size: tuple[int, int], training_resolution: int) -> None:
    width, height = size
    value = _clamp(math.sqrt(width * height) / max(1, training_resolution))
    found.raw.update(width=width, height=height, training_resolution=training_resolution)
    detail = f"{width}x{height} for {training_resolution} px training"
    if value < 0.75:
        reason = f"{detail}: will be upscaled, expect soft results"
    elif value < 1.0:
        reason = f"{detail}: slightly below the training size"
    else:
        reason = f"{detail}: enough pixels"
    found.metrics["resolution"] = round(value, 3)
    found.reasons["resolution"] = f"resolution {value:.2f}: {reason}"
    if min(width, height) < 256:
        found.flags.append("tiny")
    elif value < 0.75:
        found.flags.append("low_resolution")


def _jpeg(found: Measured, quality: int | None) -> None:
    found.raw["jpeg_quality_estimate"] = quality
    if quality is None:
        found.metrics["jpeg_quality"] = None
        found.reasons["jpeg_quality"] = "jpeg quality: not a JPEG, no compression loss measured"
        return
    value = _clamp((quality - 30) / 60.0)
    found.metrics["jpeg_quality"] = round(value, 3)
    if quality < 60:
        found.flags.append("heavy_jpeg")
        reason = f"saved at about quality {quality}: visible compression artefacts likely"
    else:
        reason = f"saved at about quality {quality}"
    found.reasons["jpeg_quality"] = f"jpeg quality {value:.2f}: {reason}"


def _metric(found: Measured, name: str, value: float, bands: list[tuple[float, str]]) -> float:
    """Store a metric (clamped to 0..1, 3 decimals) with the words for its band; returns it."""
    value = round(_clamp(value), 3)
    found.metrics[name] = value
    words = next(text for limit, text in bands if value < limit)
    found.reasons[name] = f"{name.replace('_', ' ')} {value:.2f}: {words}"
    return value


def _percentile(histogram: list[int], total: int, share: float) -> int:
    running = 0
    for level, count in enumerate(histogram):
        running += count
        if running >= share * total:
            return level
    return 255


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    scale = side / max(size)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))
