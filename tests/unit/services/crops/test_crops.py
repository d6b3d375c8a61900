"""A crop per dataset member: the API round-trip with hostile boxes, one crop per dataset, batch centre-crop
with undo, and what the crop changes elsewhere (grid thumbnail URL, health buckets)."""

from __future__ import annotations

import math

import pytest
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.testclient import TestClient

from app.api import _domain_error, request_invalid
from app.api import crops as crops_api
from app.api import datasets as datasets_api
from app.container import attach, build_services
from app.errors import CaptionForgeError
from app.services.crops import crops
from app.services.datasets import dataset_members, datasets
from app.services.grid.query import filter_rows
from app.services.quality import dataset_health
from tests.factories import make_tracked_files

BOX = {"x": 0.1, "y": 0.2, "w": 0.5, "h": 0.25}


@pytest.fixture
def client(core) -> TestClient:
    api = FastAPI()
    attach(api, build_services(core))
    for module in (datasets_api, crops_api):
        api.include_router(module.router)
    api.add_exception_handler(CaptionForgeError, _domain_error)
    api.add_exception_handler(RequestValidationError, request_invalid)
    return TestClient(api)


def _dataset(core, name: str, file_ids: list[str]) -> str:
    dataset = datasets.create_dataset(core.db, name=name)
    dataset_members.add_files(core.db, dataset.id, file_ids)
    return dataset.id


def _url(dataset_id: str, file_id: str) -> str:
    return f"/api/datasets/{dataset_id}/files/{file_id}/crop"


def test_crop_round_trips_through_the_api_and_clears(client, core):
    [file_id] = make_tracked_files(core.db, 1, size=(1000, 800))
    dataset_id = _dataset(core, "Set", [file_id])
    assert client.get(_url(dataset_id, file_id)).json()["crop"] is None
    put = client.put(_url(dataset_id, file_id), json=BOX)
    assert put.status_code == 200 and put.json()["crop"] == BOX
    assert client.get(_url(dataset_id, file_id)).json()["crop"] == BOX
    [row] = client.get(f"/api/datasets/{dataset_id}/files").json()
    assert row["crop"] == BOX and "crop=0.1,0.2,0.5,0.25" in row["thumbnail_url"]
    cleared = client.delete(_url(dataset_id, file_id))
    assert cleared.status_code == 200 and cleared.json()["crop"] is None
    [row] = client.get(f"/api/datasets/{dataset_id}/files").json()
    assert row["crop"] is None and "crop=" not in row["thumbnail_url"]


@pytest.mark.parametrize(
    "box, words",
    [
        ({**BOX, "x": -0.1}, "greater than or equal to 0"),
        ({**BOX, "w": 1.5}, "less than or equal to 1"),
        ({**BOX, "y": 7}, "less than or equal to 1"),
        ({**BOX, "h": 10**400}, ""),  # a huge int: Pydantic cannot even make it a float
        ({**BOX, "w": 0}, "zero size"),
        ({**BOX, "h": 0.0}, "zero size"),
        ({**BOX, "x": 0.8, "w": 0.5}, "right or bottom edge"),
        ({**BOX, "y": 0.9, "h": 0.2}, "right or bottom edge"),
        ({**BOX, "x": "0.1"}, ""),
        ({**BOX, "x": None}, ""),
        ({"x": 0.1, "y": 0.1, "w": 0.5}, "Field required"),
        ({**BOX, "extra": 1}, "Extra inputs"),
    ],
)
def test_hostile_boxes_get_a_422_that_says_what_is_wrong(client, core, box, words):
    [file_id] = make_tracked_files(core.db, 1)
    dataset_id = _dataset(core, "Set", [file_id])
    client.put(_url(dataset_id, file_id), json=BOX)
    answer = client.put(_url(dataset_id, file_id), json=box)
    assert answer.status_code == 422
    assert words in str(answer.json()["detail"])
    assert client.get(_url(dataset_id, file_id)).json()["crop"] == BOX, "the stored crop is untouched"


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(client, core, literal):
    [file_id] = make_tracked_files(core.db, 1)
    dataset_id = _dataset(core, "Set", [file_id])
    body = f'{{"x": {literal}, "y": 0, "w": 0.5, "h": 0.5}}'
    answer = client.put(_url(dataset_id, file_id), content=body, headers={"content-type": "application/json"})
    assert answer.status_code == 422 and "finite number" in str(answer.json()["detail"])
    assert client.get(_url(dataset_id, file_id)).json()["crop"] is None


