"""The near-duplicate default, validated: real photos and their copies through the real scan, flat shapes.

Each photo (one per wallpaper, downscaled first so the test is fast) is resized, re-encoded at low JPEG
quality and lightly cropped; every copy must group with its original, no two photos may group, and 12
flat shapes (circle, triangle, square in 4 colours) must not group with each other. Distances are printed.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from app.services.folders.scan_worker import ScanOptions, process_file
from app.services.quality.colour_signature import grid_distance, thumbnail_signature
from app.services.quality.near_duplicates import DEFAULT_MAX_DISTANCE, colour_agreement, group_hashes
from app.services.quality.quality import hash_distance
from tests.bench.photos import real_photos

PHOTOS = 5
COLOURS = {"red": (220, 30, 30), "blue": (30, 60, 220), "green": (30, 170, 60), "orange": (250, 150, 20)}


def copies(image: Image.Image) -> dict[str, Image.Image]:
    """What a dataset really holds: resized, recompressed and slightly cropped copies (saved at low quality)."""
    width, height = image.size

    def crop(left: float, top: float, right: float, bottom: float) -> Image.Image:
        return image.crop(
            (
                round(width * left),
                round(height * top),
                round(width * (1 - right)),
                round(height * (1 - bottom)),
            )
        )

    return {
        "half-size": image.resize((width // 2, height // 2), Image.Resampling.LANCZOS),
        "third-size": image.resize((width // 3, height // 3), Image.Resampling.BILINEAR),
        "crop-2pct": crop(0.02, 0.02, 0.02, 0.02),
        "crop-5pct": crop(0.05, 0.05, 0.05, 0.05),
        "crop-5pct-left": crop(0.05, 0, 0, 0),
        "crop-3pct-resized": crop(0.03, 0.03, 0, 0).resize((width * 2 // 3, height * 2 // 3)),
    }


def shape(kind: str, colour: tuple[int, int, int]) -> Image.Image:
    image = Image.new("RGB", (512, 512), "white")
    draw = ImageDraw.Draw(image)
    if kind == "circle":
        draw.ellipse([96, 96, 416, 416], fill=colour)
    elif kind == "square":
        draw.rectangle([96, 96, 416, 416], fill=colour)
    else:
        draw.polygon([(256, 96), (416, 416), (96, 416)], fill=colour)
    return image


def scanned(paths: list[Path], thumbnails: Path) -> tuple[dict[str, str], dict[str, object]]:
    """dHash and colour signature of each file as the scan stores them (the signature from its thumbnail)."""
    hashes, signatures = {}, {}
    for path in paths:
        result = process_file(str(path), ScanOptions(thumbnails_dir=str(thumbnails)))
        assert result["scan_error"] is None, result["scan_error"]
        hashes[path.stem] = result["phash"]
        signatures[path.stem] = thumbnail_signature(thumbnails, result["thumbnail_key"])
    return hashes, signatures


def groups_of(hashes: dict[str, str], signatures: dict[str, object]) -> list[list[str]]:
    agree = colour_agreement(signatures.get, DEFAULT_MAX_DISTANCE)
    return sorted(sorted(g) for g in group_hashes(hashes, DEFAULT_MAX_DISTANCE, agree))


def pair_distances(hashes, signatures, pairs) -> list[tuple[int, float, str, str]]:
    return [
        (hash_distance(hashes[a], hashes[b]), round(grid_distance(signatures[a], signatures[b]), 1), a, b)
        for a, b in pairs
    ]


def show(capsys, title: str, rows: list[tuple[int, float, str, str]], reverse=False, closest=6) -> None:
    """Print the ranges and the pairs nearest the threshold (farthest copies, closest non-copies)."""
    with capsys.disabled():
        print(
            f"\n{title}: dHash bits {min(r[0] for r in rows)}-{max(r[0] for r in rows)}, "
            f"colour grid {min(r[1] for r in rows)}-{max(r[1] for r in rows)}"
        )
        for bits, grid, a, b in sorted(rows, key=lambda r: r[1], reverse=reverse)[:closest]:
            print(f"  {a} ~ {b}: {bits} bits, grid {grid}")


def test_copies_of_real_photos_group_with_their_original_and_different_photos_do_not(tmp_path, capsys):
    by_wallpaper: dict[str, Path] = {}
    for path in real_photos():
        by_wallpaper.setdefault(path.parents[2].name, path)
    if len(by_wallpaper) < 2:
        pytest.skip(
            "no real photos cached (tests/bench/photos.py: run a benchmark with CF_BENCH_FETCH=1 once)"
        )
    originals = []
    for name, path in sorted(by_wallpaper.items())[:PHOTOS]:
        with Image.open(path) as image:
            image.draft("RGB", (1024, 1024))  # downscaled first: a fast test
            image = image.convert("RGB")
            image.thumbnail((1024, 1024))
        image.save(tmp_path / f"{name}.jpg", quality=92)
        originals.append(name)
        for variant, copy in copies(image).items():
            copy.save(tmp_path / f"{name}--{variant}.jpg", quality=25)
    hashes, signatures = scanned(sorted(tmp_path.glob("*.jpg")), tmp_path / "thumbs")

    same = [
        (name, f"{name}--{variant}") for name in originals for variant in copies(Image.new("RGB", (9, 9)))
    ]
    show(capsys, "same photo, copies", pair_distances(hashes, signatures, same), reverse=True, closest=40)
    show(capsys, "different photos", pair_distances(hashes, signatures, itertools.combinations(originals, 2)))
    expected = [
        sorted([name] + [f"{name}--{v}" for v in copies(Image.new("RGB", (9, 9)))]) for name in originals
    ]
    assert groups_of(hashes, signatures) == sorted(expected)


def test_flat_shapes_in_four_colours_do_not_group_but_a_resized_copy_does(tmp_path, capsys):
    names = []
    for kind, (colour_name, colour) in itertools.product(("circle", "triangle", "square"), COLOURS.items()):
        names.append(f"{kind}-{colour_name}")
        shape(kind, colour).save(tmp_path / f"{names[-1]}.png")
    shape("circle", COLOURS["red"]).resize((256, 256)).save(tmp_path / "copy-of-circle-red.jpg", quality=40)
    hashes, signatures = scanned(sorted(tmp_path.glob("*.*")), tmp_path / "thumbs")
    show(
        capsys, "different flat shapes", pair_distances(hashes, signatures, itertools.combinations(names, 2))
    )
    show(
        capsys,
        "flat shape, resized copy",
        pair_distances(hashes, signatures, [("circle-red", "copy-of-circle-red")]),
    )
    assert groups_of(hashes, signatures) == [["circle-red", "copy-of-circle-red"]]


def test_without_a_thumbnail_dhash_alone_stays_strict(tmp_path):
    """Rows scanned before the colour signal (or with their thumbnails cleared) keep the old, strict rule."""
    hashes = {"a": "0000000000000000", "b": "0000000000ff0000", "c": "000000000000000f"}  # a~b 8, a~c 4 bits
    agree = colour_agreement(lambda _id: None, DEFAULT_MAX_DISTANCE)
    assert sorted(sorted(g) for g in group_hashes(hashes, DEFAULT_MAX_DISTANCE, agree)) == [["a", "c"]]


def test_pairs_are_found_at_the_threshold_across_compare_blocks(monkeypatch):
    """Every pair within the bits is joined, none beyond, whichever block of the comparison holds it."""
    from app.services.quality import near_duplicates

    monkeypatch.setattr(near_duplicates, "PAIRS_PER_BLOCK", 3)  # one hash per block: all pairs cross blocks
    hashes = {
        "base": "0000000000000000",
        "14-bits": "0000000000003fff",
        "far": "ffff800000000000",  # 17 bits from base, 31 from 14-bits
        "empty": "",
    }
    assert sorted(sorted(g) for g in group_hashes(hashes, 14)) == [["14-bits", "base"]]
    assert group_hashes(hashes, 13) == []
    wide = {"a": "0" * 32, "b": "0" * 31 + "7", "c": "f" * 32}  # 128-bit hashes still compare
    assert sorted(sorted(g) for g in group_hashes(wide, 3)) == [["a", "b"]]
