"""Hostile names and links in a tracked folder: names that are not UTF-8, symlinks that leave the root."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from app.container import attach, build_services
from app.services.folders import folders
from app.services.folders.scanning import scan_folder


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
    attach(api, build_services(core))
    for module in (folders_api, files_api):
        api.include_router(module.router)
    api.add_exception_handler(CaptionForgeError, _domain_error)
    client = TestClient(api)
    listed = client.get(f"/api/folders/{folder['id']}/files")
    assert listed.status_code == 200
    (file_id,) = [f["id"] for f in files.values()]
    image = client.get(f"/api/files/{file_id}/image")
    assert image.status_code == 200 and image.content == Path(os.fsdecode(raw)).read_bytes()


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    Image.new("RGB", (30, 30), "green").save(folder / "secret.png")
    (folder / "secret.txt").write_text("the secret caption", encoding="utf-8")
    return folder


def _links(photos: Path, outside: Path) -> None:
    Image.new("RGB", (40, 40), "red").save(photos / "real.png")
    (photos / "x.jpg").symlink_to("/etc/passwd")
    (photos / "real.txt").symlink_to(outside / "secret.txt")  # cap.txt beside an image, leading out
    (photos / "etc").symlink_to(outside, target_is_directory=True)
    (photos / "inner").mkdir()
    Image.new("RGB", (40, 40), "blue").save(photos / "inner" / "kept.png")
    (photos / "alias.png").symlink_to(photos / "inner" / "kept.png")  # a link that stays inside


@pytest.mark.parametrize("follow", [False, True])
def test_links_that_leave_the_folder_are_skipped_with_the_reason(core, photos, outside, follow):
    _links(photos, outside)
    folder = folders.add_folder(core.db, str(photos), recursive=True, follow_links=follow)
    with ThreadPoolExecutor(1) as pool:
        result = scan_folder(core.db, core.settings, folder["id"], executor=pool)
    files = {f["relative_path"]: f for f in folders.list_folder_files(core.db, folder["id"])}
    expected = {"real.png", "inner/kept.png"} | ({"alias.png"} if follow else set())
    assert set(files) == expected
    assert files["real.png"]["imported_caption"] is None
    assert result["skipped"] == (3 if follow else 4)
    reasons = " ".join(result["skipped_links"])
    assert ("leads outside" in reasons) == follow and "x.jpg" in reasons and "etc" in reasons


def test_serving_rechecks_the_link_at_request_time(core, photos, outside):
    from fastapi import FastAPI
    from starlette.testclient import TestClient

    from app.api import _domain_error
    from app.api import files as files_api
    from app.errors import CaptionForgeError

    Image.new("RGB", (40, 40), "red").save(photos / "swap.png")
    folder, _, files = scan(core, photos)
    api = FastAPI()
    attach(api, build_services(core))
    api.include_router(files_api.router)
    api.add_exception_handler(CaptionForgeError, _domain_error)
    client = TestClient(api)
    file_id = files["swap.png"]["id"]
    assert client.get(f"/api/files/{file_id}/image").status_code == 200
    (photos / "swap.png").unlink()
    (photos / "swap.png").symlink_to("/etc/passwd")  # swapped after the scan
    for thumbnail in core.settings.thumbnails_dir.rglob("*.webp"):
        thumbnail.unlink()  # so the thumbnail route has to read the original again
    for route in ("image", "thumbnail"):
        answer = client.get(f"/api/files/{file_id}/{route}")
        assert answer.status_code == 404 and b"root:" not in answer.content
        assert "symbolic link" in answer.json()["detail"]
