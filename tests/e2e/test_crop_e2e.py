"""Crop in real Chromium: drag a box over the image in the editor, pick 1:1, apply, and the grid's
thumbnail shows the crop (its pixels, not only its URL); the source file is untouched."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import update

from app import models
from app.config import load_settings, save_settings
from app.core import build_core
from tests.e2e.live_server import start_server, stop_server, wait_connected
from tests.export_seed import seed_dataset
from tests.quadrant_images import GREEN, colours, quadrants

pytestmark = pytest.mark.e2e


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[tuple]:
    data_dir = tmp_path / "data"
    settings = load_settings(data_dir)
    settings["editor"]["on_navigate"] = "save"
    save_settings(settings)
    core = build_core(settings)
    images = [
        quadrants(tmp_path / "src" / "q1.png", (800, 400)),
        quadrants(tmp_path / "src" / "q2.png", (800, 400)),
    ]
    seeded = seed_dataset(core.db, images, ["one", "two"])
    with core.db.session() as session:  # the scan would have made these
        for index, file_id in enumerate(seeded.file_ids):
            session.execute(
                update(models.TrackedFile)
                .where(models.TrackedFile.id == file_id)
                .values(thumbnail_key=f"k{index}")
            )
    core.db.dispose()
    server = start_server(data_dir)
    yield server, seeded, images
    stop_server(server)


def test_drag_a_box_pick_1_to_1_and_the_grid_thumbnail_shows_the_crop(browser, seeded):
    server, data, images = seeded
    file_id = data.file_ids[0]
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    try:
        page.goto(f"{server.url}/?dataset={data.dataset_id}&caption_set={data.caption_set_id}")
        wait_connected(page)
        thumb = page.locator(f'.cf-tile[data-file-id="{file_id}"] img')
        thumb.wait_for()
        before = thumb.get_attribute("src")
        assert "crop=" not in before

        page.locator(f'.cf-tile[data-file-id="{file_id}"]').click()
        page.locator(".cf-editor-filename", has_text="q1.png").wait_for()
        page.get_by_role("button", name="Crop", exact=True).click()
        dialog = page.locator(".q-dialog", has_text="Crop q1.png")
        image = dialog.locator(".cf-crop img")
        image.wait_for()
        page.wait_for_function("() => document.querySelector('.cf-crop img').naturalWidth > 0")
        dialog.locator("[data-testid=crop-box]").wait_for()
        box = _settled_box(page, image)  # the dialog zooms in: measure the image once it stands still
        # Drag from the top-right quadrant's corner towards the image's middle: a box in the green part.
        page.mouse.move(box["x"] + box["width"] * 0.98, box["y"] + box["height"] * 0.02)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.3, steps=5)
        page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.45, steps=5)
        page.mouse.up()
        dialog.get_by_text("of 800 x 400").wait_for()
        drawn = dialog.locator("[data-testid=crop-box]").bounding_box()
        assert drawn["width"] < box["width"] * 0.5 and drawn["height"] < box["height"] * 0.5

        dialog.get_by_label("Aspect").click()
        page.get_by_role("option", name="1:1", exact=True).click()
        page.wait_for_function(
            """() => { const b = document.querySelector('[data-testid=crop-box]').getBoundingClientRect();
                       return Math.abs(b.width - b.height) <= 2; }"""
        )
        # Keyboard: an arrow moves the box by 1% of the side, Shift+arrow resizes it (still square).
        label = dialog.locator("text=/px at/")
        square = label.inner_text()
        dialog.locator(".cf-crop").focus()
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("(t) => !document.body.innerText.includes(t)", arg=square)
        moved = label.inner_text()
        assert moved.split(" px")[0] == square.split(" px")[0], "moving keeps the size"
        page.keyboard.press("Shift+ArrowLeft")
        page.wait_for_function("(t) => !document.body.innerText.includes(t)", arg=moved)
        width, height = (int(n) for n in label.inner_text().split(" px")[0].split(" x "))
        assert abs(width - height) <= 1 and width < int(square.split(" x ")[0]), "smaller, still 1:1"
        dialog.get_by_role("button", name="Apply").click()
        dialog.wait_for(state="hidden")

        page.wait_for_function(
            "(id) => document.querySelector(`.cf-tile[data-file-id='${id}'] img`).src.includes('crop=')",
            arg=file_id,
        )
        after = thumb.get_attribute("src")
        assert after != before
        stored = httpx.get(f"{server.url}/api/datasets/{data.dataset_id}/files/{file_id}/crop").json()["crop"]
        width, height = stored["w"] * 800, stored["h"] * 400
        assert abs(width - height) <= 2, "1:1 in pixels of the image"
        assert stored["x"] >= 0.5 and stored["y"] + stored["h"] <= 0.5, "inside the green quadrant"
        # The thumbnail the grid shows is of the box: all green.
        response = httpx.get(server.url + after if after.startswith("/") else after)
        assert response.status_code == 200
        thumbnail = Image.open(io.BytesIO(response.content)).convert("RGB")
        assert colours(thumbnail, border=3) == {GREEN}
        with Image.open(images[0]) as source:
            assert source.size == (800, 400), "the source file is not changed"
    finally:
        context.close()


def _settled_box(page, locator) -> dict:
    """The element's bounding box once two reads 100 ms apart agree (Quasar dialogs open with a transition)."""
    box = locator.bounding_box()
    for _ in range(50):
        page.wait_for_timeout(100)
        again = locator.bounding_box()
        if again == box:
            return box
        box = again
    return box
