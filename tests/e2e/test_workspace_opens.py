"""The app opens in real Chromium with its three columns side by side."""

import pytest

pytestmark = pytest.mark.e2e


def test_workspace_shows_three_columns_and_header(page):
    boxes = [page.locator(f".{name}").bounding_box() for name in ("cf-datasets", "cf-grid", "cf-editor")]
    assert all(boxes), "each of the three columns is rendered"
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"], "datasets | grid | editor, left to right"
    assert boxes[2]["x"] + boxes[2]["width"] <= 1366 + 1, "the editor fits a 1366 px laptop screen"
    assert page.get_by_text("CaptionForge").first.is_visible()
    assert page.get_by_text("Select a dataset on the left").is_visible()
    assert page.get_by_text("Click an image to edit its caption").is_visible()
    for nav in ("Folders", "Exports", "Settings"):
        assert page.get_by_role("button", name=nav).is_visible()
