"""One odd file never ends a folder's scan: extreme sizes, every Pillow mode, any exception, a dying worker."""

from __future__ import annotations

import io
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest
from fastapi import FastAPI
from PIL import Image
from starlette.testclient import TestClient

from app.api import _domain_error
from app.api import folders as folders_api
from app.container import attach, build_services
from app.errors import CaptionForgeError
from app.services.folders import folders
from app.services.folders.scanning import scan_folder
from app.services.quality import quality
from app.services.thumbnails import thumbnail_path
from tests.unit import scan_crash_support

SIZES = [(1, 1), (1, 40), (40, 1), (2, 2), (8, 3000), (3000, 8), (65000, 1)]


def scan_files(core, photos, executor):
    folder = folders.add_folder(core.db, str(photos))
    result = scan_folder(core.db, core.settings, folder["id"], executor=executor)
    files = {f["filename"]: f for f in folders.list_folder_files(core.db, folder["id"])}
    return result, files


def assert_usable(core, file):
    assert file["scan_error"] is None, file["scan_error"]
    assert len(file["phash"]) == 16
    assert file["quality_score"] is not None
    assert thumbnail_path(core.settings.thumbnails_dir, file["thumbnail_key"]).exists()


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_extreme_sizes_get_a_thumbnail_metrics_and_a_hash(core, photos, executor, width, height):
    Image.new("RGB", (width, height), (200, 40, 90)).save(photos / "odd.png")
    result, files = scan_files(core, photos, executor)
    assert (result["phase"], result["new"], result["broken"]) == ("done", 1, 0)
    file = files["odd.png"]
    assert_usable(core, file)
    assert (file["width"], file["height"]) == (width, height)
    details = file["quality_details"]
    if min(width, height) * quality.METRIC_SIDE / max(width, height, quality.METRIC_SIDE) < 8:
        assert details["measured"]["sharpness"] is None
        assert "not measured" in details["reasons"]["sharpness"]
    assert details["measured"]["resolution"] is not None


def _mode_image(mode: str) -> Image.Image:
    if mode == "P":
        image = Image.new("P", (64, 48), 1)
        image.info["transparency"] = 0
        return image
    if mode in ("I;16", "I", "F"):
        return (
            Image.linear_gradient("L").resize((64, 48)).convert("I").convert(mode)
            if mode != "I;16"
            else (Image.new("I;16", (64, 48), 30000))
        )
    if mode == "LAB":
        return Image.new("LAB", (64, 48), (50, 10, 200))
    return Image.linear_gradient("L").resize((64, 48)).convert(mode)


MODES = {
    "1": "png", "L": "png", "LA": "png", "P": "png", "I;16": "png", "I": "tiff", "F": "tiff",
    "CMYK": "jpg", "YCbCr": "jpg", "RGBA": "webp", "LAB": "tiff",
}  # fmt: skip


@pytest.mark.parametrize("mode", list(MODES))
def test_every_mode_pillow_opens_is_scanned(core, photos, executor, mode):
    _mode_image(mode).save(photos / f"m.{MODES[mode]}")
    with Image.open(photos / f"m.{MODES[mode]}") as check:
        saved_mode = check.mode
    result, files = scan_files(core, photos, executor)
    assert result["broken"] == 0, (saved_mode, files)
    assert_usable(core, files[f"m.{MODES[mode]}"])


def _frames(count=3):
    return [Image.new("RGB", (60, 40), (i * 80, 100, 200 - i * 60)) for i in range(count)]


def test_animated_multiframe_rotated_and_16bit_files(core, photos, executor):
    first, *rest = _frames()
    first.save(photos / "anim.gif", save_all=True, append_images=rest, duration=100, loop=0)
    first.save(photos / "anim.webp", save_all=True, append_images=rest, duration=100)
    first.save(photos / "anim.png", save_all=True, append_images=rest, duration=100)
    first.save(photos / "pages.tiff", save_all=True, append_images=rest)
    exif = Image.Exif()
    exif[0x0112] = 8
    Image.new("RGB", (90, 30), "teal").save(photos / "rotated.jpg", exif=exif)
    Image.new("I;16", (50, 50), 65000).save(photos / "deep.png")
    result, files = scan_files(core, photos, executor)
    assert (result["new"], result["broken"]) == (6, 0)
    for file in files.values():
        assert_usable(core, file)
    assert (files["rotated.jpg"]["width"], files["rotated.jpg"]["height"]) == (30, 90)