def test_a_box_smaller_than_a_pixel_is_refused_with_the_image_size(client, core):
    [file_id] = make_tracked_files(core.db, 1, size=(100, 50))
    dataset_id = _dataset(core, "Set", [file_id])
    answer = client.put(_url(dataset_id, file_id), json={"x": 0, "y": 0, "w": 0.001, "h": 0.5})
    assert answer.status_code == 422 and "less than one pixel of this 100x50 image" in answer.json()["detail"]


def test_unknown_member_or_dataset_is_a_404(client, core):
    [file_id, other] = make_tracked_files(core.db, 2)
    dataset_id = _dataset(core, "Set", [file_id])
    assert client.get(_url(dataset_id, other)).status_code == 404
    assert client.put(_url("nope", file_id), json=BOX).status_code == 404


def test_the_same_image_keeps_a_different_crop_in_each_dataset(client, core):
    [file_id] = make_tracked_files(core.db, 1)
    first, second = _dataset(core, "Faces", [file_id]), _dataset(core, "Bodies", [file_id])
    client.put(_url(first, file_id), json=BOX)
    other = {"x": 0.0, "y": 0.0, "w": 1.0, "h": 0.5}
    client.put(_url(second, file_id), json=other)
    assert client.get(_url(first, file_id)).json()["crop"] == BOX
    assert client.get(_url(second, file_id)).json()["crop"] == other
    client.delete(_url(second, file_id))
    assert client.get(_url(first, file_id)).json()["crop"] == BOX


def test_centre_crop_batch_previews_applies_and_undo_restores_the_crop_before(client, core):
    wide, tall, square = (
        make_tracked_files(core.db, 1, size=(1600, 800), prefix="wide")
        + make_tracked_files(core.db, 1, size=(800, 1600), prefix="tall")
        + make_tracked_files(core.db, 1, size=(900, 900), prefix="square")
    )
    dataset_id = _dataset(core, "Set", [wide, tall, square])
    client.put(_url(dataset_id, wide), json=BOX)  # the crop before, that undo must bring back
    body = {"file_ids": [wide, tall, square], "aspect": "1:1"}
    preview = client.post(f"/api/datasets/{dataset_id}/crops/centre/preview", json=body).json()
    assert preview["total"] == 2, "the square image already is 1:1"
    assert client.get(_url(dataset_id, wide)).json()["crop"] == BOX, "a preview changes nothing"
    applied = client.post(f"/api/datasets/{dataset_id}/crops/centre", json=body).json()
    assert applied["changed"] == 2 and applied["batch_id"]
    assert client.get(_url(dataset_id, wide)).json()["crop"] == {"x": 0.25, "y": 0.0, "w": 0.5, "h": 1.0}
    assert client.get(_url(dataset_id, tall)).json()["crop"] == {"x": 0.0, "y": 0.25, "w": 1.0, "h": 0.5}
    undone = client.post(f"/api/crop-batches/{applied['batch_id']}/undo")
    assert undone.status_code == 200 and undone.json()["restored"] == 2
    assert client.get(_url(dataset_id, wide)).json()["crop"] == BOX
    assert client.get(_url(dataset_id, tall)).json()["crop"] is None
    again = client.post(f"/api/crop-batches/{applied['batch_id']}/undo")
    assert again.status_code == 409
    # The undo is a batch too: undoing it redoes the centre-crop.
    redo = client.post(f"/api/crop-batches/{undone.json()['batch_id']}/undo").json()
    assert redo["restored"] == 2
    assert client.get(_url(dataset_id, tall)).json()["crop"] == {"x": 0.0, "y": 0.25, "w": 1.0, "h": 0.5}


def test_undo_skips_a_member_cropped_again_since_the_batch(core):
    [file_id] = make_tracked_files(core.db, 1, size=(1600, 800))
    dataset_id = _dataset(core, "Set", [file_id])
    batch = crops.apply_centre_crop(core.db, dataset_id, [file_id], "1:1")
    crops.set_crop(core.db, dataset_id, file_id, BOX)
    assert crops.undo_crop_batch(core.db, batch.batch_id).skipped == 1
    assert crops.get_crop(core.db, dataset_id, file_id).crop == BOX, "the later edit is kept"


def test_batch_aspects_and_hostile_batch_bodies(client, core):
    [file_id] = make_tracked_files(core.db, 1, size=(1000, 1000))
    dataset_id = _dataset(core, "Set", [file_id])
    url = f"/api/datasets/{dataset_id}/crops/centre"
    assert client.post(url, json={"file_ids": [file_id], "aspect": "7:3"}).status_code == 422
    assert client.post(url, json={"file_ids": [], "aspect": "1:1"}).status_code == 422
    assert client.post(url, json={"file_ids": "abc", "aspect": "1:1"}).status_code == 422
    assert client.post("/api/crop-batches/nope/undo").status_code == 404
    bucket = client.post(url, json={"file_ids": [file_id], "aspect": "16:9"}).json()
    assert bucket["changed"] == 1
    crop = crops.get_crop(core.db, dataset_id, file_id).crop
    assert math.isclose(crop["w"] * 1000 / (crop["h"] * 1000), 16 / 9, rel_tol=1e-4)


