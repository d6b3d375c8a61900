"""The first hour, in real Chromium with no API seeding: a folder of the user's images to a kohya export.

Mouse and keyboard only: track the folder through the folder dialog, create a dataset from it, create a
caption set with a trigger phrase, edit two captions by keyboard, auto-caption the rest with the fake
Ollama server, export for kohya and read the files on disk.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import tomllib
from PIL import Image

from tests.e2e.live_server import start_server, stop_server, wait_connected

pytestmark = pytest.mark.e2e

TRIGGER = "ohwx"
IMAGES = 4


def _users_folder(root: Path) -> Path:
    photos = root / "my-pictures"
    photos.mkdir(parents=True)
    for index in range(IMAGES):
        Image.new("RGB", (640, 768), (50 * index, 110, 200 - 40 * index)).save(photos / f"shot{index}.png")
    (photos / "shot0.txt").write_text("a blue card from before", encoding="utf-8")
    (photos / "shot1.txt").write_text("a teal card from before", encoding="utf-8")
    return photos


def _button(page, name: str):
    return page.get_by_role("button", name=name).first


def _edit_caption(page, text: str, edited: int) -> None:
    textarea = page.get_by_placeholder("Describe the image…")
    textarea.click()
    textarea.press("Control+a")
    textarea.type(text)
    textarea.press("Control+s")  # saved explicitly, whatever leaving an edited image does
    page.wait_for_function(
        "(n) => [...document.querySelectorAll('.cf-tile .cf-badge')]"
        ".filter(b => b.textContent.trim() === 'edited').length === n",
        arg=edited,
    )
    page.get_by_text("unsaved", exact=True).wait_for(state="hidden")


def _finish_export(page) -> None:
    """Wait for the export to finish; a pre-write summary step (if the dialog has one) is confirmed."""
    done = page.get_by_text(f"Done: {IMAGES} images")
    confirm = page.get_by_role("button", name=re.compile(r"export anyway|confirm|write|continue", re.I))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if done.count():
            return
        if confirm.count() and confirm.first.is_visible():
            confirm.first.click()
        page.wait_for_timeout(250)
    raise AssertionError("the export did not finish")


def test_folder_to_kohya_export_by_mouse_and_keyboard(browser, tmp_path, fake_ollama):
    photos = _users_folder(tmp_path)
    target = tmp_path / "exports" / "kohya-out"
    server = start_server(tmp_path / "data", env={"CAPTIONFORGE_VISION__BASE_URL": fake_ollama.url})
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(server.url + "/folders")
        wait_connected(page)

        # 1. Track the folder through the folder dialog.
        _button(page, "Add folder").click()
        page.get_by_label("Folder").first.fill(str(photos))
        _button(page, "Add and scan").click()
        page.get_by_text("Scan done").wait_for(timeout=60_000)
        page.locator("[data-file-id]").nth(IMAGES - 1).wait_for()

        # 2. Create a dataset from it.
        _button(page, "Create dataset from this folder").click()
        name = page.get_by_label("New dataset name")
        assert name.input_value() == "my-pictures"
        page.get_by_role("button", name="Add", exact=True).click()
        page.wait_for_url("**/?dataset=*")
        wait_connected(page)
        page.locator(".cf-tile").nth(IMAGES - 1).wait_for()

        # 3. A caption set with a trigger phrase.
        _button(page, "New caption set").click()
        page.get_by_label("Name", exact=True).last.fill("Training")
        page.get_by_label("Trigger phrase").fill(TRIGGER)
        page.get_by_role("button", name="Create", exact=True).click()
        page.get_by_text("Training").first.wait_for()

        # 4. Two captions edited by keyboard.
        page.locator(".cf-tile").first.click()
        page.locator(".cf-editor-filename", has_text="shot0.png").wait_for()
        _edit_caption(page, f"{TRIGGER}, a blue card on a white table", 1)
        page.get_by_placeholder("Describe the image…").press("Alt+ArrowRight")
        page.locator(".cf-editor-filename", has_text="shot1.png").wait_for()
        _edit_caption(page, f"{TRIGGER}, a teal card under a lamp", 2)

        # 5. Auto-caption the rest with the (fake) vision server.
        _button(page, "Auto-Caption").click()
        page.get_by_text("Will caption 2").wait_for()
        page.get_by_role("button", name="Start", exact=True).click()
        page.get_by_text("Caption job finished: 2 captioned, 0 failed").wait_for(timeout=90_000)

        # 6. Export for kohya into a folder, then read what is on disk.
        page.get_by_text("Exports", exact=True).first.click()  # the top bar
        page.locator(".q-select").filter(has_text="my-pictures").wait_for()
        page.get_by_role("button", name="Export…").click()
        page.get_by_text("Export my-pictures").wait_for()
        page.locator(".q-select").filter(has_text="Preset").click()
        page.get_by_role("option", name="kohya_ss / sd-scripts").click()
        page.get_by_label("Target (empty = the exports folder)").fill(str(target))
        page.get_by_text("Also write dataset.toml").click()
        page.screenshot(path="/tmp/journey-first-hour-export.png")
        _button(page, "Start export").click()
        _finish_export(page)
    except Exception:
        page.screenshot(path="/tmp/journey-first-hour-failed.png")
        raise
    finally:
        context.close()
        stop_server(server)

    images = sorted(p for p in target.rglob("*") if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp"))
    assert len(images) == IMAGES, sorted(str(p.relative_to(target)) for p in target.rglob("*"))
    for image in images:
        assert image.stem.isdigit(), f"numbered files: {image.name}"
        caption = image.with_suffix(".txt")
        assert caption.is_file(), f"{image.name} has its caption beside it"
        text = caption.read_text(encoding="utf-8")
        assert text.startswith(TRIGGER), f"{caption.name} starts with the trigger: {text!r}"
    # dataset.toml names the images relative to itself; README.txt says to start sd-scripts from there.
    config = tomllib.loads((target / "dataset.toml").read_text(encoding="utf-8"))
    image_dir = target / config["datasets"][0]["subsets"][0]["image_dir"]
    assert set(images) <= set(image_dir.iterdir()), "image_dir resolves to the images from the toml's folder"
    assert "--dataset_config dataset.toml" in (target / "README.txt").read_text(encoding="utf-8")
    texts = {p.with_suffix(".txt").read_text(encoding="utf-8") for p in images}
    assert f"{TRIGGER}, a blue card on a white table" in texts
    assert f"{TRIGGER}, a teal card under a lamp" in texts
