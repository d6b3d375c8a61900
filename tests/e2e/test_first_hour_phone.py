"""The first hour on a phone (390 px), in real Chromium with no API seeding: the same journey as
test_first_hour, through the phone's sliding panels (Datasets, the editor's close button)."""

from __future__ import annotations

import pytest

from tests.e2e import test_first_hour as journey
from tests.e2e.live_server import start_server, stop_server, wait_connected

pytestmark = pytest.mark.e2e


def test_folder_to_kohya_export_on_a_phone(browser, tmp_path, fake_ollama):
    photos = journey._users_folder(tmp_path)
    target = tmp_path / "exports" / "phone-out"
    server = start_server(tmp_path / "data", env={"CAPTIONFORGE_VISION__BASE_URL": fake_ollama.url})
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(server.url + "/folders")
        wait_connected(page)
        journey._button(page, "Add folder").click()
        page.get_by_label("Folder").first.fill(str(photos))
        journey._button(page, "Add and scan").click()
        page.get_by_text("Scan done").wait_for(timeout=60_000)
        page.locator("[data-file-id]").nth(journey.IMAGES - 1).wait_for()

        journey._button(page, "Create dataset from this folder").click()
        page.get_by_role("button", name="Add", exact=True).click()
        page.wait_for_url("**/?dataset=*")
        wait_connected(page)
        page.locator(".cf-tile").nth(journey.IMAGES - 1).wait_for()

        page.get_by_role("button", name="Datasets").first.click()  # the panel slides in over the grid
        journey._button(page, "New caption set").click()
        page.get_by_label("Name", exact=True).last.fill("Training")
        page.get_by_label("Trigger phrase").fill(journey.TRIGGER)
        page.get_by_role("button", name="Create", exact=True).click()
        page.get_by_text("Training").first.wait_for()

        page.locator(".cf-tile").first.click()  # the editor slides in
        page.locator(".cf-editor-filename", has_text="shot0.png").wait_for()
        journey._edit_caption(page, f"{journey.TRIGGER}, a blue card on a white table", 1)
        page.get_by_role("button", name="Close the editor").first.click()

        page.get_by_role("button", name="Datasets").first.click()
        journey._button(page, "Auto-Caption").click()
        page.get_by_text("Will caption 3").wait_for()
        page.get_by_role("button", name="Start", exact=True).click()
        page.get_by_text("Caption job finished: 3 captioned, 0 failed").wait_for(timeout=90_000)

        page.get_by_role("button", name="Close datasets").first.click()
        page.locator("header").get_by_role("button", name="Exports").click()  # the top bar's icon
        page.locator(".q-select").filter(has_text="my-pictures").wait_for()
        page.get_by_role("button", name="Export…").click()
        page.get_by_text("Export my-pictures").wait_for()
        page.locator(".q-select").filter(has_text="Preset").click()
        page.get_by_role("option", name="kohya_ss / sd-scripts").click()
        page.get_by_label("Target (empty = the exports folder)").fill(str(target))
        journey._button(page, "Start export").click()
        journey._finish_export(page)
    except Exception:
        page.screenshot(path="/tmp/journey-first-hour-phone-failed.png")
        raise
    finally:
        context.close()
        stop_server(server)

    images = sorted(p for p in target.rglob("*") if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp"))
    assert len(images) == journey.IMAGES
    texts = {image.with_suffix(".txt").read_text(encoding="utf-8") for image in images}
    assert all(text.startswith(journey.TRIGGER) for text in texts), texts
    assert f"{journey.TRIGGER}, a blue card on a white table" in texts