def test_nearest_bucket_preset_picks_the_sdxl_bucket_of_the_image(core):
    [file_id] = make_tracked_files(core.db, 1, size=(1000, 800))  # nearest bucket 1152x896
    dataset_id = _dataset(core, "Set", [file_id])
    crops.apply_centre_crop(core.db, dataset_id, [file_id], "bucket")
    crop = crops.get_crop(core.db, dataset_id, file_id).crop
    assert math.isclose(crop["w"] * 1000 / (crop["h"] * 800), 1152 / 896, rel_tol=1e-4)


def test_health_buckets_count_images_as_they_will_be_exported(core):
    [file_id] = make_tracked_files(core.db, 1, size=(1600, 800))  # 2:1, bucket 1344x768
    dataset_id = _dataset(core, "Set", [file_id])
    before = dataset_health.dataset_health(core.db, dataset_id).buckets
    assert before["1344x768"] == 1 and before["1024x1024"] == 0
    crops.apply_centre_crop(core.db, dataset_id, [file_id], "1:1")
    after = dataset_health.dataset_health(core.db, dataset_id).buckets
    assert after["1024x1024"] == 1 and after["1344x768"] == 0
    # A click on the chart's bar filters the grid with the same count.
    rows = dataset_members.list_dataset_files(core.db, dataset_id)
    assert [r["file_id"] for r in filter_rows(rows, "bucket:1024x1024")] == [file_id]
    assert filter_rows(rows, "bucket:1344x768") == []


def test_every_crop_change_through_the_api_tells_open_grids_which_files(client, core, monkeypatch):
    sent: list[dict] = []
    monkeypatch.setattr(core.events, "emit_threadsafe", lambda event, payload: sent.append(payload))
    [file_id, other] = make_tracked_files(core.db, 2, size=(1600, 800))
    dataset_id = _dataset(core, "Set", [file_id, other])
    sent.clear()
    client.put(_url(dataset_id, file_id), json=BOX)
    client.delete(_url(dataset_id, file_id))
    batch = client.post(
        f"/api/datasets/{dataset_id}/crops/centre", json={"file_ids": [other], "aspect": "1:1"}
    )
    client.post(f"/api/crop-batches/{batch.json()['batch_id']}/undo")
    assert sent == [
        {"dataset_id": dataset_id, "file_ids": ids} for ids in ([file_id], [file_id], [other], [other])
    ]
    client.put(_url(dataset_id, file_id), json={**BOX, "w": 0})
    assert len(sent) == 4, "a refused change tells nobody"


def test_a_selection_of_many_thousand_ids_is_read_in_chunks(core):
    file_ids = make_tracked_files(core.db, 3, size=(1600, 800))
    dataset_id = _dataset(core, "Set", file_ids)
    strangers = [f"ghost-{i}" for i in range(40_000)]  # over SQLite's bound-parameter limit in one IN ()
    result = crops.apply_centre_crop(core.db, dataset_id, strangers + file_ids, "1:1")
    assert result.changed == 3
    assert crops.undo_crop_batch(core.db, result.batch_id).restored == 3


def test_every_crop_change_tells_open_grids_which_files_changed(core):
    file_ids = make_tracked_files(core.db, 2, size=(1600, 800))
    dataset_id = _dataset(core, "Set", file_ids)
    seen: list[tuple[str, dict]] = []
    core.db.publish = lambda kind, payload: seen.append((kind, dict(payload)))
    crops.set_crop(core.db, dataset_id, file_ids[0], BOX)
    crops.clear_crop(core.db, dataset_id, file_ids[0])
    batch = crops.apply_centre_crop(core.db, dataset_id, file_ids, "1:1")
    crops.undo_crop_batch(core.db, batch.batch_id)
    crops.apply_centre_crop(core.db, dataset_id, file_ids, "free")  # nothing to change: no event
    assert seen == [
        ("datasets_changed", {"dataset_id": dataset_id, "file_ids": [file_ids[0]]}),
        ("datasets_changed", {"dataset_id": dataset_id, "file_ids": [file_ids[0]]}),
        ("datasets_changed", {"dataset_id": dataset_id, "file_ids": file_ids}),
        ("datasets_changed", {"dataset_id": dataset_id, "file_ids": file_ids}),
    ]
