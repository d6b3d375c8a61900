"""A scan survives the process: kill -9 mid-scan, restart, the folder says it was interrupted, a rescan finishes."""

from __future__ import annotations

import random
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.e2e.live_server import start_server, stop_server

pytestmark = pytest.mark.e2e
IMAGES = 400


def _images(folder: Path) -> None:
    folder.mkdir(parents=True)
    noise = random.Random(7)
    for index in range(IMAGES):
        image = Image.effect_noise((700, 500), 40 + noise.random() * 40).convert("RGB")
        image.save(folder / f"n{index:03}.jpg", quality=90)


def test_kill_9_mid_scan_then_the_folder_says_interrupted_and_a_rescan_finishes(tmp_path) -> None:
    photos, data_dir = tmp_path / "allowed" / "photos", tmp_path / "scan-data"
    _images(photos)
    env = {"CAPTIONFORGE_SERVER__ALLOWED_FOLDERS": f"[{tmp_path / 'allowed'}]"}
    server = start_server(data_dir, env=env)
    try:
        api = httpx.Client(base_url=server.url, timeout=30)
        folder = api.post("/api/folders", json={"path": str(photos), "scan": True}).json()
        deadline = time.monotonic() + 120
        while (progress := api.get(f"/api/folders/{folder['id']}/scan").json()).get("processed", 0) < 20:
            assert progress.get("phase") not in ("done", "error"), progress
            assert time.monotonic() < deadline, progress
            time.sleep(0.02)
        assert progress["phase"] == "processing", "killed mid-scan"
    finally:
        server.process.kill()  # SIGKILL: no shutdown hook runs
        server.process.wait(timeout=10)

    server = start_server(data_dir, env=env)
    try:
        api = httpx.Client(base_url=server.url, timeout=300)
        after = api.get(f"/api/folders/{folder['id']}").json()
        assert "interrupted" in (after["last_scan_error"] or ""), after
        assert after["file_count"] == after["total_files"] < IMAGES, "what was saved is counted"
        done = api.post(f"/api/folders/{folder['id']}/scan", params={"wait": True}).json()
        assert done["phase"] == "done" and done["seen"] == IMAGES
        final = api.get(f"/api/folders/{folder['id']}").json()
        assert final["file_count"] == IMAGES and final["last_scan_error"] is None
    finally:
        stop_server(server)
