"""Issue 23 in real Chromium: the leave dialog, shortcuts from every editor field, the toolbar at 1280x720,
accessible names of icon-only buttons. The server runs with the default settings (leaving asks)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import yaml

from app.config import load_settings
from app.core import build_core
from tests.bench.synthetic_dataset import SyntheticDataset, seed_dataset
from tests.e2e.live_server import LiveServer, start_server, stop_server, wait_connected

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, SyntheticDataset]]:
    data_dir = tmp_path_factory.mktemp("first-hour") / "live-data"
    core = build_core(load_settings(data_dir))
    dataset = seed_dataset(core.db, data_dir, 24, trigger_phrase="ohwx")
    core.db.dispose()
    server = start_server(data_dir)
    yield server, dataset
    stop_server(server)


def open_workspace(browser, seeded, width: int = 1366, height: int = 768):
    server, dataset = seeded
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{server.url}/?dataset={dataset.dataset_id}&caption_set={dataset.caption_set_id}")
    wait_connected(page)
    page.wait_for_selector(".cf-tile")
    return context, page


@pytest.fixture
def workspace(browser, seeded):
    context, page = open_workspace(browser, seeded)
    yield page, *seeded
    context.close()


def tile(page, file_id: str):
    return page.locator(f'.cf-tile[data-file-id="{file_id}"]')


def editor_shows(page, filename: str) -> None:
    page.locator(".cf-editor-filename", has_text=filename).wait_for()


def stored(server, dataset, file_id: str) -> str | None:
    caption = httpx.get(f"{server.url}/api/caption-sets/{dataset.caption_set_id}/files/{file_id}").json()[
        "caption"
    ]
    return caption and caption["caption_text"]


def dialog(page):
    return page.locator(".q-dialog", has_text="Unsaved caption")


def test_leaving_asks_by_keyboard_and_by_click(workspace):
    page, server, dataset = workspace
    ids = dataset.file_ids
    before = stored(server, dataset, ids[0])
    tile(page, ids[0]).click()
    editor_shows(page, "img_00000.jpg")
    textarea = page.get_by_placeholder("Describe the image…")
    textarea.click()
    textarea.press("Control+End")
    textarea.type(" typed by accident")
    page.get_by_text("Unsaved changes").wait_for()

    textarea.press("Alt+ArrowRight")
    dialog(page).wait_for()
    dialog(page).get_by_role("button", name="Stay", exact=True).click()
    dialog(page).wait_for(state="detached")
    editor_shows(page, "img_00000.jpg")
    assert stored(server, dataset, ids[0]) == before
    # The check stays on the open image too.
    assert page.eval_on_selector_all(".cf-tile.cf-selected", "t => t.map(x => x.dataset.fileId)") == [ids[0]]

    tile(page, ids[3]).click()  # clicking another tile asks as well
    dialog(page).wait_for()
    dialog(page).get_by_role("button", name="Discard", exact=True).click()
    editor_shows(page, "img_00003.jpg")
    assert stored(server, dataset, ids[0]) == before

    textarea.click()
    textarea.press("Control+End")
    textarea.type(" kept")
    textarea.press("PageDown")
    dialog(page).wait_for()
    dialog(page).get_by_role("button", name="Save", exact=True).click()
    editor_shows(page, "img_00004.jpg")
    assert stored(server, dataset, ids[3]).endswith("kept")
    # The open tile has the one "open" style and is the selected one.
    page.wait_for_function(
        "(id) => { const t = document.querySelector(`.cf-tile[data-file-id='${id}']`);"
        " return t.classList.contains('cf-open') && t.classList.contains('cf-selected'); }",
        arg=ids[4],
    )
    assert page.locator(".cf-tile.cf-open").count() == 1


def test_ctrl_enter_saves_and_moves_without_asking(workspace):
    page, server, dataset = workspace
    target = dataset.file_ids[8]
    tile(page, target).click()
    editor_shows(page, "img_00008.jpg")
    textarea = page.get_by_placeholder("Describe the image…")
    textarea.click()
    textarea.press("Control+a")
    textarea.type("saved with ctrl enter")
    textarea.press("Control+Enter")
    editor_shows(page, "img_00009.jpg")
    assert dialog(page).count() == 0
    assert stored(server, dataset, target) == "ohwx, saved with ctrl enter"  # the set's trigger comes first


def test_ctrl_s_and_moves_work_from_the_tag_box(workspace):
    page, server, dataset = workspace
    target = dataset.file_ids[12]
    tile(page, target).click()
    editor_shows(page, "img_00012.jpg")
    page.locator(".q-btn-toggle").get_by_text("Tags").click()
    tag_box = page.get_by_placeholder("Add a tag…")
    tag_box.click()
    tag_box.type("blue sky")
    tag_box.press("Enter")
    page.get_by_text("Unsaved changes").wait_for()
    tag_box.press("Control+s")
    page.get_by_text("Caption saved").wait_for()
    assert stored(server, dataset, target).endswith("blue sky")
    tag_box.press("Alt+ArrowRight")
    editor_shows(page, "img_00013.jpg")
    tag_box.press("PageUp")
    editor_shows(page, "img_00012.jpg")


def test_toolbar_fields_are_not_cut_off_at_1280x720(browser, seeded):
    context, page = open_workspace(browser, seeded, 1280, 720)
    try:
        page.get_by_text("24 images", exact=True).wait_for()
        cut = page.evaluate(
            """() => {
              const problems = [];
              const fields = document.querySelectorAll(
                '.cf-grid-toolbar .q-field, .cf-grid-toolbar .q-btn, .cf-grid-toolbar .q-slider');
              for (const f of fields) {
                const box = f.getBoundingClientRect();
                const bar = f.closest('.cf-grid-toolbar-row').getBoundingClientRect();
                if (box.width < 24 || box.right > bar.right + 1 || box.left < bar.left - 1)
                  problems.push(`${f.className.slice(0, 40)}: ${Math.round(box.left)}-${Math.round(box.right)}`);
                for (const t of f.querySelectorAll('.q-field__label, .q-field__native span, .q-field__native')) {
                  if (t.tagName === 'INPUT') continue;
                  if (t.scrollWidth > t.clientWidth + 1) problems.push(`cut: ${t.textContent.trim()}`);
                }
              }
              return problems;
            }"""
        )
        assert page.locator(".cf-grid-toolbar .q-field").count() >= 5
        assert cut == [], cut
    finally:
        context.close()


def test_icon_only_buttons_have_accessible_names(workspace):
    page, _, dataset = workspace
    tile(page, dataset.file_ids[1]).click()
    editor_shows(page, "img_00001.jpg")
    nameless = page.evaluate(
        """() => [...document.querySelectorAll(
              '.cf-grid-toolbar button, .cf-selection-bar button, .cf-caption-editor button')]
          .filter(b => b.tagName === 'BUTTON')
          .filter(b => {
            const copy = b.cloneNode(true);
            copy.querySelectorAll('.q-icon, .material-icons').forEach(i => i.remove());
            return copy.textContent.trim() === '' && !b.getAttribute('aria-label');
          })
          .map(b => b.outerHTML.slice(0, 120))"""
    )
    assert nameless == []
    assert page.get_by_role("button", name="Next image (Alt+→ or PageDown); Ctrl+Enter saves and moves on")
    assert page.get_by_role("button", name="Exclude").count() == 1


def test_remember_my_choice_writes_the_setting(workspace):
    """Last in the module: it changes the server's setting."""
    page, server, dataset = workspace
    target = dataset.file_ids[20]
    tile(page, target).click()
    editor_shows(page, "img_00020.jpg")
    textarea = page.get_by_placeholder("Describe the image…")
    textarea.click()
    textarea.press("Control+End")
    textarea.type(" remembered")
    textarea.press("Alt+ArrowRight")
    dialog(page).wait_for()
    dialog(page).get_by_text("Remember my choice").click()
    dialog(page).get_by_role("button", name="Save", exact=True).click()
    editor_shows(page, "img_00021.jpg")
    assert stored(server, dataset, target).endswith("remembered")
    on_disk = yaml.safe_load((server.data_dir / "settings.yaml").read_text(encoding="utf-8"))
    assert on_disk["editor"]["on_navigate"] == "save"
    textarea.click()
    textarea.press("Control+End")
    textarea.type(" no question")
    textarea.press("Alt+ArrowRight")
    editor_shows(page, "img_00022.jpg")
    assert dialog(page).count() == 0
    assert stored(server, dataset, dataset.file_ids[21]).endswith("no question")
