"""Measured quality against ground truth: degraded copies of real photographs score lower and are flagged.

Photos: Debian's plasma-workspace-wallpapers JPEGs (tests/bench/photos.py fetches them once), one per
wallpaper; synthetic photo-like images when they cannot be had.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageEnhance, ImageFilter

from app.services.folders.scan_worker import ScanOptions, process_file
from app.services.quality.near_duplicates import group_hashes
from tests.bench.photos import real_photos, synthetic_photo

# variant -> (metric that must drop, flag that must appear, how to make it from the original)
VARIANTS = {
    "blurred": ("sharpness", "blurry", lambda im: im.filter(ImageFilter.GaussianBlur(6))),
    "over-exposed": ("exposure", "overexposed", lambda im: overexpose(im)),
    "under-exposed": ("exposure", "underexposed", lambda im: ImageEnhance.Brightness(im).enhance(0.2)),
    "downscaled": ("resolution", "low_resolution", lambda im: im.resize((im.width // 4, im.height // 4))),
}
MAX_PHOTOS = 8


def overexpose(image: Image.Image) -> Image.Image:
    """Brighten (at least +1 stop) until the brightest fifth of the picture is blown out, as a camera would."""
    histogram = image.convert("L").histogram()
    total, running, p80 = sum(histogram), 0, 255
    for level, count in enumerate(histogram):
        running += count
        if running >= 0.8 * total:
            p80 = level
            break
    return ImageEnhance.Brightness(image).enhance(max(2.0, 252 / max(p80, 1)))


def originals(limit: int) -> list[tuple[str, Image.Image]]:
    """(name, RGB image at 2048 px long side), one per distinct wallpaper, or synthetic stand-ins."""
    by_wallpaper: dict[str, Path] = {}
    for path in real_photos():
        by_wallpaper.setdefault(path.parents[2].name, path)
    chosen = [(name, Image.open(path).convert("RGB")) for name, path in sorted(by_wallpaper.items())[:limit]]
    if not chosen:
        chosen = [(f"synthetic-{seed}", synthetic_photo(seed, (2560, 1600))) for seed in range(4)]
    return [(name, image.resize((2048, round(2048 * image.height / image.width)))) for name, image in chosen]


def scan(path: Path, thumbnails: Path) -> dict:
    result = process_file(str(path), ScanOptions(thumbnails_dir=str(thumbnails)))
    assert result["scan_error"] is None
    return result


def test_degraded_copies_score_lower_on_their_metric_and_get_their_flag(tmp_path, capsys):
    checks = agreed = 0
    misses = []
    for name, image in originals(MAX_PHOTOS):
        image.save(tmp_path / f"{name}.jpg", quality=92)
        original = scan(tmp_path / f"{name}.jpg", tmp_path / "thumbs")
        for variant, (metric, flag, degrade) in VARIANTS.items():
            degrade(image).save(tmp_path / f"{name}-{variant}.jpg", quality=92)
            result = scan(tmp_path / f"{name}-{variant}.jpg", tmp_path / "thumbs")
            lower = (
                result["quality_details"]["measured"][metric]
                < original["quality_details"]["measured"][metric]
            )
            flagged = flag in result["quality_flags"]
            checks += 1
            agreed += lower and flagged
            if not (lower and flagged):
                misses.append(f"{name} {variant}: {metric} lower={lower} flagged={flagged}")
    with capsys.disabled():
        print(f"\nquality ground truth: {agreed}/{checks} variants agree ({100 * agreed / checks:.0f}%)")
    assert not misses, misses


def test_resized_recompressed_copy_of_a_real_photo_is_a_near_duplicate_but_another_view_is_not(tmp_path):
    name, image = originals(1)[0]
    image.save(tmp_path / "original.jpg", quality=92)
    image.resize((image.width // 2, image.height // 2)).save(tmp_path / "copy.jpg", quality=60)
    width, height = image.size
    image.crop((width // 6, 0, width, height)).save(tmp_path / "moved.jpg", quality=92)  # the camera moved
    image.crop((width // 5, height // 5, width, height)).save(tmp_path / "zoomed.jpg", quality=92)
    hashes = {p.stem: scan(p, tmp_path / "thumbs")["phash"] for p in sorted(tmp_path.glob("*.jpg"))}
    groups = [sorted(g) for g in group_hashes(hashes)]
    assert groups == [["copy", "original"]], f"{name}: {hashes}"
