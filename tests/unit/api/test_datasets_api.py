"""The dataset, caption-set and caption endpoints in process: status codes, shapes, actionable errors."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from app.api import _domain_error
from app.api import caption_sets as caption_sets_api
from app.api import captions as captions_api
from app.api import datasets as datasets_api
from app.container import attach, build_services
from app.errors import CaptionForgeError
from tests.factories import make_tracked_files


@pytest.fixture
def client(core) -> TestClient:
    api = FastAPI()
    attach(api, build_services(core))
    for module in (datasets_api, caption_sets_api, captions_api):
        api.include_router(module.router)
    api.add_exception_handler(CaptionForgeError, _domain_error)
    return TestClient(api)


def test_dataset_lifecycle_and_status_codes(client, core):
    ids = make_tracked_files(core.db, 3, sizes_mb=[1, 2, 3])
    created = client.post("/api/datasets", json={"name": "Nova Chorus v2!", "tags": ["portrait"]})
    assert created.status_code == 201 and created.json()["slug"] == "nova-chorus-v2"
    dataset_id = created.json()["id"]
    duplicate = client.post("/api/datasets", json={"name": "nova chorus V2!"})
    assert duplicate.status_code == 409 and "already exists" in duplicate.json()["detail"]
    assert client.post("/api/datasets", json={"name": " "}).status_code == 422
    assert client.post("/api/datasets", json={}).status_code == 422
    assert client.get("/api/datasets/nope").status_code == 404
    assert "does not exist" in client.get("/api/datasets/nope").json()["detail"]

    assert client.post(f"/api/datasets/{dataset_id}/files", json={"file_ids": ids}).json() == {"count": 3}
    assert client.post(f"/api/datasets/{dataset_id}/files", json={"file_ids": ids}).json() == {"count": 0}
    assert client.post(f"/api/datasets/{dataset_id}/files", json={"file_ids": ["ghost"]}).status_code == 404
    assert client.delete(f"/api/datasets/{dataset_id}/files/{ids[0]}").json() == {"count": 1}
    excluded = client.post(
        f"/api/datasets/{dataset_id}/files/exclude", json={"file_ids": [ids[1]], "excluded": True}
    )
    assert excluded.json() == {"count": 1}
    assert (
        client.put(f"/api/datasets/{dataset_id}/files/order", json={"file_ids": [ids[2]]}).status_code == 200
    )
    files = client.get(f"/api/datasets/{dataset_id}/files").json()
    assert [f["file_id"] for f in files] == [ids[2], ids[1]] and files[1]["excluded"] is True
    stats = client.get(f"/api/datasets/{dataset_id}/stats").json()
    assert (stats["file_count"], stats["excluded_count"], stats["total_size_mb"]) == (2, 1, 5.0)

    updated = client.put(f"/api/datasets/{dataset_id}", json={"name": "Renamed", "category": "char"})
    assert updated.json()["slug"] == "renamed" and updated.json()["tags"] == ["portrait"]
    assert [d["name"] for d in client.get("/api/datasets", params={"search": "portr"}).json()] == ["Renamed"]
    preview = client.get(f"/api/datasets/{dataset_id}/deletion-summary").json()
    assert client.delete(f"/api/datasets/{dataset_id}").json() == preview
    assert client.get(f"/api/datasets/{dataset_id}").status_code == 404


def test_caption_set_and_caption_endpoints(client, core):
    ids = make_tracked_files(core.db, 2, imported_captions=["from txt", None])
    dataset_id = client.post("/api/datasets", json={"name": "D"}).json()["id"]
    client.post(f"/api/datasets/{dataset_id}/files", json={"file_ids": ids})
    made = client.post(
        f"/api/datasets/{dataset_id}/caption-sets",
        json={"name": "Natural", "style": "natural_simple", "max_length": 20, "init_from_imported": True},
    )
    assert made.status_code == 201 and (made.json()["imported"], made.json()["caption_count"]) == (1, 1)
    set_id = made.json()["id"]
    assert (
        client.post(f"/api/datasets/{dataset_id}/caption-sets", json={"name": "natural"}).status_code == 409
    )
    bad_style = client.post(f"/api/datasets/{dataset_id}/caption-sets", json={"name": "X", "style": "poem"})
    assert bad_style.status_code == 422
    assert client.get("/api/caption-sets/ghost").status_code == 404

    saved = client.post(
        f"/api/caption-sets/{set_id}/captions", json={"file_id": ids[1], "caption_text": "a cat"}
    )
    assert saved.status_code == 200 and saved.json()["source"] == "manual"
    caption = saved.json()
    too_long = client.post(
        f"/api/caption-sets/{set_id}/captions", json={"file_id": ids[1], "caption_text": "x" * 21}
    )
    assert too_long.status_code == 422 and "at most 20" in too_long.json()["detail"]
    edit = client.put(f"/api/captions/{caption['id']}", json={"caption_text": "a grey cat"})
    assert edit.status_code == 200
    stale = client.put(
        f"/api/captions/{caption['id']}",
        json={"caption_text": "old tab", "expected_modified": caption["modified_date"]},
    )
    assert stale.status_code == 409 and "changed elsewhere" in stale.json()["detail"]
    for_file = client.get(f"/api/caption-sets/{set_id}/files/{ids[0]}").json()
    assert for_file["imported_caption"] == "from txt" and for_file["caption"]["source"] == "imported"
    assert len(client.get(f"/api/caption-sets/{set_id}/captions").json()) == 2

    revisions = client.get(f"/api/captions/{caption['id']}/revisions").json()
    assert [r["new_text"] for r in revisions] == ["a grey cat", "a cat"]
    reverted = client.post(f"/api/captions/{caption['id']}/revert/{revisions[-1]['id']}")
    assert reverted.json()["caption_text"] == "a cat"
    assert client.post(f"/api/captions/{caption['id']}/revert/ghost").status_code == 404

    batch = client.post(
        f"/api/caption-sets/{set_id}/batch",
        json={"updates": [{"file_id": i, "caption_text": "same"} for i in ids], "label": "all same"},
    )
    assert batch.status_code == 200 and batch.json()["updated"] == 2
    assert client.post(f"/api/caption-sets/{set_id}/batch", json={"updates": []}).status_code == 422
    undo = client.post(f"/api/caption-sets/batches/{batch.json()['batch_id']}/revert")
    assert undo.json() == {"reverted": 2, "skipped": 0}

    copy = client.post(f"/api/caption-sets/{set_id}/duplicate", json={"name": "Copy"})
    assert copy.status_code == 201 and copy.json()["caption_count"] == 2
    assert (
        client.put(f"/api/caption-sets/{set_id}", json={"trigger_phrase": "nova"}).json()["trigger_phrase"]
        == "nova"
    )
    assert client.delete(f"/api/captions/{caption['id']}").json()["caption_text"] == "a cat"
    assert client.get(f"/api/captions/{caption['id']}").status_code == 404
    assert client.delete(f"/api/caption-sets/{set_id}").json()["captions"] == 1
    assert [s["name"] for s in client.get(f"/api/datasets/{dataset_id}/caption-sets").json()] == ["Copy"]


def test_openapi_documents_every_route(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/datasets",
        "/api/datasets/{dataset_id}/files/{file_id}",
        "/api/datasets/{dataset_id}/stats",
        "/api/caption-sets/{caption_set_id}/batch",
        "/api/caption-sets/{caption_set_id}/files/{file_id}",
        "/api/captions/{caption_id}/revisions",
        "/api/captions/{caption_id}/revert/{revision_id}",
    ):
        assert path in paths


def test_the_trigger_switch_through_the_api(client, core):
    dataset_id = client.post("/api/datasets", json={"name": "Trigger"}).json()["id"]
    created = client.post(
        f"/api/datasets/{dataset_id}/caption-sets", json={"name": "S", "trigger_phrase": "ohwx"}
    )
    assert created.status_code == 201 and created.json()["ensure_trigger"] is True
    set_id = created.json()["id"]
    changed = client.put(f"/api/caption-sets/{set_id}", json={"ensure_trigger": False})
    assert changed.status_code == 200 and changed.json()["ensure_trigger"] is False
    assert client.put(f"/api/caption-sets/{set_id}", json={"ensure_trigger": None}).status_code == 422
