"""The Folders page under NiceGUI's user fixture: browse the server's folders, add one, watch it scan."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nicegui.testing import User
from PIL import Image

from app.services.folders import folders
from tests.app_services import running


def _photos(root: Path) -> Path:
    photos = root / "photos"
    photos.mkdir(parents=True)
    for index, colour in enumerate([(200, 40, 40), (40, 200, 40)]):
        Image.new("RGB", (320, 240), colour).save(photos / f"img{index}.jpg")
    (photos / "img0.txt").write_text("a red card", encoding="utf-8")
    (photos / "broken.jpg").write_text("not really a jpeg")
    return photos


def _add_copy(photos: Path) -> None:
    (photos / "copy-of-img1.jpg").write_bytes((photos / "img1.jpg").read_bytes())


async def _eventually(check) -> None:
    for _ in range(100):
        try:
            if check():
                return
        except AssertionError:  # user.find found nothing yet (e.g. the grid is being rebuilt)
            pass
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def _scan_done(folder_id: str) -> None:
    for _ in range(200):
        status = running().scans.scan_status(folder_id)
        if status and status["phase"] == "done":
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"scan did not finish: {running().scans.scan_status(folder_id)}")


async def test_browse_add_scan_open_details_and_remove(user: User, tmp_path: Path) -> None:
    allowed = tmp_path / "allowed"
    photos = _photos(allowed)
    outside = tmp_path / "outside"
    outside.mkdir()
    core = running()
    core.settings["server"]["allowed_folders"] = [str(allowed)]
    running().scans.executor = ThreadPoolExecutor(2)

    await user.open("/folders")
    await user.should_see(marker="folders-empty", retries=50)
    user.find(marker="folders-add").click()
    await user.should_see(marker="folder-form", retries=50)
    user.find(marker="folder-form-browse").click()
    await user.should_see(marker="folder-picker-entry", retries=50)
    await user.should_see("photos", retries=50)

    # A typed path outside the allowed roots is refused with the reason.
    user.find(marker="folder-picker-path").clear().type(str(outside))
    user.find(marker="folder-picker-go").click()
    await user.should_see("is outside the folders CaptionForge may use", retries=50)

    user.find(marker="folder-picker-path").clear().type(str(allowed))
    user.find(marker="folder-picker-go").click()
    await user.should_see(marker="folder-picker-entry", retries=50)
    user.find(marker="folder-picker-entry").click()
    await user.should_see("3 images directly in this folder", retries=50)
    user.find(marker="folder-picker-select").click()
    await _eventually(lambda: user.find(marker="folder-form-path").elements.pop().value == str(photos))
    user.find(marker="folder-form-save").click()
    await user.should_see(marker="folder-card", retries=50)

    folder = folders.list_folders(core.db)[0]
    assert folder["path"] == str(photos)
    await _scan_done(folder["id"])
    await user.should_see("Scan done", retries=50)
    await user.should_see("2 images", retries=50)
    await user.should_see("1 unreadable", retries=50)
    await user.should_see(marker="folder-tile", retries=50)
    assert len(user.find(marker="folder-tile").elements) == 3
    names = {label.text for label in user.find(marker="folder-tile-name").elements}
    assert names == {"img0.jpg", "img1.jpg", "broken.jpg"}, "each tile names its file"

    # A copy with the same bytes shows up after a rescan, and both tiles say they are duplicates.
    _add_copy(photos)
    user.find(marker="folder-rescan").click()
    await _eventually(lambda: len(user.find(marker="folder-tile").elements) == 4)
    await user.should_see(marker="folder-tile-duplicate", retries=50)
    assert len(user.find(marker="folder-tile-duplicate").elements) == 2

    first = folders.list_folder_files(core.db, folder["id"])
    with_caption = next(f for f in first if f["filename"] == "img0.jpg")
    from app.ui.folders.folder_file_dialog import FileDetailsDialog

    with user.client:
        FileDetailsDialog(running().db, with_caption["id"]).open()
    await user.should_see(marker="file-imported-caption", retries=50)
    assert user.find(marker="file-imported-caption").elements.pop().value == "a red card"
    await user.should_see(marker="file-quality-reason", retries=50)
    await user.should_see("320 × 240 px", retries=50)

    user.find(marker="folder-remove").click()
    await user.should_see("The files on disk stay where they are", retries=50)
    user.find(marker="folder-remove-confirm").click()
    await user.should_see(marker="folders-empty", retries=50)
    assert (photos / "img0.jpg").exists()


async def test_recent_folders_offered_in_the_picker(user: User, tmp_path: Path) -> None:
    allowed = tmp_path / "allowed"
    photos = _photos(allowed)
    core = running()
    core.settings["server"]["allowed_folders"] = [str(allowed)]
    from app.services.folders import browse

    browse.remember_folder(core.settings.data_dir, str(photos))
    await user.open("/folders")
    user.find(marker="folders-add").click()
    await user.should_see(marker="folder-form", retries=50)
    user.find(marker="folder-form-browse").click()
    await user.should_see(marker="folder-picker-recent", retries=50)
    user.find(marker="folder-picker-recent").click()
    await user.should_see("3 images directly in this folder", retries=50)
