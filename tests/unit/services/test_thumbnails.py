"""Thumbnails: every supported kind of image gives a 256 px WebP named from its hash; a lost one is remade."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from app.services.folders import folders
from app.services.folders.scan_worker import ScanOptions, process_file
from app.services.folders.scanning import scan_folder
from app.services.thumbnails import ensure_thumbnail, thumbnail_key, thumbnail_path


def _save_kinds(folder: Path) -> None:
    folder.mkdir(parents=True)
    Image.new("CMYK", (600, 400), (0, 120, 200, 10)).save(folder / "cmyk.jpg")
    Image.new("I;16", (500, 300), 40000).save(folder / "sixteen.png")
    palette = Image.new("P", (300, 300), 1)
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    palette.save(folder / "palette.png", transparency=0)
    frames = [Image.new("RGB", (320, 200), c) for c in ((255, 0, 0), (0, 255, 0))]
    frames[0].save(folder / "anim.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    frames[0].save(folder / "anim.webp", save_all=True, append_images=frames[1:], duration=100)
    Image.new("L", (700, 500), 128).save(folder / "gray.tiff")
    Image.new("RGB", (640, 480), (10, 20, 30)).save(folder / "plain.bmp")


def test_every_supported_kind_scans_with_a_thumbnail(core, tmp_path):
    _save_kinds(tmp_path / "kinds")
    folder = folders.add_folder(core.db, str(tmp_path / "kinds"))
    with ThreadPoolExecutor(2) as pool:
        result = scan_folder(core.db, core.settings, folder["id"], executor=pool)
    assert result["broken"] == 0, [f["scan_error"] for f in folders.list_folder_files(core.db, folder["id"])]
    files = {f["filename"]: f for f in folders.list_folder_files(core.db, folder["id"])}
    assert {f["file_type"] for f in files.values()} == {"jpg", "png", "gif", "webp", "tiff", "bmp"}
    for file in files.values():
        with Image.open(thumbnail_path(core.settings.thumbnails_dir, file["thumbnail_key"])) as thumb:
            assert thumb.format == "WEBP" and thumb.mode in ("RGB", "L")
            assert max(thumb.size) == min(256, max(file["width"], file["height"]))
    with Image.open(
        thumbnail_path(core.settings.thumbnails_dir, files["anim.gif"]["thumbnail_key"])
    ) as thumb:
        assert thumb.convert("RGB").getpixel((5, 5)) == pytest.approx((255, 0, 0), abs=12)  # the first frame


def test_same_bytes_share_one_thumbnail_and_a_lost_one_is_made_again(tmp_path, make_image):
    source = make_image("a.jpg", size=(1200, 800))
    options = ScanOptions(thumbnails_dir=str(tmp_path / "thumbs"))
    first = process_file(str(source), options)
    assert first["thumbnail_key"] == thumbnail_key(first["file_hash"], 256)
    path = thumbnail_path(tmp_path / "thumbs", first["thumbnail_key"])
    assert path.exists()
    path.unlink()
    remade = ensure_thumbnail(source, tmp_path / "thumbs", first["thumbnail_key"], 256, 80, None)
    with Image.open(remade) as thumb:
        assert thumb.size == (256, 171)


def test_thumbnail_keys_never_leave_the_cache_folder(tmp_path):
    for bad in ("../etc/passwd", "", ".hidden", "a/b"):
        with pytest.raises(ValueError):
            thumbnail_path(tmp_path, bad)
