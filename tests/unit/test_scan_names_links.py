"""Hostile names and links in a tracked folder: names that are not UTF-8, symlinks that leave the root."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from app.services import folders
from app.services.scanning import scan_folder


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    return folder


def scan(core, photos):
    folder = folders.add_folder(core.db, str(photos))
    with ThreadPoolExecutor(2) as pool:
        result = scan_folder(core.db, core.settings, folder["id"], executor=pool)
    return folder, result, {f["filename"]: f for f in folders.list_folder_files(core.db, folder["id"])}


def test_a_name_that_is_not_utf8_is_tracked_and_shown_readably(core, photos):
    Image.new("RGB", (40, 40), "red").save(photos / "fine.png")
    raw = os.path.join(os.fsencode(photos), b"caf\xff\xfe.png")
    Image.new("RGB", (40, 40), "blue").save(raw, "PNG")
    folder, result, files = scan(core, photos)
    assert (result["phase"], result["new"], result["broken"]) == ("done", 2, 0)
    odd = next(f for name, f in files.items() if name != "fine.png")
    assert odd["filename"].encode("utf-8")  # readable text, no lone surrogates
    assert "caf" in odd["filename"]
    assert "\ufffd" in odd["filename"] and "\ufffd" in odd["file_path"]
    source = folders.file_source(core.db, odd["id"])
    assert os.fsencode(source["path"]) == raw  # the exact bytes, to open and to serve
    again = scan_folder(core.db, core.settings, folder["id"], executor=ThreadPoolExecutor(1))
    assert (again["unchanged"], again["new"]) == (2, 0)  # found again by its stored path


def test_the_folder_file_list_api_and_the_image_route_take_a_non_utf8_name(core, photos):
    from fastapi import FastAPI
    from starlette.testclient import TestClient

    from app.api import _domain_error
    from app.api import files as files_api
    from app.api import folders as folders_api
    from app.errors import CaptionForgeError

    raw = os.path.join(os.fsencode(photos), b"\xff\xfe.png")
    Image.new("RGB", (40, 40), "blue").save(raw, "PNG")
    folder, _, files = scan(core, photos)
    api = FastAPI()
    api.state.core = core
    for module in (folders_api, files_api):
        api.include_router(module.router)
    api.add_exception_handler(CaptionForgeError, _domain_error)
    client = TestClient(api)
    listed = client.get(f"/api/folders/{folder['id']}/files")
    assert listed.status_code == 200
    (file_id,) = [f["id"] for f in files.values()]
    image = client.get(f"/api/files/{file_id}/image")
    assert image.status_code == 200 and image.content == Path(os.fsdecode(raw)).read_bytes()
