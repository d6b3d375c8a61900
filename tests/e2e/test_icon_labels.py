"""Every icon-only button on every page (and in the main dialogs) has an accessible name, in real Chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.config import load_settings
from app.core import build_core
from tests.bench.synthetic_dataset import SyntheticDataset, seed_dataset
from tests.e2e.live_server import LiveServer, start_server, stop_server, wait_connected

pytestmark = pytest.mark.e2e

# Buttons whose only content is an icon (Material icons are ligature text, which is not a name) and that
# have no aria-label, aria-labelledby or title. Only rendered ones count.
UNNAMED = """() => {
  const iconish = '.q-icon, .material-icons, .material-symbols-outlined, i, svg, img';
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const named = el => ['aria-label', 'title'].some(a => (el.getAttribute(a) || '').trim())
    || (el.getAttribute('aria-labelledby') || '').split(' ').some(id => {
         const ref = id && document.getElementById(id); return ref && ref.textContent.trim();
       });
  return [...document.querySelectorAll('button, [role=button], a.q-btn')].filter(shown).filter(el => {
    if (el.getAttribute('aria-hidden') === 'true') return false;
    let text = '';
    if (!el.matches(iconish)) {
      const clone = el.cloneNode(true);
      clone.querySelectorAll(iconish).forEach(n => n.remove());
      text = clone.textContent.trim();
    }
    return !text && !named(el);
  }).map(el => `${el.textContent.trim() || el.className} (near: ${
    (el.parentElement.closest('.q-card, .q-item, .q-field, .row, .column') || el.parentElement)
      .textContent.trim().slice(0, 60)})`);
}"""


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, SyntheticDataset]]:
    data_dir = tmp_path_factory.mktemp("icons") / "live-data"
    core = build_core(load_settings(data_dir))
    dataset = seed_dataset(core.db, data_dir, 6, trigger_phrase="ohwx")
    core.db.dispose()
    server = start_server(data_dir)
    yield server, dataset
    stop_server(server)


@pytest.fixture
def open_page(browser, seeded):
    server, dataset = seeded
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()

    def go(path: str):
        page.goto(server.url + path)
        wait_connected(page)
        page.wait_for_timeout(600)  # the page's first refresh (lists load in the background)
        return page

    yield go, dataset
    context.close()


def unnamed(page) -> list[str]:
    return page.evaluate(UNNAMED)


@pytest.mark.parametrize("path", ["/folders", "/exports", "/jobs", "/settings"])
def test_every_icon_button_on_the_page_has_a_name(open_page, path):
    go, _dataset = open_page
    page = go(path)
    assert unnamed(page) == []


def test_the_workspace_with_a_dataset_and_an_image_open(open_page):
    go, dataset = open_page
    page = go(f"/?dataset={dataset.dataset_id}&caption_set={dataset.caption_set_id}")
    page.wait_for_selector(".cf-tile")
    assert unnamed(page) == [], "the left column, grid toolbar and empty editor"
    page.locator(f'.cf-tile[data-file-id="{dataset.file_ids[0]}"]').click()
    page.locator(".cf-editor-filename").wait_for()
    page.wait_for_timeout(300)
    assert unnamed(page) == [], "the editor and its toolbar"


@pytest.mark.parametrize(
    "opener",
    ["Export this dataset through the caption set", "Dataset health", "Duplicates: keep the best"],
)
def test_the_dialogs_opened_from_the_workspace(open_page, opener):
    go, dataset = open_page
    page = go(f"/?dataset={dataset.dataset_id}&caption_set={dataset.caption_set_id}")
    page.wait_for_selector(".cf-tile")
    page.get_by_role("button", name=opener).click()
    page.locator(".q-dialog .q-card").first.wait_for()
    page.wait_for_timeout(800)
    assert unnamed(page) == [], opener
