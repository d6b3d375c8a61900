"""The checks before an export writes: each problem a trainer would silently get is counted, with examples."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from app import models
from app.api import _domain_error
from app.container import attach, build_services
from app.errors import CaptionForgeError
from app.services.exports import exports
from tests.export_seed import seed_dataset


def _checks(core, seeded, **request):
    request.setdefault("caption_set_id", seeded.caption_set_id)
    plan = exports.plan_export(core.db, core.settings, seeded.dataset_id, request)
    return {check.kind: check.model_dump() for check in plan.checks}


@pytest.fixture
def seeded(core, make_image):
    images = [
        make_image("big.png", size=(1200, 900), color=(10, 200, 30)),
        make_image("small.png", size=(300, 200), color=(200, 30, 30)),
        make_image("copy_a.png", size=(1100, 1100), color=(1, 2, 3)),
        make_image("copy_b.png", size=(1100, 1100), color=(1, 2, 3)),
        make_image("flagged.png", size=(1300, 1000), color=(90, 90, 200)),
    ]
    seeded = seed_dataset(
        core.db,
        images,
        ["ohwx, a green field", "a red square", "ohwx dark", "ohwx dark", "OHWX blue"],
        trigger="ohwx",
        flags=[[], [], [], [], ["blurry"]],
    )
    with core.db.session() as session:
        for tracked in session.query(models.TrackedFile):
            tracked.phash = {"big.png": "ffff0000ffff0000", "flagged.png": "ffff0000ffff0001"}.get(
                tracked.filename
            )
    return seeded


def test_each_check_counts_what_the_trainer_would_get(core, seeded):
    checks = _checks(core, seeded, export_path="", target_resolution=1024)
    assert checks["missing_trigger"]["count"] == 1
    assert checks["missing_trigger"]["examples"][0]["filename"] == "small.png", "OHWX counts (any case)"
    assert [e["filename"] for e in checks["below_resolution"]["examples"]] == ["small.png"]
    assert checks["below_resolution"]["examples"][0]["detail"] == "300x200"
    assert [e["filename"] for e in checks["flagged"]["examples"]] == ["flagged.png"]
    assert checks["flagged"]["examples"][0]["detail"] == "blurry"
    assert (
        checks["duplicates"]["count"] == 1 and checks["duplicates"]["examples"][0]["filename"] == "copy_b.png"
    )
    assert sorted(e["filename"] for e in checks["near_duplicates"]["examples"]) == ["big.png", "flagged.png"]
    assert checks["class_repeats_trigger"]["count"] == 0, "not kohya"


def test_a_lower_training_resolution_clears_the_small_image(core, seeded):
    assert _checks(core, seeded, target_resolution=256)["below_resolution"]["count"] == 0


def test_skipped_images_are_not_checked_again(core, seeded):
    checks = _checks(core, seeded, exclude_flags=["blurry"])
    assert checks["flagged"]["count"] == 0, "the flagged image is skipped, so it is not written"
    assert checks["near_duplicates"]["count"] == 0, "its look-alike is no longer exported with it"


def test_a_class_word_that_repeats_the_trigger_is_reported(core, make_image):
    seeded = seed_dataset(
        core.db, [make_image("a.png", size=(1024, 1024))], ["ohwx shape"], trigger="ohwx shape"
    )
    checks = _checks(core, seeded, preset="kohya_ss", class_tokens="shape")
    assert checks["class_repeats_trigger"]["count"] == 1
    assert "'shape'" in checks["class_repeats_trigger"]["examples"][0]["detail"]
    assert checks["missing_trigger"]["count"] == 0


def test_check_endpoint_is_typed_and_refuses_bad_input(core, seeded):
    from app.api import exports as exports_api

    api = FastAPI()

    attach(api, build_services(core))
    api.include_router(exports_api.router)
    api.add_exception_handler(CaptionForgeError, _domain_error)
    client = TestClient(api)
    url = f"/api/datasets/{seeded.dataset_id}/export/check"
    response = client.post(url, json={"caption_set_id": seeded.caption_set_id, "target_resolution": 1024})
    assert response.status_code == 200
    body = response.json()
    assert body["file_count"] == 5 and body["issue_count"] == 5
    assert {c["kind"] for c in body["checks"]} >= {"missing_trigger", "below_resolution", "near_duplicates"}
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert "ExportCheckResult" in schema
    assert client.post("/api/datasets/nope/export/check", json={}).status_code == 404
    bad = client.post(url, json={"caption_set_id": seeded.caption_set_id, "target_resolution": "huge"})
    assert bad.status_code == 422  # the typed body names the field
    assert any(error["loc"] == ["body", "target_resolution"] for error in bad.json()["detail"])
    assert client.post(url, json=["not", "an", "object"]).status_code == 422


def test_kept_size_is_checked_against_the_settings_training_resolution_not_a_fixed_1024(core, make_image):
    seeded = seed_dataset(core.db, [make_image("mid.png", size=(700, 500))], ["novachorus a"])
    core.settings["image_processing"]["training_resolution"] = 512  # an SD 1.5 set, exported at its size
    assert _checks(core, seeded, target_resolution=None)["below_resolution"]["count"] == 0
    core.settings["image_processing"]["training_resolution"] = 1024
    assert _checks(core, seeded, target_resolution=None)["below_resolution"]["count"] == 1


def test_an_export_resized_to_512_does_not_report_the_scan_s_low_resolution_flag(core, make_image):
    images = [make_image(f"{i}.png", size=(640, 480)) for i in range(3)]
    seeded = seed_dataset(  # the scan measured them against 1024 and flagged them low_resolution
        core.db,
        images,
        ["novachorus a"] * 3,
        flags=[["low_resolution"], ["low_resolution", "blurry"], []],
    )
    checks = _checks(core, seeded, target_resolution=512)
    assert checks["below_resolution"]["count"] == 0, "640 px is enough for 512 px training"
    assert checks["flagged"]["count"] == 1 and checks["flagged"]["files"][0]["detail"] == "blurry"
    assert "512 px" in checks["below_resolution"]["label"]
    small = _checks(core, seeded, target_resolution=1024)
    assert small["below_resolution"]["count"] == 3, "at 1024 the size check still finds them, once each"


def test_findings_are_grouped_by_kind_with_counts_and_list_every_file(core, make_image):
    flags = [["blurry"]] * 4 + [["heavy_jpeg"]] * 2 + [["blurry", "underexposed"]]
    images = [make_image(f"f{i}.png", size=(1100, 1100), color=(i * 30, 10, 10)) for i in range(7)]
    seeded = seed_dataset(core.db, images, ["novachorus x"] * 7, flags=flags)
    flagged = _checks(core, seeded)["flagged"]
    assert flagged["count"] == 7
    assert flagged["groups"] == [
        {"label": "blurry", "count": 5},
        {"label": "heavy_jpeg", "count": 2},
        {"label": "underexposed", "count": 1},
    ]
    assert [f["filename"] for f in flagged["files"]] == [f"f{i}.png" for i in range(7)], "all, not 5"
    assert len(flagged["examples"]) == 5


def test_kohya_toml_trains_at_the_settings_resolution_when_the_export_keeps_the_size(
    core, make_image, tmp_path
):
    import tomllib

    seeded = seed_dataset(core.db, [make_image("a.png", size=(700, 700))], ["novachorus a"])
    core.settings["image_processing"]["training_resolution"] = 768
    root = tmp_path / "k"
    request = {"caption_set_id": seeded.caption_set_id, "preset": "kohya_ss", "export_path": str(root)}
    started = exports.start_export(core.db, core.settings, seeded.dataset_id, {**request, "kohya_toml": True})
    assert exports.run_export(core.db, core.settings, started.export_id).status == "completed"
    config = tomllib.loads((root / "dataset.toml").read_text(encoding="utf-8"))
    assert config["datasets"][0]["resolution"] == 768
