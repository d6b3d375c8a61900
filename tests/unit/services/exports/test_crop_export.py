"""The member's crop reaches the pixels: every export preset writes the cropped image (cropped before the
resize, EXIF rotation first), the manifest records the box, and the grid thumbnail shows only the box."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from PIL import Image
from sqlalchemy import update
from starlette.testclient import TestClient

from app import models
from app.api import _domain_error
from app.api import files as files_api
from app.container import attach, build_services
from app.errors import CaptionForgeError
from app.services.crops import crops
from app.services.exports import exports
from app.services.exports.export_presets import BUILTIN_PRESETS
from app.services.thumbnails import ensure_thumbnail
from tests.export_seed import seed_dataset
from tests.quadrant_images import BLUE, GREEN, RED, YELLOW, quadrants
from tests.quadrant_images import colours as image_colours

TOP_RIGHT = {"x": 0.5, "y": 0.0, "w": 0.5, "h": 0.5}


def colours(path: Path) -> set[tuple[int, int, int]]:
    with Image.open(path) as image:
        return image_colours(image)


def _export(core, seeded, **request):
    request.setdefault("caption_set_id", seeded.caption_set_id)
    started = exports.start_export(core.db, core.settings, seeded.dataset_id, request)
    return exports.run_export(core.db, core.settings, started.export_id)


def _images(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".png", ".jpg", ".webp"))


@pytest.mark.parametrize("preset", sorted(BUILTIN_PRESETS))
def test_every_preset_exports_the_cropped_pixels(core, tmp_path, preset):
    source = quadrants(tmp_path / "images" / "q.png")
    seeded = seed_dataset(core.db, [source], ["a cat"])
    crops.set_crop(core.db, seeded.dataset_id, seeded.file_ids[0], TOP_RIGHT)
    target = tmp_path / "out"
    result = _export(core, seeded, preset=preset, export_path=str(target), image_processing={"format": "png"})
    assert result.status == "completed", result
    [image] = _images(target)
    with Image.open(image) as exported:
        assert exported.size == (200, 100)
    assert colours(image) == {GREEN}, "only the top-right quadrant is exported"
    assert colours(source) == {RED, GREEN, BLUE, YELLOW}, "the source file is untouched"


def test_the_crop_is_applied_before_the_resize(core, tmp_path):
    source = quadrants(tmp_path / "images" / "big.jpg", size=(2000, 1000), quality=95)
    seeded = seed_dataset(core.db, [source], ["a cat"])
    crops.set_crop(core.db, seeded.dataset_id, seeded.file_ids[0], {"x": 0.0, "y": 0.5, "w": 0.5, "h": 0.5})
    target = tmp_path / "out"
    _export(
        core,
        seeded,
        export_path=str(target),
        image_processing={"format": "jpeg", "target_resolution": 256, "jpeg_quality": 95},
    )
    [image] = _images(target)
    with Image.open(image) as exported:
        assert exported.size == (256, 128), "the 1000x500 box fitted to 256 on the long side"
    assert colours(image) == {BLUE}


def test_keep_format_with_a_crop_is_recoded_not_copied_whole(core, tmp_path):
    source = quadrants(tmp_path / "images" / "q.jpg", quality=95)
    seeded = seed_dataset(core.db, [source], ["a cat"])
    crops.set_crop(core.db, seeded.dataset_id, seeded.file_ids[0], TOP_RIGHT)
    _export(core, seeded, export_path=str(tmp_path / "out"), image_processing={"format": "original"})
    [image] = _images(tmp_path / "out")
    assert colours(image) == {GREEN}


def test_the_box_is_in_stored_coordinates_of_the_upright_image(core, tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored landscape, displayed portrait (rotated 90 clockwise)
    source = quadrants(tmp_path / "images" / "r.jpg", size=(400, 200), exif=exif.tobytes(), quality=95)
    seeded = seed_dataset(core.db, [source], ["a cat"])
    # Upright, the image is 200x400: its top-left quadrant is the stored bottom-left one, blue.
    crops.set_crop(core.db, seeded.dataset_id, seeded.file_ids[0], {"x": 0, "y": 0, "w": 0.5, "h": 0.5})
    _export(core, seeded, export_path=str(tmp_path / "out"), image_processing={"format": "png"})
    [image] = _images(tmp_path / "out")
    with Image.open(image) as exported:
        assert exported.size == (100, 200)
    assert colours(image) == {BLUE}


def test_the_manifest_records_the_box(core, tmp_path):
    images = [quadrants(tmp_path / "images" / "a.png"), quadrants(tmp_path / "images" / "b.png")]
    seeded = seed_dataset(core.db, images, ["one", "two"])
    crops.set_crop(core.db, seeded.dataset_id, seeded.file_ids[0], TOP_RIGHT)
    _export(core, seeded, export_path=str(tmp_path / "json"), manifest="json")
    manifest = json.loads((tmp_path / "json" / "manifest.json").read_text(encoding="utf-8"))
    by_id = {row["file_id"]: row for row in manifest["files"]}
    assert by_id[seeded.file_ids[0]]["crop"] == TOP_RIGHT
    assert by_id[seeded.file_ids[1]]["crop"] is None
    _export(core, seeded, export_path=str(tmp_path / "csv"), manifest="csv")
    text = (tmp_path / "csv" / "manifest.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["crop"] for row in rows] == ["0.5,0,0.5,0.5", ""]


def test_the_grid_thumbnail_shows_the_crop_under_its_own_cache_key(tmp_path):
    source = quadrants(tmp_path / "q.png")
    whole = ensure_thumbnail(source, tmp_path / "thumbs", "abcdef", 64, 90, None)
    cropped = ensure_thumbnail(source, tmp_path / "thumbs", "abcdef", 64, 90, None, crop=TOP_RIGHT)
    other = ensure_thumbnail(
        source, tmp_path / "thumbs", "abcdef", 64, 90, None, crop={"x": 0, "y": 0.5, "w": 0.5, "h": 0.5}
    )
    assert len({whole, cropped, other}) == 3, "the cache key follows the box"
    assert colours(whole) >= {RED, GREEN, BLUE, YELLOW}
    assert colours(cropped) == {GREEN} and colours(other) == {BLUE}


def test_the_resolution_check_measures_the_cropped_image(core, tmp_path):
    seeded = seed_dataset(core.db, [quadrants(tmp_path / "images" / "big.png", size=(1200, 600))], ["a"])
    request = {"caption_set_id": seeded.caption_set_id, "target_resolution": 1024}

    def below() -> list[dict]:
        plan = exports.plan_export(core.db, core.settings, seeded.dataset_id, request)
        return next(c for c in plan.model_dump()["checks"] if c["kind"] == "below_resolution")["examples"]

    assert below() == []
    crops.set_crop(core.db, seeded.dataset_id, seeded.file_ids[0], TOP_RIGHT)
    assert [e["detail"] for e in below()] == ["600x300"], "the 600x300 box is what the trainer gets"


@pytest.mark.parametrize(
    "crop", ["nan,0,1,1", "0,0,1e999,1", "-1,0,1,1", "0,0,0,1", "0.9,0,0.5,1", "a,b", "1,2,3"]
)
def test_a_hostile_thumbnail_crop_is_a_422(core, tmp_path, crop):
    seeded = seed_dataset(core.db, [quadrants(tmp_path / "images" / "q.png")], ["a"])
    with core.db.session() as session:
        session.execute(update(models.TrackedFile).values(thumbnail_key="k1"))
    api = FastAPI()
    attach(api, build_services(core))
    api.include_router(files_api.router)
    api.add_exception_handler(CaptionForgeError, _domain_error)
    client = TestClient(api)
    url = f"/api/files/{seeded.file_ids[0]}/thumbnail"
    answer = client.get(url, params={"v": "k1", "crop": crop})
    assert answer.status_code == 422 and answer.json()["detail"]
    good = client.get(url, params={"v": "k1", "crop": "0.5,0,0.5,0.5"})
    assert good.status_code == 200
    with Image.open(io.BytesIO(good.content)) as thumbnail:
        assert image_colours(thumbnail) == {GREEN}
