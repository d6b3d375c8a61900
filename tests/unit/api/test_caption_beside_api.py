"""The write-beside endpoints in process: a preview writes nothing, a write is undoable, bad input is plain."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from app.api import _domain_error
from app.api import caption_beside as caption_beside_api
from app.container import attach, build_services
from app.errors import CaptionForgeError
from tests.unit.services.exports.test_caption_files_beside import seed


@pytest.fixture
def client(core) -> TestClient:
    api = FastAPI()
    attach(api, build_services(core))
    api.include_router(caption_beside_api.router)
    api.add_exception_handler(CaptionForgeError, _domain_error)
    return TestClient(api)


def test_preview_write_and_undo(client, core, tmp_path) -> None:
    root = tmp_path / "photos"
    seeded = seed(core, root, ["ohwx, a", "ohwx, b", None])
    (root / "img_0002.txt").write_text("by hand", encoding="utf-8")
    url = f"/api/caption-sets/{seeded['id']}/write-beside"
    preview = client.post(f"{url}/preview", json={}).json()
    assert preview["counts"] == {"write": 2, "overwrite": 1, "create": 1, "skipped": 1}
    assert [w["current_text"] for w in preview["writes"] if w["exists"]] == ["by hand"]
    assert not (root / "img_0001.txt").exists()

    written = client.post(url, json={"extension": ".txt"}).json()
    assert written["written"] == 2 and (root / "img_0002.txt").read_text() == "ohwx, b"
    undone = client.post(f"/api/caption-backups/{written['backup_id']}/undo")
    assert undone.status_code == 200 and undone.json()["restored"] == 1 and undone.json()["removed"] == 1
    assert (root / "img_0002.txt").read_text() == "by hand" and not (root / "img_0001.txt").exists()
    again = client.post(f"/api/caption-backups/{written['backup_id']}/undo")
    assert again.status_code == 409 and "already undone" in again.json()["detail"]


@pytest.mark.parametrize(
    "body", [{"extension": ".jpg"}, {"extension": "../x.txt"}, {"extension": 3}, {"overwrite": True}]
)
def test_a_bad_body_is_a_422(client, core, tmp_path, body) -> None:
    seeded = seed(core, tmp_path / "photos", ["ohwx, a"])
    response = client.post(f"/api/caption-sets/{seeded['id']}/write-beside", json=body)
    assert response.status_code == 422
    assert not (tmp_path / "photos" / "img_0001.txt").exists()


def test_unknown_set_and_backup_are_404s(client) -> None:
    assert client.post("/api/caption-sets/nope/write-beside/preview").status_code == 404
    assert client.post("/api/caption-backups/..%2F..%2Fetc/undo").status_code == 404
    assert client.post("/api/caption-backups/20261203-120000-000000/undo").status_code == 404


def test_nothing_to_write_is_a_clear_422(client, core, tmp_path) -> None:
    seeded = seed(core, tmp_path / "photos", [None])
    response = client.post(f"/api/caption-sets/{seeded['id']}/write-beside")
    assert response.status_code == 422 and "no caption in this set" in response.json()["detail"]
