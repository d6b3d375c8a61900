"""The datasets panel (left column of the workspace) under NiceGUI's user fixture."""

from __future__ import annotations

import asyncio
import json

from nicegui import ui
from nicegui.testing import User
from sqlalchemy import select

from app.models import TrackedFolder
from app.services.captions import caption_sets, captions
from app.services.datasets import dataset_members, datasets
from app.ui.datasets.add_to_dataset import AddToDatasetDialog
from tests.app_services import running
from tests.factories import make_tracked_files

# Handlers run service calls in threads; on a busy machine a dialog or a refresh takes a few tenths of a second.
RETRIES = 30


async def test_create_a_dataset_from_the_panel(user: User) -> None:
    await user.open("/")
    await user.should_see("No datasets yet", retries=RETRIES)
    user.find(marker="dataset-new").click()
    await user.should_see(marker="dataset-dialog", retries=RETRIES)
    user.find(marker="dataset-name-input").type("Nova Chorus v2!")
    user.find(marker="dataset-tags-input").type("portrait, woman")
    user.find(marker="dataset-save").click()
    await user.should_see(marker="dataset-nova-chorus-v2", retries=RETRIES)
    await user.should_see("0 images", retries=RETRIES)
    [created] = datasets.list_datasets(running().db)
    assert (created.slug, created.tags) == ("nova-chorus-v2", ["portrait", "woman"])


async def test_duplicate_name_is_explained_in_the_dialog(user: User) -> None:
    await user.open("/")
    datasets.create_dataset(running().db, "Taken")
    user.find(marker="dataset-new").click()
    await user.should_see(marker="dataset-dialog", retries=RETRIES)
    user.find(marker="dataset-name-input").type("taken")
    user.find(marker="dataset-save").click()
    await user.should_see("already exists", retries=RETRIES)


async def test_search_by_name_and_tag(user: User) -> None:
    await user.open("/")
    db = running().db
    datasets.create_dataset(db, "Landscapes", tags=["nature"])
    datasets.create_dataset(db, "Portraits", tags=["people"])
    ids = make_tracked_files(db, 2, sizes_mb=[1.5, 2.5], quality=[0.6, 0.8])
    dataset_members.add_files(db, datasets.list_datasets(db, "Portraits")[0].id, ids)
    await user.open("/")
    await user.should_see(marker="dataset-landscapes", retries=RETRIES)
    await user.should_see("2 images · 4.0 MB · quality 0.70", retries=RETRIES)
    user.find(marker="dataset-search").type("people")
    await user.should_see(marker="dataset-portraits", retries=RETRIES)
    await user.should_not_see(marker="dataset-landscapes", retries=RETRIES)
    user.find(marker="dataset-search").clear().type("zzz")
    await user.should_see(marker="datasets-no-match", retries=RETRIES)


async def test_delete_asks_first_and_says_what_goes(user: User) -> None:
    await user.open("/")
    db = running().db
    ids = make_tracked_files(db, 2)
    dataset = datasets.create_dataset(db, "Doomed")
    dataset_members.add_files(db, dataset.id, ids)
    caption_set = caption_sets.create_caption_set(db, dataset.id, "Natural", "natural_simple")
    captions.save_caption(db, caption_set.id, ids[0], "a cat")
    await user.open("/")
    await user.should_see(marker="dataset-doomed", retries=RETRIES)
    user.find(marker="dataset-menu-doomed").click()
    user.find(marker="dataset-delete").click()
    await user.should_see(marker="dataset-delete-dialog", retries=RETRIES)
    await user.should_see("1 caption set(s) with 1 caption(s)")
    await user.should_see("stay tracked and on disk", retries=RETRIES)
    user.find(marker="dataset-delete-cancel").click()
    await user.should_not_see(marker="dataset-delete-dialog", retries=RETRIES)
    await user.should_see(marker="dataset-doomed", retries=RETRIES)
    assert len(datasets.list_datasets(db)) == 1
    user.find(marker="dataset-menu-doomed").click()
    user.find(marker="dataset-delete").click()
    await user.should_see(marker="dataset-delete-dialog", retries=RETRIES)
    user.find(marker="dataset-delete-confirm").click()
    await user.should_not_see(marker="dataset-doomed", retries=3 * RETRIES)
    assert datasets.list_datasets(db) == []


