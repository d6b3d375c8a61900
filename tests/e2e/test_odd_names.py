"""A file whose name is not UTF-8, end to end over real HTTP: listed, added, served, captioned, written
beside, exported to a folder and a ZIP. Names are bytes on Linux; every answer is JSON a client can parse."""

from __future__ import annotations

import hashlib
import json
import os
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlparse

import httpx
import pytest
from PIL import Image

from tests.e2e.live_server import LiveServer

pytestmark = pytest.mark.e2e
# Latin-1 bytes, bytes no encoding decodes, and both beside plain text.
ODD = [b"caf\xe9_\xff\xfe.jpg", b"\x80\x81 latin1 \xe4.png"]


@pytest.fixture
def server(fake_vision_server: LiveServer) -> LiveServer:
    return fake_vision_server  # everything it may touch on disk lies under .root


@pytest.fixture
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def _ok(response: httpx.Response):
    assert response.status_code < 300, f"{response.request.method} {response.request.url}: {response.text}"
    return json.loads(response.content.decode("utf-8"))  # strict UTF-8: no lone surrogate slipped through


def _wait(client: httpx.Client, url: str, done, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not done(body := _ok(client.get(url))):
        assert time.monotonic() < deadline, body
        time.sleep(0.2)
    return body


def _seed(server: LiveServer, client: httpx.Client) -> tuple[list[bytes], dict[bytes, str], str]:
    """The odd files on disk, scanned and in a dataset: (raw paths, raw path -> file id, dataset id)."""
    photos = server.root / "photos"  # type: ignore[attr-defined]
    raw = [os.path.join(os.fsencode(photos), name) for name in ODD]
    for index, path in enumerate(raw):
        Image.new("RGB", (64 + index, 48), (200, 40 * index, 30)).save(path, "JPEG" if index == 0 else "PNG")
    folder = _ok(client.post("/api/folders", json={"path": str(photos), "scan": True}))
    scan = _wait(client, f"/api/folders/{folder['id']}/scan", lambda s: s.get("phase") in ("done", "error"))
    assert (scan["phase"], scan["new"], scan["broken"]) == ("done", 2, 0), scan
    by_hash = {hashlib.sha256(Path(os.fsdecode(p)).read_bytes()).hexdigest(): p for p in raw}
    listed = _ok(client.get(f"/api/folders/{folder['id']}/files"))
    ids = {by_hash[f["file_hash"]]: f["id"] for f in listed}
    dataset = _ok(client.post("/api/datasets", json={"name": "Odd names"}))
    added = _ok(client.post(f"/api/datasets/{dataset['id']}/files", json={"file_ids": list(ids.values())}))
    assert added["count"] == 2, added
    return raw, ids, dataset["id"]


def test_members_list_readably_and_serve_their_image_and_thumbnail(server, client) -> None:
    raw, ids, dataset_id = _seed(server, client)
    members = _ok(client.get(f"/api/datasets/{dataset_id}/files"))
    assert sorted(m["file_id"] for m in members) == sorted(ids.values())
    for member in members:
        path = next(p for p, i in ids.items() if i == member["file_id"])
        assert "\ufffd" in member["filename"] and member["filename"].endswith(os.fsdecode(path)[-4:])
        assert member["file_path"].endswith(member["filename"])
        detail = _ok(client.get(f"/api/files/{member['file_id']}"))
        assert detail["filename"] == member["filename"]
        image = client.get(f"/api/files/{member['file_id']}/image")
        assert image.status_code == 200 and image.content == Path(os.fsdecode(path)).read_bytes()
        thumbnail = client.get(member["thumbnail_url"])
        assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/webp"


def test_a_caption_job_then_write_beside_lands_on_the_raw_stem_and_undoes(server, client) -> None:
    raw, ids, dataset_id = _seed(server, client)
    set_id = _ok(client.post(f"/api/datasets/{dataset_id}/caption-sets", json={"name": "Tags"}))["id"]
    job = _ok(client.post(f"/api/caption-sets/{set_id}/auto-generate", json={"parallel": 1}))
    job = _wait(
        client, f"/api/vision/jobs/{job['job_id']}", lambda j: j["status"] not in ("pending", "running")
    )
    assert (job["status"], job["completed_files"], job["failed_files"]) == ("completed", 2, 0), job
    captions = {
        c["file_id"]: c["caption_text"] for c in _ok(client.get(f"/api/caption-sets/{set_id}/captions"))
    }
    assert set(captions) == set(ids.values()) and all(captions.values())

    plan = _ok(client.post(f"/api/caption-sets/{set_id}/write-beside/preview", json={}))
    assert plan["counts"]["create"] == 2 and all(w["target"].endswith("\ufffd.txt") for w in plan["writes"])
    written = _ok(client.post(f"/api/caption-sets/{set_id}/write-beside", json={}))
    assert (written["written"], written["skipped"]) == (2, [])
    for path, file_id in ids.items():
        beside = os.path.splitext(path)[0] + b".txt"  # the original's exact bytes, only the extension new
        with open(beside, "rb") as handle:
            assert handle.read().decode("utf-8") == captions[file_id]
    undone = _ok(client.post(f"/api/caption-backups/{written['backup_id']}/undo"))
    assert (undone["removed"], undone["kept"]) == (2, [])
    assert sorted(os.listdir(os.path.dirname(raw[0]))) == sorted(ODD)


@pytest.mark.parametrize("kind", ["folder", "zip"])
def test_an_export_writes_readable_names_and_a_manifest_that_finds_the_original(server, client, kind) -> None:
    raw, ids, dataset_id = _seed(server, client)
    set_id = _ok(client.post(f"/api/datasets/{dataset_id}/caption-sets", json={"name": "Tags"}))["id"]
    for file_id in ids.values():
        body = {"file_id": file_id, "caption_text": "a red square"}
        _ok(client.post(f"/api/caption-sets/{set_id}/captions", json=body))
    target = server.root / ("out.zip" if kind == "zip" else "out")  # type: ignore[attr-defined]
    request = {
        "caption_set_id": set_id,
        "export_type": kind,
        "export_path": str(target),
        "naming": "original",
    }
    export = _ok(client.post(f"/api/datasets/{dataset_id}/export", json=request))
    done = _wait(
        client, f"/api/export/jobs/{export['export_id']}", lambda e: e["status"] in ("completed", "failed")
    )
    assert (done["status"], done["file_count"]) == ("completed", 2), done
    _ok(client.get("/api/export/history"))
    if kind == "zip":
        with zipfile.ZipFile(target) as archive:
            names = archive.namelist()
            manifest = json.loads(archive.read("manifest.json").decode("utf-8"))
    else:
        names = os.listdir(target)
        manifest = json.loads((target / "manifest.json").read_bytes().decode("utf-8"))
    assert len([n for n in names if n.endswith(".txt")]) == 2 and all(n.isprintable() for n in names)
    by_id = {row["file_id"]: row for row in manifest["files"]}
    for path, file_id in ids.items():
        row = by_id[file_id]
        assert row["file"] in names and "\ufffd" in row["source_path"]
        assert unquote_to_bytes(urlparse(row["source_uri"]).path) == path  # links back to the exact bytes
