"""Photographs for benchmarks and quality ground truth, shared by every helper's tests.

Real photos: the JPEG wallpapers of Debian's plasma-workspace-wallpapers package (`apt-get download` +
`dpkg -x` into a cache folder, once). Offline, or without apt: synthetic photo-like images instead.

    from tests.bench.photos import real_photos, photo_folder, synthetic_photo
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

CACHE = Path(os.environ.get("CF_BENCH_PHOTOS", "/tmp/cf-bench-photos"))
PACKAGE = "plasma-workspace-wallpapers"
# Downloading is for benchmarks only (tests/bench/conftest.py allows it); the regular suite stays offline
# and uses the cache when a benchmark filled it, else synthetic images.
FETCH_ALLOWED = os.environ.get("CF_BENCH_FETCH") == "1"


def real_photos(min_long_side: int = 2560) -> list[Path]:
    """The package's JPEGs at least `min_long_side` px wide (by their file name); [] when not cached and
    fetching is not allowed (regular suite) or fails (offline)."""
    extracted = CACHE / "x" / "usr" / "share" / "wallpapers"
    if not extracted.is_dir() and FETCH_ALLOWED:
        _fetch()
    found = []
    for path in sorted(extracted.glob("*/contents/images*/*.jpg")) if extracted.is_dir() else []:
        try:
            if int(path.stem.split("x")[0]) >= min_long_side:
                found.append(path)
        except ValueError:
            continue
    return found


def photo_folder(target: Path, count: int, *, min_long_side: int = 2560, allow_synthetic: bool = True) -> str:
    """Fill `target` with `count` distinct JPEG photos; returns "real" or "synthetic" (what was used).

    Real photos are copied with a unique JPEG comment so every file has its own hash (no shared thumbnail).
    """
    target.mkdir(parents=True, exist_ok=True)
    sources = real_photos(min_long_side)
    kind = "real"
    if not sources:
        if not allow_synthetic:
            raise RuntimeError(f"no real photographs: apt-get download {PACKAGE} failed (offline?)")
        kind = "synthetic"
        sources = []
        for seed in range(12):
            path = CACHE / "synthetic" / f"synthetic-{seed}.jpg"
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                synthetic_photo(seed, (2560, 1600)).save(path, quality=90)
            sources.append(path)
    datas = [p.read_bytes() for p in sources]
    for index in range(count):
        data = datas[index % len(datas)]
        comment = f"copy {index}".encode()
        unique = data[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + data[2:]
        (target / f"photo-{index:05d}.jpg").write_bytes(unique)
    return kind


def synthetic_photo(seed: int, size: tuple[int, int] = (1600, 1000)) -> Image.Image:
    """A photo-like RGB image: a sky/ground gradient, soft and hard shapes, fine texture (film grain)."""
    rnd = random.Random(seed)
    width, height = size
    top = tuple(rnd.randint(130, 230) for _ in range(3))
    bottom = tuple(rnd.randint(10, 80) for _ in range(3))
    column = Image.new("RGB", (1, 256))
    for y in range(256):
        t = y / 255
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    image = column.resize(size, Image.Resampling.BILINEAR)
    background = Image.new("RGB", size)
    draw = ImageDraw.Draw(background)
    for _ in range(12):  # out-of-focus background blobs
        x, y, r = rnd.randint(0, width), rnd.randint(0, height), rnd.randint(width // 20, width // 6)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rnd.randint(30, 230) for _ in range(3)))
    image = Image.blend(image, background.filter(ImageFilter.GaussianBlur(width / 80)), 0.35)
    draw = ImageDraw.Draw(image)
    for _ in range(25):  # in-focus subject details with hard edges
        x, y = rnd.randint(0, width), rnd.randint(height // 3, height)
        w, h = rnd.randint(width // 40, width // 8), rnd.randint(height // 40, height // 6)
        colour = tuple(rnd.randint(10, 245) for _ in range(3))
        if rnd.random() < 0.5:
            draw.rectangle([x, y, x + w, y + h], fill=colour, outline=(15, 15, 15), width=2)
        else:
            draw.line([x, y, x + w, y - h], fill=colour, width=rnd.randint(1, 4))
    grain = Image.effect_noise(size, 48).convert("RGB")
    return Image.blend(image, grain, 0.12)


def _fetch() -> None:
    if not shutil.which("apt-get") or not shutil.which("dpkg"):
        return
    deb_dir = CACHE / "deb"
    deb_dir.mkdir(parents=True, exist_ok=True)
    try:
        if not list(deb_dir.glob("*.deb")):
            subprocess.run(
                ["apt-get", "download", PACKAGE], cwd=deb_dir, check=True, capture_output=True, timeout=600
            )
        for deb in deb_dir.glob("*.deb"):
            subprocess.run(
                ["dpkg", "-x", str(deb), str(CACHE / "x")], check=True, capture_output=True, timeout=600
            )
    except (subprocess.SubprocessError, OSError):
        return
