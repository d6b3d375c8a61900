"""Exports against a real server: SIGKILL mid-export leaves nothing under the target name (and the temp
work is removed on the next start); a ZIP export downloads through Chromium."""

from __future__ import annotations

import contextlib
import os
import signal
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from PIL import Image

from app.config import load_settings
from app.core import build_core
from tests.e2e.live_server import start_server, stop_server, wait_connected
from tests.export_seed import seed_dataset

pytestmark = pytest.mark.e2e


def _seed(data_dir: Path, images: list[Path], **kwargs):
    core = build_core(load_settings(data_dir))
    try:
        return seed_dataset(core.db, images, **kwargs)
    finally:
        core.db.dispose()


def _noise_images(folder: Path, count: int, size=(1600, 1200)) -> list[Path]:
    """Incompressible pictures: PNG level 9 makes each take a while, so a kill lands mid-export."""
    folder.mkdir(parents=True)
    paths = []
    for index in range(count):
        path = folder / f"noise{index:03d}.jpg"
        Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(path, quality=90)
        paths.append(path)
    return paths


def test_sigkill_mid_export_leaves_no_half_export_and_the_next_start_cleans_up(tmp_path):
    data_dir = tmp_path / "data"
    seeded = _seed(data_dir, _noise_images(tmp_path / "src", 24))
    target = tmp_path / "exports" / "nova"
    server = start_server(data_dir)
    try:
        plan = httpx.post(
            f"{server.url}/api/datasets/{seeded.dataset_id}/export/plan",
            timeout=30,
            json={"caption_set_id": seeded.caption_set_id, "export_path": str(target)},
        )
        assert plan.status_code == 200 and plan.json()["file_count"] == 24, plan.text
        inside = httpx.post(
            f"{server.url}/api/datasets/{seeded.dataset_id}/export/plan",
            timeout=30,
            json={"export_path": str(tmp_path / "src" / "out")},
        )
        assert inside.status_code == 422 and "tracked folder" in inside.json()["detail"]
        response = httpx.post(
            f"{server.url}/api/datasets/{seeded.dataset_id}/export",
            timeout=30,
            json={
                "caption_set_id": seeded.caption_set_id,
                "export_path": str(target),
                "image_processing": {"format": "png", "png_compression": 9},
            },
        )
        assert response.status_code == 200, response.text
        export_id = response.json()["export_id"]
        temp = target.parent / f".captionforge-export-{export_id}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job = httpx.get(f"{server.url}/api/export/jobs/{export_id}", timeout=10).json()
            if (job.get("progress") or {}).get("done", 0) >= 2:
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"the export made no progress: {job}")
        assert job["status"] == "processing"
        workers = _children(server.process.pid)
        assert workers or not Path("/proc").is_dir(), "the export runs in pool workers"
        os.kill(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
    finally:
        if server.process.poll() is None:
            stop_server(server)
    assert not target.exists(), "nothing under the target name"
    assert temp.is_dir(), "the unfinished work was in the temporary sibling"
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "the workers ended with the app"
    restarted = start_server(data_dir)
    try:
        deadline = time.monotonic() + 20
        while temp.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not temp.exists(), "the next start removed the temporary folder"
        assert not target.exists()
        entry = httpx.get(f"{restarted.url}/api/export/jobs/{export_id}", timeout=10).json()
        assert entry["status"] == "failed" and "Interrupted" in entry["error_message"]
        history = httpx.get(f"{restarted.url}/api/export/history", timeout=10).json()
        assert [h["id"] for h in history] == [export_id]
        download = httpx.get(f"{restarted.url}/api/export/jobs/{export_id}/download", timeout=10)
        assert download.status_code == 409, "a folder export has no ZIP to download"
    finally:
        stop_server(restarted)


def test_zip_export_downloads_through_the_browser(browser, tmp_path):
    data_dir = tmp_path / "data"
    images = []
    (tmp_path / "src").mkdir()
    for index in range(3):
        path = tmp_path / "src" / f"p{index}.png"
        Image.new("RGB", (400, 300), (index * 60, 120, 200)).save(path)
        images.append(path)
    seeded = _seed(data_dir, images, captions=["first", "second", "third"], name="Zip Set")
    server = start_server(data_dir)
    context = browser.new_context(accept_downloads=True, viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.goto(server.url + "/exports")
        wait_connected(page)
        page.locator(".q-select").filter(has_text="Dataset").wait_for()
        page.get_by_role("button", name="Export…").click()
        page.get_by_text("3 images").wait_for()
        page.get_by_role("button", name="ZIP").click()
        page.get_by_text(".zip", exact=False).first.wait_for()
        # The checks before writing: in the summary, then again as a confirm step on Start.
        page.get_by_text(
            "Images smaller than the training resolution (1024 px on the long side): 3"
        ).wait_for()
        page.get_by_role("button", name="Start export").click()
        confirm = page.locator(".q-dialog").filter(has_text="Before writing: the checks found")
        confirm.get_by_text("Images smaller than the training resolution").click()  # a closed line per check
        confirm.get_by_text("p0.png: 400x300").wait_for()
        confirm.get_by_role("button", name="Go back and fix").click()
        confirm.wait_for(state="detached")
        assert not page.get_by_role("button", name="Download ZIP").is_visible(), "going back starts nothing"
        page.get_by_role("button", name="Start export").click()
        confirm.get_by_role("button", name="Export anyway").click()
        page.get_by_role("button", name="Download ZIP").wait_for(timeout=60_000)
        with page.expect_download() as download_info:
            page.get_by_role("button", name="Download ZIP").click()
        download = download_info.value
        saved = tmp_path / "downloaded.zip"
        download.save_as(saved)
        assert download.suggested_filename.endswith(".zip")
        with zipfile.ZipFile(saved) as archive:
            names = sorted(archive.namelist())
            assert names == [
                "000001.png",
                "000001.txt",
                "000002.png",
                "000002.txt",
                "000003.png",
                "000003.txt",
                "manifest.json",
            ]
            assert archive.read("000002.txt") == b"second"
        assert seeded.dataset_id
    finally:
        context.close()
        stop_server(server)


def _children(pid: int) -> list[int]:
    """Processes started by any thread of `pid` (the pool workers; Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found.extend(int(child) for child in (task / "children").read_text().split())
    return found
