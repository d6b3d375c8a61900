"""The Folders page in real Chromium: a scanned folder's thumbnails load lazily from the cached route."""

from __future__ import annotations

import time

import httpx
import pytest
from PIL import Image

from tests.e2e.live_server import start_server, stop_server, wait_connected

pytestmark = pytest.mark.e2e


def test_folder_thumbnails_and_details_in_chromium(browser, tmp_path):
    photos = tmp_path / "photos"
    photos.mkdir()
    for index in range(6):
        Image.new("RGB", (640, 480), (40 * index, 120, 200 - 30 * index)).save(photos / f"p{index}.jpg")
    (photos / "p0.txt").write_text("first photo caption", encoding="utf-8")
    server = start_server(tmp_path / "d")
    try:
        api = httpx.Client(base_url=server.url, timeout=60)
        folder = api.post("/api/folders", json={"path": str(photos), "scan": False}).json()
        assert api.post(f"/api/folders/{folder['id']}/scan", params={"wait": True}).json()["new"] == 6
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.goto(server.url + "/folders")
        wait_connected(page)
        page.get_by_text("photos", exact=True).first.wait_for()
        page.get_by_role("button", name="Open").first.click()
        page.wait_for_function(
            "() => [...document.querySelectorAll('img[loading=lazy]')].filter(i => i.complete && i.naturalWidth > 0).length == 6",
            timeout=20_000,
        )
        sizes = page.eval_on_selector_all("img[loading=lazy]", "els => els.map(e => e.naturalWidth)")
        assert sizes == [256] * 6
        page.screenshot(path=str(tmp_path.parent / "cf-folders-grid.png"))
        # A click selects; a double-click (or the tile's (i) button) opens the details.
        page.locator("img[loading=lazy]").first.dblclick()
        page.get_by_text("Measured quality").wait_for(timeout=10_000)
        assert page.locator("textarea").first.input_value() == "first photo caption"
        page.screenshot(path=str(tmp_path.parent / "cf-folders-e2e.png"))
        context.close()
    finally:
        stop_server(server)
        time.sleep(0.1)
