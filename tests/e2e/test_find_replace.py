"""Find and replace in real Chromium: open it from the grid, preview, apply, see the grid change, undo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.config import load_settings
from app.core import build_core
from tests.caption_tools_seed import seed_caption_set
from tests.e2e.live_server import LiveServer, start_server, stop_server, wait_connected

pytestmark = pytest.mark.e2e


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple[LiveServer, dict]]:
    data_dir = tmp_path / "live-data"
    core = build_core(load_settings(data_dir))
    caption_set = seed_caption_set(core.db)
    core.db.dispose()
    server = start_server(data_dir)
    yield server, caption_set
    stop_server(server)


def _captions(server: LiveServer, caption_set: dict) -> list[str | None]:
    rows = httpx.get(f"{server.url}/api/datasets/{caption_set['dataset_id']}/files",
                     params={"caption_set_id": caption_set["id"]}).json()  # fmt: skip
    return [row["caption_text"] for row in rows]


def test_find_and_replace_with_preview_then_undo(browser, seeded, tmp_path):
    server, caption_set = seeded
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{server.url}/?dataset={caption_set['dataset_id']}&caption_set={caption_set['id']}")
    wait_connected(page)
    page.wait_for_selector(".cf-tile")

    page.get_by_role("button", name="Caption tools").click()
    page.get_by_text("Find and replace…").click()
    page.get_by_label("Find", exact=True).fill("woman")
    page.get_by_label("Replace with").fill("person")
    apply = page.get_by_role("button", name="Apply")
    assert apply.is_disabled()  # nothing can be applied before a preview
    page.get_by_role("button", name="Preview").click()
    page.get_by_text("3 of 4 captions would change").wait_for()
    page.get_by_text("ohwx, person, smile, red dress").wait_for()
    page.screenshot(path=str(tmp_path / "find-replace-preview.png"))
    assert _captions(server, caption_set)[0] == "ohwx, woman, smile, red dress"  # the preview wrote nothing

    apply.click()
    page.get_by_text("3 captions changed").wait_for()
    assert _captions(server, caption_set) == [
        "ohwx, person, smile, red dress",
        "ohwx, person, hat, Smile",
        "person, hat, outdoors",
        None,
        "ohwx, man, smile",
    ]

    page.get_by_role("button", name="Caption tools").click()
    page.get_by_text("Recent changes (undo)…").click()
    page.get_by_text('Replace text "woman" with "person"', exact=True).wait_for()
    page.get_by_role("button", name="Undo").click()
    page.get_by_text("Undone: 3 captions restored").wait_for()
    assert _captions(server, caption_set)[:3] == [
        "ohwx, woman, smile, red dress",
        "ohwx, woman, hat, Smile",
        "woman, hat, outdoors",
    ]
    context.close()
