"""The editing loop and grid selection in real Chromium against a running server with a seeded dataset."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from app.config import load_settings, save_settings
from app.core import build_core
from tests.bench.synthetic_dataset import SyntheticDataset, seed_dataset
from tests.e2e.live_server import LiveServer, start_server, stop_server, wait_connected

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, SyntheticDataset]]:
    """One server for the module (tests touch different images)."""
    data_dir = tmp_path_factory.mktemp("editing") / "live-data"
    settings = load_settings(data_dir)
    settings["editor"]["on_navigate"] = "save"  # these tests save on the way (the default asks)
    save_settings(settings)
    core = build_core(settings)
    dataset = seed_dataset(core.db, data_dir, 40, trigger_phrase="ohwx")
    core.db.dispose()
    server = start_server(data_dir)
    yield server, dataset
    stop_server(server)


@pytest.fixture
def workspace(browser, seeded):
    server, dataset = seeded
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{server.url}/?dataset={dataset.dataset_id}&caption_set={dataset.caption_set_id}")
    wait_connected(page)
    page.wait_for_selector(".cf-tile")
    yield page, server, dataset
    context.close()


def tile(page, file_id: str):
    return page.locator(f'.cf-tile[data-file-id="{file_id}"]')


def editor_shows(page, filename: str) -> None:
    page.locator(".cf-editor-filename", has_text=filename).wait_for()


def test_type_ctrl_enter_saves_and_moves_to_the_next_image(workspace):
    page, server, dataset = workspace
    first, second = dataset.file_ids[0], dataset.file_ids[1]
    tile(page, first).click()
    editor_shows(page, "img_00000.jpg")
    textarea = page.get_by_placeholder("Describe the image…")
    textarea.click()
    textarea.press("Control+a")
    textarea.type("a red square on a grey card")
    textarea.press("Control+Enter")
    editor_shows(page, "img_00001.jpg")
    page.wait_for_function(
        "(id) => document.querySelector(`.cf-tile[data-file-id='${id}']`).classList.contains('cf-focus')",
        arg=second,
    )

    response = httpx.get(f"{server.url}/api/caption-sets/{dataset.caption_set_id}/files/{first}")
    assert response.status_code == 200
    # The set's trigger "ohwx" is guaranteed on save.
    assert response.json()["caption"]["caption_text"] == "ohwx, a red square on a grey card"
    # Only that tile changed: its badge now says the caption was edited by hand.
    page.wait_for_function(
        "(id) => document.querySelector(`.cf-tile[data-file-id='${id}'] .cf-badge`).textContent.trim() === 'edited'",
        arg=first,
    )

    # Typing without saving, then Alt+Left: the draft is saved on the way.
    textarea.click()
    textarea.type("second draft")
    textarea.press("Alt+ArrowLeft")
    editor_shows(page, "img_00000.jpg")
    response = httpx.get(f"{server.url}/api/caption-sets/{dataset.caption_set_id}/files/{second}")
    assert response.json()["caption"]["caption_text"] == "ohwx, second draft"
    assert textarea.input_value() == "ohwx, a red square on a grey card"


def test_shift_click_selects_a_range_and_ctrl_click_toggles(workspace):
    page, _, dataset = workspace
    ids = dataset.file_ids
    tile(page, ids[2]).click()
    tile(page, ids[6]).click(modifiers=["Shift"])
    page.get_by_text("Selected: 5").wait_for()
    page.wait_for_function("() => document.querySelectorAll('.cf-tile.cf-selected').length === 5")
    tile(page, ids[4]).click(modifiers=["Control"])
    page.get_by_text("Selected: 4").wait_for()
    selected = page.eval_on_selector_all(".cf-tile.cf-selected", "tiles => tiles.map(t => t.dataset.fileId)")
    assert selected == [ids[2], ids[3], ids[5], ids[6]]


def test_arrow_keys_move_the_focus_and_enter_opens(workspace):
    page, _, dataset = workspace
    tile(page, dataset.file_ids[0]).click()
    editor_shows(page, "img_00000.jpg")
    page.locator(".cf-thumb-grid").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    editor_shows(page, "img_00002.jpg")


def test_closing_the_tab_keeps_the_draft(browser, seeded):
    server, dataset = seeded
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{server.url}/?dataset={dataset.dataset_id}&caption_set={dataset.caption_set_id}")
    wait_connected(page)
    target = dataset.file_ids[7]
    tile(page, target).click()
    editor_shows(page, "img_00007.jpg")
    textarea = page.get_by_placeholder("Describe the image…")
    textarea.click()
    textarea.type("typed just before closing")
    page.get_by_text("Unsaved changes").wait_for()  # the server has the draft
    context.close()
    url = f"{server.url}/api/caption-sets/{dataset.caption_set_id}/files/{target}"
    for _ in range(100):
        caption = httpx.get(url).json()["caption"]
        if caption and caption["caption_text"] == "ohwx, typed just before closing":
            return
        time.sleep(0.1)
    raise AssertionError(f"the draft was not saved when the tab closed: {caption}")


def test_dragging_selected_tiles_carries_their_ids(workspace):
    page, _, dataset = workspace
    ids = dataset.file_ids
    tile(page, ids[0]).click()
    tile(page, ids[2]).click(modifiers=["Shift"])
    page.get_by_text("Selected: 3").wait_for()
    page.wait_for_function("() => document.querySelectorAll('.cf-tile.cf-selected').length === 3")
    carried = page.evaluate(
        """(id) => {
          const data = new DataTransfer();
          document.querySelector(`.cf-tile[data-file-id='${id}']`).dispatchEvent(
            new DragEvent('dragstart', { dataTransfer: data, bubbles: true }));
          return data.getData('application/x-captionforge-files');
        }""",
        ids[1],
    )
    assert json.loads(carried) == ids[0:3]
