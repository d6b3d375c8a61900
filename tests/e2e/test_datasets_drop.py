"""Dragging selected thumbnails onto a dataset in the left column, in real Chromium (HTML5 drag and drop)."""

from __future__ import annotations

import httpx
import pytest

from app.config import load_settings
from app.core import build_core
from app.services.datasets import datasets
from tests.bench.synthetic_dataset import seed_dataset
from tests.e2e.live_server import start_server, stop_server, wait_connected

pytestmark = pytest.mark.e2e


def test_drag_selected_thumbnails_onto_another_dataset(browser, tmp_path):
    data_dir = tmp_path / "live-data"
    core = build_core(load_settings(data_dir))
    source = seed_dataset(core.db, data_dir, 12)
    target = datasets.create_dataset(core.db, "Drop Target")
    core.db.dispose()
    server = start_server(data_dir)
    try:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        page.goto(f"{server.url}/?dataset={source.dataset_id}&caption_set={source.caption_set_id}")
        wait_connected(page)
        first = page.locator(f'.cf-tile[data-file-id="{source.file_ids[0]}"]')
        second = page.locator(f'.cf-tile[data-file-id="{source.file_ids[1]}"]')
        first.wait_for()
        first.click()
        second.click(modifiers=["Control"])
        page.get_by_text("Selected: 2").wait_for()
        drop_zone = page.locator('[data-dataset-slug="drop-target"]')
        second.drag_to(drop_zone)
        page.get_by_text('Added 2 image(s) to "Drop Target"').wait_for()
        stored = httpx.get(f"{server.url}/api/datasets/{target.id}/files").json()
        assert {row["file_id"] for row in stored} == set(source.file_ids[:2])
        page.get_by_text("2 images").first.wait_for()
        context.close()
    finally:
        stop_server(server)
