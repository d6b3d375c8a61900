"""/api/folders and /api/files through the real app (a main.py subprocess, the real process pool)."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.live_server import start_server, stop_server


@pytest.fixture
def allowed(tmp_path):
    root = tmp_path / "allowed"
    root.mkdir()
    return root


@pytest.fixture
def server(tmp_path, allowed):
    running = start_server(tmp_path / "d", env={"CAPTIONFORGE_SERVER__ALLOWED_FOLDERS": f"[{allowed}]"})
    yield running
    stop_server(running)


def test_track_scan_list_serve_and_forget(server, allowed, tmp_path, make_image):
    photos = allowed / "photos"
    image = make_image("a.jpg", size=(900, 600), folder=photos)
    make_image("b.png", folder=photos / "sub", format="PNG")
    (photos / "a.txt").write_text("a red square", encoding="utf-8")
    api = httpx.Client(base_url=server.url, timeout=60)

    outside = tmp_path / "outside"
    outside.mkdir()
    refused = api.post("/api/folders", json={"path": str(outside)})
    assert refused.status_code == 403 and "outside" in refused.json()["detail"]
    assert api.post("/api/folders", json={"path": str(allowed / "nope")}).status_code == 404

    created = api.post("/api/folders", json={"path": str(photos), "recursive": True, "scan": False})
    assert created.status_code == 201, created.text
    folder = created.json()
    assert api.post("/api/folders", json={"path": str(photos)}).status_code == 409
    result = api.post(f"/api/folders/{folder['id']}/scan", params={"wait": True}).json()
    assert (result["phase"], result["new"], result["seen"]) == ("done", 2, 2)
    assert api.get(f"/api/folders/{folder['id']}/scan").json()["phase"] == "done"

    files = {f["filename"]: f for f in api.get(f"/api/folders/{folder['id']}/files").json()}
    assert set(files) == {"a.jpg", "b.png"}
    detail = api.get(f"/api/files/{files['a.jpg']['id']}").json()
    assert detail["imported_caption"] == "a red square" and (detail["width"], detail["height"]) == (900, 600)
    assert detail["quality_details"]["measured"]["sharpness"] is not None

    thumb = api.get(files["a.jpg"]["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    assert thumb.headers["cache-control"] == "public, max-age=31536000, immutable"
    etag = thumb.headers["etag"]
    again = api.get(files["a.jpg"]["thumbnail_url"], headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert api.get(f"/api/files/{files['a.jpg']['id']}/thumbnail").headers["cache-control"] == "no-cache"
    original = api.get(files["a.jpg"]["image_url"])
    assert original.content == image.read_bytes() and original.headers["content-type"] == "image/jpeg"
    assert (
        api.get(files["a.jpg"]["image_url"], headers={"If-None-Match": original.headers["etag"]}).status_code
        == 304
    )
    for route in ("", "/thumbnail", "/image"):
        assert api.get(f"/api/files/no-such-id{route}").status_code == 404
    assert api.get("/api/files/..%2F..%2Fetc%2Fpasswd/image").status_code == 404

    listing = api.get("/api/folders/browse", params={"path": str(allowed)}).json()
    assert [e["name"] for e in listing["entries"]] == ["photos"] and listing["parent"] is None
    assert api.get("/api/folders/browse", params={"path": str(outside)}).status_code == 403

    changed = api.put(f"/api/folders/{folder['id']}", json={"enabled": False, "notes": "old"}).json()
    assert changed["enabled"] is False and changed["notes"] == "old"
    assert api.post(f"/api/folders/{folder['id']}/scan").status_code == 409
    assert [f["id"] for f in api.get("/api/folders").json()] == [folder["id"]]
    removed = api.delete(f"/api/folders/{folder['id']}").json()
    assert removed["files_forgotten"] == 2 and image.exists()
    assert api.get(f"/api/folders/{folder['id']}").status_code == 404