def test_truncated_empty_misnamed_and_bomb_files_are_broken_and_the_scan_goes_on(
    core, photos, executor, make_image
):
    make_image("good.jpg", size=(60, 60), folder=photos)
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "red").save(buffer, "PNG")
    (photos / "truncated.png").write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    (photos / "empty.jpg").write_bytes(b"")
    (photos / "text.png").write_bytes(b"not an image at all\n" * 10)
    Image.new("RGB", (50, 50), "blue").save(photos / "really_png.jpg", "PNG")  # wrong extension, fine
    core.settings["image_processing"]["max_image_pixels"] = 10_000
    Image.new("L", (400, 400)).save(photos / "bomb.png")
    result, files = scan_files(core, photos, executor)
    assert result["phase"] == "done"
    assert {n for n, f in files.items() if f["scan_error"]} == {
        "truncated.png",
        "empty.jpg",
        "text.png",
        "bomb.png",
    }
    assert result["broken"] == 4
    assert files["really_png.jpg"]["scan_error"] is None


@pytest.mark.parametrize("error", [ValueError("odd"), KeyError("x"), ZeroDivisionError(), RuntimeError("r")])
def test_any_exception_for_one_file_is_that_files_error(
    core, photos, executor, make_image, monkeypatch, error
):
    make_image("good.jpg", folder=photos)
    make_image("cursed.jpg", size=(33, 77), folder=photos)
    real = quality.measure

    def measure(image, size, *args):
        if size == (33, 77):
            raise error
        return real(image, size, *args)

    monkeypatch.setattr(quality, "measure", measure)
    result, files = scan_files(core, photos, executor)
    assert (result["phase"], result["broken"], result["new"]) == ("done", 1, 2)
    assert type(error).__name__ in files["cursed.jpg"]["scan_error"]
    assert files["good.jpg"]["scan_error"] is None


@pytest.fixture
def client(core) -> TestClient:
    api = FastAPI()
    attach(api, build_services(core))
    api.include_router(folders_api.router)
    api.add_exception_handler(CaptionForgeError, _domain_error)
    return TestClient(api)


def test_the_error_is_in_the_folder_file_list_of_the_api(core, client, photos, make_image, monkeypatch):
    make_image("cursed.jpg", size=(33, 77), folder=photos)
    monkeypatch.setattr(quality, "measure", lambda *a: 1 / 0)
    folder = folders.add_folder(core.db, str(photos))
    with ThreadPoolExecutor(1) as pool:
        scan_folder(core.db, core.settings, folder["id"], executor=pool)
    listed = client.get(f"/api/folders/{folder['id']}/files").json()
    items = listed["items"] if isinstance(listed, dict) else listed
    assert "ZeroDivisionError" in items[0]["scan_error"]


def _scan_in_crash_pool(core, photos):
    """Scan with real spawned workers that misbehave on the files named for it (see scan_crash_support)."""
    pool = ProcessPoolExecutor(
        2, mp_context=multiprocessing.get_context("spawn"), initializer=scan_crash_support.install
    )
    try:
        return scan_files(core, photos, pool)
    finally:
        pool.shutdown(wait=False)


# How the worker reading the file dies (see scan_crash_support), and what its recorded error says.
DEATHS = {
    "segfault": "crashed (SIGSEGV",
    "sigkill": "killed (SIGKILL: usually the system's out-of-memory killer",
}


@pytest.mark.parametrize("death", list(DEATHS))
def test_a_worker_that_dies_costs_only_its_file(core, photos, make_image, death):
    for index in range(12):
        make_image(f"ok{index}.jpg", size=(40 + index, 40), folder=photos)
    make_image(f"{death}.jpg", folder=photos)
    result, files = _scan_in_crash_pool(core, photos)
    assert (result["phase"], result["new"], result["broken"]) == ("done", 13, 1)
    reason = files[f"{death}.jpg"]["scan_error"]
    assert "worker process reading it" in reason and DEATHS[death] in reason, reason
    assert all(f["scan_error"] is None for n, f in files.items() if n != f"{death}.jpg")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
def test_a_decode_beyond_the_address_space_limit_is_that_files_memory_error(core, photos, make_image):
    for index in range(6):
        make_image(f"ok{index}.jpg", size=(40 + index, 40), folder=photos)
    Image.new("RGB", (6000, 6000), (90, 120, 200)).save(photos / "rlimit.png")  # ~108 MB once decoded
    result, files = _scan_in_crash_pool(core, photos)
    assert (result["phase"], result["new"], result["broken"]) == ("done", 7, 1)
    assert files["rlimit.png"]["scan_error"] == "too large to decode in the memory available"
    assert all(f["scan_error"] is None for n, f in files.items() if n != "rlimit.png")
