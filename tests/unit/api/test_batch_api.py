"""The caption-tools endpoints in process: previews write nothing, applies are undoable, errors are plain."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from app.api import _domain_error
from app.api import caption_tools as caption_tools_api
from app.container import attach, build_services
from app.errors import CaptionForgeError
from app.services.captions import caption_events
from app.services.datasets import dataset_members
from tests.caption_tools_seed import seed_caption_set


@pytest.fixture
def client(core) -> TestClient:
    api = FastAPI()
    attach(api, build_services(core))
    api.include_router(caption_tools_api.router)
    api.add_exception_handler(CaptionForgeError, _domain_error)
    return TestClient(api)


def _texts(core, seeded):
    return [
        r["caption_text"]
        for r in dataset_members.list_dataset_files(core.db, seeded["dataset_id"], seeded["id"])
    ]


def test_find_replace_preview_apply_and_undo(client, core):
    seeded = seed_caption_set(core.db)
    set_url = f"/api/caption-sets/{seeded['id']}"
    body = {"find": "WOMAN", "replace": "person", "limit": 2}
    preview = client.post(f"{set_url}/find-replace/preview", json=body).json()
    assert preview["total"] == 3 and len(preview["samples"]) == 2
    assert preview["samples"][0]["after"] == "ohwx, person, smile, red dress"
    assert _texts(core, seeded)[0] == "ohwx, woman, smile, red dress"

    applied = client.post(f"{set_url}/find-replace", json={**body, "query": "tag:hat"}).json()
    assert applied["changed"] == 2
    [batch] = client.get(f"{set_url}/batches").json()
    assert batch["batch_id"] == applied["batch_id"] and batch["count"] == 2
    undone = client.post(f"/api/batches/{applied['batch_id']}/undo").json()
    assert undone["restored"] == 2
    assert client.post(f"/api/batches/{applied['batch_id']}/undo").status_code == 409
    assert _texts(core, seeded)[1] == "ohwx, woman, hat, Smile"

    bad = client.post(f"{set_url}/find-replace/preview", json={"find": "(", "regex": True})
    assert bad.status_code == 422 and "regular expression" in bad.json()["detail"]


def test_tags_batch_edit_views_tokens_and_query_check(client, core):
    seeded = seed_caption_set(core.db)
    set_url = f"/api/caption-sets/{seeded['id']}"
    assert client.get(f"{set_url}/tags", params={"limit": 2}).json() == [
        {"tag": "ohwx", "count": 3},
        {"tag": "smile", "count": 3},
    ]
    assert client.get("/api/caption-sets/nope/tags").status_code == 404
    preview = client.post(f"{set_url}/tags/delete/preview", json={"tag": "hat"}).json()
    assert preview["total"] == 2
    assert client.post(f"{set_url}/tags/rename", json={"tag": "smile", "new": "grin"}).json()["changed"] == 3

    edit = {
        "edit": {"op": "add", "text": "portrait", "position": "start"},
        "file_ids": seeded["file_ids"][:2],
    }
    assert client.post(f"{set_url}/batch-edit", json=edit).json()["changed"] == 2
    assert _texts(core, seeded)[0] == "ohwx, portrait, woman, grin, red dress"
    assert client.post(f"{set_url}/batch-edit", json={"edit": {"op": "nope"}}).status_code == 422

    views_url = f"/api/datasets/{seeded['dataset_id']}/views"
    view = client.post(views_url, json={"name": "Hats", "query": "tag:hat"})
    assert view.status_code == 201
    assert [v["query"] for v in client.get(views_url).json()] == ["tag:hat"]
    assert client.post(views_url, json={"name": "Bad", "query": "tag:"}).status_code == 422
    assert client.delete(f"/api/views/{view.json()['id']}").status_code == 200

    assert client.post("/api/tokens", json={"text": "a photo of a cat"}).json() == {
        "count": 5,
        "limit": 75,
        "over": 0,
    }
    assert client.get("/api/query/check", params={"q": "tag:smile"}).json()["valid"] is True
    check = client.get("/api/query/check", params={"q": "(tag:smile"}).json()
    assert check == {"valid": False, "message": "This '(' is never closed: add ')'", "position": 0}


def test_a_batch_bigger_than_the_per_caption_events_sends_one_bulk_change(client, core, monkeypatch):
    seeded = seed_caption_set(core.db)
    sent: list[tuple[object, dict]] = []
    monkeypatch.setattr(core.db, "publish", lambda kind, payload: sent.append((kind, payload)))
    monkeypatch.setattr(caption_events, "MAX_EVENTS", 1)
    body = {"find": "woman", "replace": "person"}
    assert client.post(f"/api/caption-sets/{seeded['id']}/find-replace", json=body).json()["changed"] == 3
    changes = [payload for kind, payload in sent if kind == "caption_changed"]
    assert changes == [{"caption_set_id": seeded["id"], "file_id": None, "bulk": True}], (
        "open pages re-read the set, so every count follows"
    )
