"""Videos in real Chromium: the tile's duration badge and hover preview, the editor's player seeking over
HTTP range requests, and the strip of frames."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.config import load_settings
from app.core import build_core
from app.services.captions import caption_sets
from app.services.datasets import dataset_members, datasets
from app.services.folders import folders
from app.services.folders.scanning import scan_folder
from tests.e2e.live_server import LiveServer, start_server, stop_server, wait_connected
from tests.video_clips import make_clip

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, dict]]:
    root = tmp_path_factory.mktemp("video")
    make_clip(root / "clips" / "walk.webm", "vp9", seconds=3, fps=12, size=(160, 120))
    settings = load_settings(root / "live-data")
    core = build_core(settings)
    folder = folders.add_folder(core.db, str(root / "clips"))
    with ThreadPoolExecutor(1) as pool:
        scan_folder(core.db, core.settings, folder["id"], executor=pool)
    (video,) = folders.list_folder_files(core.db, folder["id"])
    dataset = datasets.create_dataset(core.db, "Clips")
    dataset_members.add_files(core.db, dataset.id, [video["id"]])
    caption_set = caption_sets.create_caption_set(core.db, dataset.id, "Natural", "natural_simple")
    core.db.dispose()
    server = start_server(root / "live-data")
    yield server, {"file_id": video["id"], "dataset_id": dataset.id, "caption_set_id": caption_set.id}
    stop_server(server)


def test_a_video_tile_previews_on_hover_and_the_editor_plays_and_seeks(browser, seeded):
    server, ids = seeded
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{server.url}/?dataset={ids['dataset_id']}&caption_set={ids['caption_set_id']}")
    wait_connected(page)
    tile = page.locator(f'.cf-tile[data-file-id="{ids["file_id"]}"]')
    tile.wait_for()
    assert tile.locator(".cf-duration").inner_text() == "0:03.0"
    assert tile.locator("video").count() == 0  # a poster until the mouse comes
    tile.hover()
    preview = tile.locator("video.cf-tile-video")
    preview.wait_for()
    page.wait_for_function(
        "(el) => el.readyState >= 2 && el.currentTime > 0", arg=preview.element_handle(), timeout=15_000
    )  # decoded and playing: the clip itself, muted, looped
    page.mouse.move(5, 5)
    tile.locator("img").wait_for()  # the poster again once the mouse leaves

    tile.click()
    player = page.locator("video.cf-editor-video")
    player.wait_for()
    page.wait_for_function("(el) => el.readyState >= 1 && el.duration > 2.9", arg=player.element_handle())
    page.evaluate("(el) => { el.currentTime = 2.5; }", player.element_handle())
    page.wait_for_function(
        "(el) => !el.seeking && Math.abs(el.currentTime - 2.5) < 0.2", arg=player.element_handle()
    )
    strip = page.locator('img[alt="frames of the clip"]')
    page.wait_for_function("(el) => el.complete && el.naturalWidth > 0", arg=strip.element_handle())
    assert page.get_by_text("0:03.0 · 12 fps · 36 frames · vp9 · no audio").is_visible()
    context.close()
