"""Issue 19 part 1 in real Chromium: the app at a phone (390x844), a tablet (768x1024) and a laptop (1280x720).

Phone and tablet run with touch emulation and are driven by taps. One server and one dataset serve the
module; each test touches its own images.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.config import load_settings
from app.core import build_core
from tests.bench.synthetic_dataset import SyntheticDataset, seed_dataset
from tests.e2e.live_server import LiveServer, start_server, stop_server, wait_connected

pytestmark = pytest.mark.e2e

PHONE, TABLET, LAPTOP = (390, 844), (768, 1024), (1280, 720)
VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, TABLET, LAPTOP], ids=["phone", "tablet", "laptop"])
# Each page with a text that shows once its content has loaded.
PAGES = (
    ("/folders", "Synthetic"),
    ("/exports", "No exports yet."),
    ("/jobs", "No caption jobs yet"),
    ("/settings", "Vision model"),
)
# Which image each viewport edits, so the tests of one module never share a caption.
EDITED = {PHONE: 2, TABLET: 3, LAPTOP: 4}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, SyntheticDataset]]:
    data_dir = tmp_path_factory.mktemp("responsive") / "live-data"
    core = build_core(load_settings(data_dir))
    dataset = seed_dataset(core.db, data_dir, 14, trigger_phrase="ohwx")
    core.db.dispose()
    server = start_server(data_dir)
    yield server, dataset
    stop_server(server)


@pytest.fixture
def open_page(browser, seeded):
    """open_page(viewport, path="/") -> a connected page; touch emulation below desktop widths."""
    server, dataset = seeded
    contexts = []

    def open_at(viewport: tuple[int, int], path: str = "/"):
        width, height = viewport
        context = browser.new_context(viewport={"width": width, "height": height}, has_touch=width < 1000)
        contexts.append(context)
        page = context.new_page()
        query = f"?dataset={dataset.dataset_id}&caption_set={dataset.caption_set_id}" if path == "/" else ""
        page.goto(server.url + path + query)
        wait_connected(page)
        if path == "/":
            page.wait_for_selector(".cf-tile")
        return page

    yield open_at
    for context in contexts:
        context.close()


def touch(page, viewport) -> bool:
    return viewport[0] < 1000


def press(locator, viewport) -> None:
    """A tap on phone and tablet, a click on the laptop."""
    if viewport[0] < 1000:
        locator.tap()
    else:
        locator.click()


def tile(page, file_id: str):
    return page.locator(f'.cf-tile[data-file-id="{file_id}"]')


def scroll_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def assert_inside(page, locator, what: str) -> None:
    """The element is shown whole inside the viewport, and nothing covers its centre."""
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    box = locator.bounding_box()
    assert box is not None, f"{what} is not shown"
    assert box["x"] >= -1 and box["y"] >= -1, f"{what} starts outside the viewport: {box}"
    assert box["x"] + box["width"] <= width + 1, f"{what} reaches past the right edge: {box}"
    assert box["y"] + box["height"] <= height + 1, f"{what} reaches past the bottom: {box}"
    on_top = locator.evaluate(
        "(el) => { const r = el.getBoundingClientRect();"
        " const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);"
        " return el === hit || el.contains(hit); }"
    )
    assert on_top, f"{what} is covered by another element"


def wait_settled(page) -> None:
    """Panels and dialogs slide in for 0.2 s; wait until no animation runs."""
    page.wait_for_function(
        "() => document.getAnimations().every(a => a.playState !== 'running')", timeout=5_000
    )


@VIEWPORTS
def test_no_page_scrolls_sideways(open_page, seeded, viewport):
    server, _ = seeded
    page = open_page(viewport)
    assert scroll_width(page) <= viewport[0], "the workspace scrolls sideways"
    for path, loaded in PAGES:
        page.goto(server.url + path)
        wait_connected(page)
        page.get_by_text(loaded).first.wait_for()
        assert scroll_width(page) <= viewport[0], f"{path} scrolls sideways at {viewport}"


@VIEWPORTS
def test_dialogs_fit_the_viewport(open_page, seeded, viewport):
    server, _ = seeded
    page = open_page(viewport)
    for name, title in (
        ("Export this dataset through the caption set", "Export Synthetic"),
        ("Dataset health: click a bar to filter the grid", "Dataset health"),
    ):
        press(page.get_by_role("button", name=name), viewport)
        card = page.locator(".q-dialog .q-card", has_text=title)
        card.wait_for()
        wait_settled(page)
        assert_inside(page, card, f"the {title} dialog")
        assert scroll_width(page) <= viewport[0]
        page.keyboard.press("Escape")
        card.wait_for(state="hidden")
    page.goto(server.url + "/folders")
    wait_connected(page)
    press(page.get_by_role("button", name="Add folder"), viewport)
    card = page.locator(".q-dialog .q-card").first
    card.wait_for()
    wait_settled(page)
    assert_inside(page, card, "the Add folder dialog")
    assert scroll_width(page) <= viewport[0]


@VIEWPORTS
def test_thumbnails_are_at_least_96_px_in_two_or_more_columns(open_page, viewport):
    page = open_page(viewport)
    boxes = page.eval_on_selector_all(
        ".cf-tile",
        "tiles => tiles.map(t => { const r = t.getBoundingClientRect(); return [r.x, r.y, r.width]; })",
    )
    assert min(width for _, _, width in boxes) >= 96, boxes
    first_row = [box for box in boxes if abs(box[1] - boxes[0][1]) < 1]
    assert len(first_row) >= 2, f"one column only: {boxes[:3]}"
    assert max(x + width for x, _, width in boxes) <= viewport[0], "a tile reaches past the right edge"
    grid = page.locator(".cf-grid").bounding_box()
    if viewport == PHONE:  # the datasets column is a drawer: the grid has the whole width
        assert grid["width"] >= viewport[0] - 2 * 8 - 1, f"the grid leaves the width unused: {grid}"
        assert not page.locator(".cf-datasets").is_visible()


@VIEWPORTS
def test_tapping_a_thumbnail_opens_a_usable_editor_and_the_caption_is_saved(open_page, seeded, viewport):
    _, dataset = seeded
    index = EDITED[viewport]
    page = open_page(viewport)
    editor = page.locator(".cf-editor")
    if touch(page, viewport):
        assert not editor.is_visible(), "below 1000 px the editor waits off screen until an image is tapped"
    press(tile(page, dataset.file_ids[index]), viewport)
    page.locator(".cf-editor-filename", has_text=dataset.filenames[index]).wait_for()
    wait_settled(page)
    assert_inside(page, editor, "the editor")
    textarea = page.get_by_placeholder("Describe the image…")
    save = editor.get_by_role("button", name="Save", exact=True)
    for part, what in ((textarea, "the caption field"), (save, "the Save button")):
        part.scroll_into_view_if_needed()
        assert_inside(page, part, what)
    press(textarea, viewport)
    textarea.fill(f"typed at {viewport[0]} px")
    press(save, viewport)
    page.get_by_text("Caption saved").wait_for()

    # Next and previous work from the panel.
    press(editor.get_by_role("button", name="Next image"), viewport)
    page.locator(".cf-editor-filename", has_text=dataset.filenames[index + 1]).wait_for()
    press(editor.get_by_role("button", name="Previous image"), viewport)
    page.locator(".cf-editor-filename", has_text=dataset.filenames[index]).wait_for()
    if touch(page, viewport):
        close = page.get_by_role("button", name="Close the editor")
        assert_inside(page, close, "the close control")
        close.tap()
        editor.wait_for(state="hidden")
        assert tile(page, dataset.file_ids[0]).is_visible(), "closing the editor shows the grid again"
    else:
        assert not page.get_by_role("button", name="Close the editor").is_visible()

    page.reload()
    wait_connected(page)
    press(tile(page, dataset.file_ids[index]), viewport)
    page.locator(".cf-editor-filename", has_text=dataset.filenames[index]).wait_for()
    page.wait_for_function(
        "(text) => document.querySelector('.cf-editor textarea').value === text",
        arg=f"ohwx, typed at {viewport[0]} px",
    )


@pytest.mark.parametrize("viewport", [PHONE, TABLET], ids=["phone", "tablet"])
def test_long_press_or_the_checkbox_selects_without_opening(open_page, seeded, viewport):
    _, dataset = seeded
    page = open_page(viewport)
    first, second = tile(page, dataset.file_ids[8]), tile(page, dataset.file_ids[9])
    first.scroll_into_view_if_needed()
    box = first.bounding_box()
    point = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [point]})
    page.wait_for_timeout(800)  # holding the finger down
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.get_by_text("Selected: 1").wait_for()
    second.locator(".cf-check").tap()
    page.get_by_text("Selected: 2").wait_for()
    assert not page.locator(".cf-editor").is_visible(), "selecting by touch does not open the editor"
    assert page.get_by_text("Click an image to edit its caption").count() == 1


def test_the_datasets_column_is_a_drawer_on_a_phone(open_page, seeded):
    page = open_page(PHONE)
    drawer = page.locator(".cf-datasets")
    assert not drawer.is_visible()
    page.get_by_role("button", name="Datasets").tap()
    wait_settled(page)
    assert_inside(page, drawer, "the datasets drawer")
    page.locator(".cf-datasets").get_by_text("Natural").first.tap()  # the dataset's caption set
    drawer.wait_for(state="hidden")
    page.get_by_role("button", name="Datasets").tap()
    wait_settled(page)
    page.get_by_role("button", name="Close datasets").tap()
    drawer.wait_for(state="hidden")


def test_the_laptop_keeps_three_columns(open_page):
    page = open_page(LAPTOP)
    boxes = [page.locator(f".{name}").bounding_box() for name in ("cf-datasets", "cf-grid", "cf-editor")]
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]
    assert boxes[2]["x"] + boxes[2]["width"] <= LAPTOP[0] + 1
    assert not page.get_by_role("button", name="Datasets").is_visible()
    for nav in ("Folders", "Exports", "Jobs", "Settings"):
        assert page.get_by_role("button", name=nav).locator(".cf-nav-label").is_visible(), (
            "the header shows words"
        )


def test_the_sort_and_filter_row_folds_on_a_phone(open_page):
    page = open_page(PHONE)
    search = page.get_by_placeholder("Search or filter", exact=False)
    assert not search.is_visible(), "on a phone the sort and filter row starts folded"
    page.get_by_role("button", name="Sort and filter").tap()
    search.wait_for()
    assert_inside(page, search, "the search box")
    search.fill("img_00001")
    page.get_by_text("1 of 14 images").wait_for()
    assert scroll_width(page) <= PHONE[0]
