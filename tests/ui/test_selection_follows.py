"""Issue 23: the selection follows the image in the editor, and a selection hidden by a filter is counted
and asked about before a batch action touches the hidden images."""

from __future__ import annotations

from nicegui.testing import User

from app.services.datasets import dataset_members
from tests.app_services import running
from tests.ui.test_workspace_editor import open_image
from tests.ui.test_workspace_grid import eventually, open_dataset


def excluded(seeded) -> list[bool]:
    return [r["excluded"] for r in dataset_members.list_dataset_files(running().db, seeded.dataset_id)]


async def test_next_image_moves_the_selection_with_the_editor(user: User) -> None:
    seeded, grid = await open_dataset(user)
    ids = seeded.file_ids
    await open_image(user, grid, seeded, 0)
    assert grid.selected_ids == [ids[0]]
    user.find(marker="editor-next").click()
    await user.should_see("img_00001.jpg", marker="editor-filename", retries=50)
    assert grid.selected_ids == [ids[1]], "the checked image is the one in the editor"
    assert grid.focused == ids[1]
    # A bulk action now hits the image the user sees.
    user.find(marker="batch-exclude").click()
    await user.should_see("1 image(s) excluded from exports", retries=50)
    assert excluded(seeded)[:3] == [False, True, False]


async def test_a_selection_made_on_purpose_stays_and_says_the_open_image_is_outside(user: User) -> None:
    seeded, grid = await open_dataset(user)
    ids = seeded.file_ids
    await open_image(user, grid, seeded, 0)
    user.find(marker="thumb-grid").trigger("tile_click", {"id": ids[5], "toggle": True})
    user.find(marker="thumb-grid").trigger("tile_click", {"id": ids[6], "toggle": True})
    await user.should_see("Selected: 3", retries=50)
    user.find(marker="editor-next").click()
    await user.should_see("img_00001.jpg", marker="editor-filename", retries=50)
    assert grid.selected_ids == [ids[0], ids[5], ids[6]]
    await user.should_see(marker="open-not-selected", retries=50)


async def test_stay_after_clicking_another_tile_keeps_the_selection_on_the_open_image(user: User) -> None:
    seeded, grid = await open_dataset(user, on_navigate="ask")
    ids = seeded.file_ids
    await open_image(user, grid, seeded, 0)
    user.find(marker="caption-input").type(" more")
    user.find(marker="thumb-grid").trigger("tile_click", {"id": ids[4]})
    await user.should_see(marker="unsaved-dialog", retries=50)
    user.find(marker="unsaved-stay").click()
    await user.should_not_see(marker="unsaved-dialog", retries=50)
    await eventually(lambda: grid.selected_ids == [ids[0]])


async def hide_most(user: User, grid, seeded) -> None:
    user.find(marker="select-all").click()
    await user.should_see("Selected: 12", retries=50)
    user.find(marker="grid-search").type("img_0001")  # shows img_00010 and img_00011 only
    await user.should_see("2 of 12 images", marker="grid-count", retries=50)


async def test_a_selection_hidden_by_the_filter_is_counted(user: User) -> None:
    seeded, grid = await open_dataset(user)
    await hide_most(user, grid, seeded)
    await user.should_see("Selected: 12 (10 hidden)", marker="selected-count", retries=50)
    user.find(marker="grid-search").clear()
    await user.should_see("12 images", marker="grid-count", retries=50)
    await user.should_not_see("hidden", marker="selected-count", retries=50)


async def test_acting_on_hidden_images_asks_first(user: User) -> None:
    seeded, grid = await open_dataset(user)
    await hide_most(user, grid, seeded)
    user.find(marker="batch-exclude").click()
    await user.should_see(marker="hidden-selection-dialog", retries=50)
    await user.should_see("10 of the 12 selected images are hidden")
    user.find(marker="hidden-cancel").click()
    await user.should_not_see(marker="hidden-selection-dialog", retries=50)
    assert not any(excluded(seeded))

    user.find(marker="batch-exclude").click()
    await user.should_see(marker="hidden-selection-dialog", retries=50)
    user.find(marker="hidden-shown").click()
    await user.should_see("2 image(s) excluded from exports", retries=50)
    assert excluded(seeded) == [False] * 10 + [True, True]

    user.find(marker="batch-include").click()
    await user.should_see(marker="hidden-selection-dialog", retries=50)
    user.find(marker="hidden-all").click()
    await user.should_see("12 image(s) included in exports again", retries=50)
    assert not any(excluded(seeded))
