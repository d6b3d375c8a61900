"""Folders page: a folder's images go into a dataset (whole folder, or a selection of tiles)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nicegui.testing import User
from PIL import Image

from app.services.datasets import datasets
from app.services.folders import folders, scanning
from app.ui.folders.folder_files import SELECTED, FolderFiles
from app.ui.folders.folder_selection import FileSelection
from tests.app_services import running


def _tracked_folder(root: Path, count: int = 4, captions: int = 1) -> dict:
    photos = root / "photos"
    photos.mkdir(parents=True)
    for index in range(count):
        size = (200, 320) if index % 2 else (320, 200)
        Image.new("RGB", size, (40 * index, 90, 200)).save(photos / f"img{index}.png")
    for index in range(captions):
        (photos / f"img{index}.txt").write_text(f"caption {index}", encoding="utf-8")
    core = running()
    core.settings["server"]["allowed_folders"] = [str(root)]
    folder = folders.add_folder(core.db, str(photos), False, 0, "", [str(root)])
    with ThreadPoolExecutor(1) as pool:
        scanning.scan_folder(core.db, core.settings, folder["id"], executor=pool)
    return folders.list_folders(core.db)[0]


def test_selection_click_shift_ctrl_and_all() -> None:
    selection = FileSelection()
    selection.show(["a", "b", "c", "d", "e"])
    selection.click("b")
    assert selection.ids() == ["b"]
    selection.click("d", shift=True)
    assert selection.ids() == ["b", "c", "d"], "shift-click selects the range from the last click"
    selection.click("a", toggle=True)
    assert selection.ids() == ["a", "b", "c", "d"], "ctrl-click adds one"
    selection.click("c", toggle=True)
    assert selection.ids() == ["a", "b", "d"], "ctrl-click on a selected one removes it"
    selection.click("e")
    assert selection.ids() == ["e"], "a plain click selects only that one"
    selection.select_all()
    assert selection.ids() == ["a", "b", "c", "d", "e"]
    selection.show(["a", "b"])
    assert selection.ids() == ["a", "b"], "images no longer shown leave the selection"
    selection.clear()
    selection.click("b", shift=True)
    assert selection.ids() == ["b"], "shift-click with no anchor selects just that one"


async def test_create_dataset_from_a_folder_card(user: User, tmp_path: Path) -> None:
    folder = _tracked_folder(tmp_path)
    await user.open("/folders")
    await user.should_see(marker="folder-new-dataset", retries=50)
    user.find(marker="folder-new-dataset").click()
    await user.should_see(marker="add-to-dataset-dialog", retries=50)
    name = user.find(marker="add-to-dataset-name").elements.pop()
    assert name.value == folder["name"], "the new dataset is named after the folder"
    user.find(marker="add-to-dataset-confirm").click()
    await user.should_see(f'Added 4 image(s) to "{folder["name"]}"', retries=50)
    [dataset] = datasets.list_datasets(running().db)
    assert dataset.file_count == 4


async def test_add_folder_to_an_existing_dataset(user: User, tmp_path: Path) -> None:
    _tracked_folder(tmp_path)
    target = datasets.create_dataset(running().db, "Existing")
    await user.open("/folders")
    await user.should_see(marker="folder-add-to-dataset", retries=50)
    user.find(marker="folder-add-to-dataset").click()
    await user.should_see(marker="add-to-dataset-dialog", retries=50)
    for _ in range(50):
        if user.find(marker="add-to-dataset-select").elements.pop().value == target.id:
            break
        await user.should_see(marker="add-to-dataset-select")
    user.find(marker="add-to-dataset-confirm").click()
    await user.should_see('Added 4 image(s) to "Existing"', retries=50)
    assert datasets.get_dataset(running().db, target.id).file_count == 4


async def test_tile_click_selects_and_details_have_their_own_button(user: User, tmp_path: Path) -> None:
    _tracked_folder(tmp_path)
    await user.open("/folders")
    await user.should_see(marker="folder-open", retries=50)
    user.find(marker="folder-open").click()
    await user.should_see(marker="folder-tile", retries=50)
    tiles = sorted(user.find(marker="folder-tile").elements, key=lambda tile: tile.id)
    assert len(tiles) == 4
    grid = next(e for e in user.client.elements.values() if isinstance(e, FolderFiles))
    with user.client:
        grid.click(tiles[0].props["data-file-id"])
        grid.click(tiles[2].props["data-file-id"], shift=True)
    await user.should_see("3 selected", retries=20)
    assert SELECTED in tiles[0].classes and SELECTED in tiles[2].classes and SELECTED not in tiles[3].classes
    await user.should_not_see(marker="file-details")  # selecting never opens the details
    user.find(marker="folder-tile-info").click()
    await user.should_see(marker="file-details", retries=50)
    user.find(marker="file-details-close").click()

    user.find(marker="folder-add-selection").click()
    await user.should_see(marker="add-to-dataset-dialog", retries=50)
    await user.should_see("Add 3 image(s) to a dataset", retries=20)
    user.find(marker="add-to-dataset-name").clear().type("Picked")
    user.find(marker="add-to-dataset-confirm").click()
    await user.should_see('Added 3 image(s) to "Picked"', retries=50)
    [dataset] = datasets.list_datasets(running().db)
    assert dataset.file_count == 3


async def test_tiles_mark_caption_files_and_names_sit_below_the_image(user: User, tmp_path: Path) -> None:
    _tracked_folder(tmp_path, count=3, captions=2)
    await user.open("/folders")
    await user.should_see(marker="folder-open", retries=50)
    user.find(marker="folder-open").click()
    await user.should_see(marker="folder-tile", retries=50)
    assert len(user.find(marker="folder-tile-caption").elements) == 2, "img0 and img1 have a .txt"
    for name in user.find(marker="folder-tile-name").elements:
        assert "absolute" not in name.classes, "the name does not cover the bottom of the thumbnail"


async def test_grid_fills_while_the_scan_is_still_processing(user: User, tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    for index in range(3):
        Image.new("RGB", (64, 64), (index * 70, 10, 10)).save(photos / f"live{index}.png")
    core = running()
    folder = folders.add_folder(core.db, str(photos), False, 0, "", [str(tmp_path)])
    await user.open("/folders")
    await user.should_see(marker="folder-open", retries=50)
    user.find(marker="folder-open").click()
    await user.should_see("0 of 0 files shown", retries=50)
    with ThreadPoolExecutor(1) as pool:  # the files are in the database; the scan has not said "done"
        scanning.scan_folder(core.db, core.settings, folder["id"], executor=pool)
    core.events.scan_progress.emit(
        {"folder_id": folder["id"], "phase": "processing", "processed": 3, "to_process": 9}
    )
    await user.should_see(marker="folder-tile", retries=50)
    assert len(user.find(marker="folder-tile").elements) == 3
