"""Folders page in real Chromium: select tiles with click, shift and ctrl, and drag them onto a dataset."""

from __future__ import annotations

import httpx
import pytest
from PIL import Image

from tests.e2e.live_server import start_server, stop_server, wait_connected

pytestmark = pytest.mark.e2e


def test_select_range_and_drag_selection_onto_a_dataset(browser, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    for index in range(6):
        Image.new("RGB", (160, 240), (30 * index, 120, 90)).save(photos / f"p{index}.png")
    server = start_server(tmp_path / "d")
    try:
        api = httpx.Client(base_url=server.url, timeout=60)
        folder = api.post("/api/folders", json={"path": str(photos), "scan": False}).json()
        assert api.post(f"/api/folders/{folder['id']}/scan", params={"wait": True}).json()["new"] == 6
        target = api.post("/api/datasets", json={"name": "Drop Target"}).json()
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.goto(f"{server.url}/folders")
        wait_connected(page)
        page.get_by_role("button", name="Open").first.click()
        tiles = page.locator("[data-file-id]")
        tiles.nth(5).wait_for()
        tiles.nth(1).click()
        tiles.nth(3).click(modifiers=["Shift"])
        page.get_by_text("3 selected").wait_for()
        tiles.nth(5).click(modifiers=["Control"])
        page.get_by_text("4 selected").wait_for()
        assert page.get_by_text("Measured quality").count() == 0, "selecting opens no details"
        tiles.nth(3).drag_to(page.locator('[data-dataset-slug="drop-target"]'))
        page.get_by_text('Added 4 image(s) to "Drop Target"').wait_for()
        stored = httpx.get(f"{server.url}/api/datasets/{target['id']}/files").json()
        assert len(stored) == 4
        page.get_by_role("button", name="Select all").click()
        page.get_by_text("6 selected").wait_for()
        tiles.nth(0).dblclick()
        page.get_by_text("Measured quality").wait_for(timeout=10_000)
        context.close()
    finally:
        stop_server(server)