async def test_caption_set_switcher_and_coverage(user: User) -> None:
    await user.open("/")
    db = running().db
    ids = make_tracked_files(db, 3)
    dataset = datasets.create_dataset(db, "Cats")
    dataset_members.add_files(db, dataset.id, ids)
    natural = caption_sets.create_caption_set(db, dataset.id, "Natural", "natural_simple")
    caption_sets.create_caption_set(db, dataset.id, "Tags", "tags")
    captions.save_caption(db, natural.id, ids[0], "a cat")
    await user.open("/")
    await user.should_see(marker="dataset-cats", retries=RETRIES)
    user.find(marker="dataset-open-cats").click()
    await user.should_see(marker="caption-set-list", retries=RETRIES)
    await user.should_see("1 / 3", retries=RETRIES)
    await user.should_see("0 / 3", retries=RETRIES)
    user.find(marker="caption-set-open-Tags").click()
    await user.should_see(marker="caption-set-Tags", retries=RETRIES)
    await _until(lambda: _chosen_sets(user) == ["caption-set-Tags"])
    # The grid follows: its caption-set switcher shows the set chosen in the left column.
    tags_id = next(s.id for s in caption_sets.list_caption_sets(db, dataset.id) if s.name == "Tags")
    await _until(lambda: next(iter(user.find(marker="set-select").elements)).value == tags_id)
    # A caption saved elsewhere shows up in the counts without reloading.
    captions.save_caption(db, natural.id, ids[1], "another cat")
    running().events.caption_changed.emit({"caption_set_id": natural.id, "file_id": ids[1]})
    await user.should_see("2 / 3", retries=RETRIES)


async def test_new_caption_set_from_the_panel(user: User) -> None:
    await user.open("/")
    db = running().db
    dataset = datasets.create_dataset(db, "Dogs")
    await user.open("/")
    await user.should_see(marker="dataset-dogs", retries=RETRIES)
    user.find(marker="dataset-open-dogs").click()
    await user.should_see(marker="caption-set-new", retries=RETRIES)
    user.find(marker="caption-set-new").click()
    await user.should_see(marker="caption-set-dialog", retries=RETRIES)
    user.find(marker="caption-set-name-input").type("Detailed")
    user.find(marker="caption-set-save").click()
    await user.should_see(marker="caption-set-Detailed", retries=RETRIES)
    assert [s.name for s in caption_sets.list_caption_sets(db, dataset.id)] == ["Detailed"]


def _chosen_sets(user: User) -> list[str]:
    """Markers of the highlighted caption-set rows (the list is rebuilt, so look them up each time)."""
    rows = user.find(marker="caption-set-item").elements
    return [m for e in rows if "bg-amber-200" in e.classes for m in e._markers if m != "caption-set-item"]


async def _until(condition) -> None:
    """Let the event loop run until the UI reached the state (the click handler is async)."""
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the UI did not reach the expected state")


async def test_dropping_thumbnails_on_a_dataset_adds_them(user: User) -> None:
    await user.open("/")
    db = running().db
    ids = make_tracked_files(db, 3)
    dataset = datasets.create_dataset(db, "Target")
    dataset_members.add_files(db, dataset.id, ids[:1])
    await user.open("/")
    await user.should_see(marker="dataset-target", retries=RETRIES)
    user.find(marker="dataset-target").trigger("drop", json.dumps(ids))
    await user.should_see('Added 2 image(s) to "Target"; 1 were already in it', retries=RETRIES)
    assert datasets.get_dataset(db, dataset.id).file_count == 3
    await user.should_see("3 images", retries=RETRIES)
    user.find(marker="dataset-target").trigger("drop", "not json")
    await user.should_see("Nothing to add", retries=RETRIES)


async def test_add_to_dataset_dialog_creates_or_chooses(user: User) -> None:
    await user.open("/")
    db = running().db
    ids = make_tracked_files(db, 2)
    existing = datasets.create_dataset(db, "Existing")
    answers: list = []

    @ui.page("/add-to-dataset-test")
    def _page() -> None:
        async def ask(**kwargs) -> None:
            answers.append(await AddToDatasetDialog(running().db, **kwargs))

        ui.button("files", on_click=lambda: ask(file_ids=ids)).mark("ask-files")
        ui.button("folder", on_click=lambda: ask(folder_id=_folder_id(db), suggested_name="Photos")).mark(
            "ask-folder"
        )

    await user.open("/add-to-dataset-test")
    user.find(marker="ask-files").click()
    await user.should_see(marker="add-to-dataset-dialog", retries=RETRIES)
    await _until(lambda: next(iter(user.find(marker="add-to-dataset-select").elements)).value == existing.id)
    user.find(marker="add-to-dataset-confirm").click()
    await _until(lambda: answers == [existing.id])
    assert datasets.get_dataset(db, existing.id).file_count == 2

    user.find(marker="ask-folder").click()
    await user.should_see(marker="add-to-dataset-dialog", retries=RETRIES)
    select = next(iter(user.find(marker="add-to-dataset-select").elements))
    await _until(lambda: select.value == existing.id)
    select.value = "__new__"
    user.find(marker="add-to-dataset-confirm").click()
    await _until(lambda: len(answers) == 2)
    created = datasets.get_dataset(db, answers[1])
    assert (created.name, created.file_count) == ("Photos", 2)


def _folder_id(db) -> str:
    with db.session() as session:
        return session.scalar(select(TrackedFolder.id))
