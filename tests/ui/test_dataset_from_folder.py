"""Workspace: an empty dataset and the new-dataset dialog take a tracked folder's images, or a new folder's."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nicegui.testing import User
from PIL import Image

from app.services.datasets import datasets
from app.services.folders import folders, scanning
from tests.app_services import running

RETRIES = 50


def _photos(root: Path, count: int = 3) -> Path:
    photos = root / "shots"
    photos.mkdir(parents=True)
    for index in range(count):
        Image.new("RGB", (256, 256), (60 * index, 20, 160)).save(photos / f"s{index}.png")
    running().settings["server"]["allowed_folders"] = [str(root)]
    return photos


def _track(photos: Path, root: Path) -> dict:
    core = running()
    folder = folders.add_folder(core.db, str(photos), False, 0, "", [str(root)])
    with ThreadPoolExecutor(1) as pool:
        scanning.scan_folder(core.db, core.settings, folder["id"], executor=pool)
    return folder


async def test_empty_dataset_adds_a_tracked_folder(user: User, tmp_path: Path) -> None:
    _track(_photos(tmp_path), tmp_path)
    dataset = datasets.create_dataset(running().db, "Empty One")
    await user.open(f"/?dataset={dataset.id}")
    await user.should_see(marker="empty-add-tracked", retries=RETRIES)
    await user.should_see(marker="empty-track-new")
    user.find(marker="empty-add-tracked").click()
    await user.should_see(marker="pick-folder-dialog", retries=RETRIES)
    await user.should_see("shots (3 images)", retries=RETRIES)
    user.find(marker="pick-folder-confirm").click()
    await user.should_see('Added 3 image(s) to "Empty One"', retries=RETRIES)
    assert datasets.get_dataset(running().db, dataset.id).file_count == 3
    await user.should_not_see(marker="empty-add-tracked", retries=RETRIES)


async def test_empty_dataset_tracks_a_new_folder_then_adds_it(user: User, tmp_path: Path) -> None:
    photos = _photos(tmp_path, 2)
    running().scans.executor = ThreadPoolExecutor(1)
    dataset = datasets.create_dataset(running().db, "Fresh")
    await user.open(f"/?dataset={dataset.id}")
    await user.should_see(marker="empty-track-new", retries=RETRIES)
    user.find(marker="empty-track-new").click()
    await user.should_see(marker="folder-form", retries=RETRIES)
    user.find(marker="folder-form-path").type(str(photos))
    user.find(marker="folder-form-save").click()
    await user.should_see('Added 2 image(s) to "Fresh"', retries=RETRIES * 4)
    assert datasets.get_dataset(running().db, dataset.id).file_count == 2


async def test_new_dataset_dialog_takes_a_folder(user: User, tmp_path: Path) -> None:
    _track(_photos(tmp_path), tmp_path)
    await user.open("/")
    user.find(marker="dataset-new").click()
    await user.should_see(marker="dataset-dialog", retries=RETRIES)
    await user.should_see(marker="dataset-track-new")
    user.find(marker="dataset-name-input").type("From Folder")
    select = user.find(marker="dataset-folder-input").elements.pop()
    for _ in range(RETRIES):
        if select.options:
            break
        await user.should_see(marker="dataset-folder-input")
    with user.client:
        select.value = next(iter(select.options))
    user.find(marker="dataset-save").click()
    await user.should_see('Added 3 image(s) to "From Folder"', retries=RETRIES)
    [created] = datasets.list_datasets(running().db)
    assert created.file_count == 3


async def test_new_dataset_dialog_without_a_folder_still_creates(user: User) -> None:
    await user.open("/")
    user.find(marker="dataset-new").click()
    await user.should_see(marker="dataset-dialog", retries=RETRIES)
    user.find(marker="dataset-name-input").type("Bare")
    user.find(marker="dataset-save").click()
    await user.should_see(marker="dataset-bare", retries=RETRIES)
    assert datasets.list_datasets(running().db)[0].file_count == 0
