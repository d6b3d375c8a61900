"""The workspace grid under the user fixture: loading a dataset, selection rules, sort and filters."""

from __future__ import annotations

import asyncio

from nicegui.testing import User

from app.ui.workspace.grid.thumb_grid import ThumbGrid
from tests.app_services import running
from tests.bench.synthetic_dataset import seed_dataset


async def open_dataset(user: User, count: int = 12, on_navigate: str = "save", **seed_options):
    await user.open("/")
    core = running()
    core.settings["editor"]["on_navigate"] = on_navigate
    seeded = seed_dataset(core.db, core.settings.data_dir, count, **seed_options)
    await user.open(f"/?dataset={seeded.dataset_id}&caption_set={seeded.caption_set_id}")
    grid = next(iter(user.find(marker="thumb-grid").elements))
    assert isinstance(grid, ThumbGrid)
    await eventually(lambda: len(grid.rows) == count)
    return seeded, grid


async def eventually(predicate, seconds: float = 5.0) -> None:
    """Wait for async handlers to finish; fails when `predicate` never holds."""
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    assert predicate()


async def test_opening_a_dataset_shows_its_images_in_order(user: User) -> None:
    seeded, grid = await open_dataset(user)
    assert grid.order == seeded.file_ids
    await user.should_see("12 images", marker="grid-count", retries=50)
    await user.should_not_see(marker="grid-empty")
    assert grid.rows[seeded.file_ids[0]]["caption_state"] == "generated"


async def test_click_ctrl_click_and_shift_click_select(user: User) -> None:
    seeded, grid = await open_dataset(user)
    ids = seeded.file_ids
    user.find(marker="thumb-grid").trigger("tile_click", {"id": ids[2]})
    await user.should_see("Selected: 1", retries=50)
    user.find(marker="thumb-grid").trigger("tile_click", {"id": ids[6], "extend": True})
    await user.should_see("Selected: 5", retries=50)
    assert grid.selected_ids == ids[2:7]
    user.find(marker="thumb-grid").trigger("tile_click", {"id": ids[4], "toggle": True})
    await user.should_see("Selected: 4", retries=50)
    assert ids[4] not in grid.selected_ids


async def test_select_all_none_invert_buttons(user: User) -> None:
    _, grid = await open_dataset(user)
    user.find(marker="select-all").click()
    await user.should_see("Selected: 12", retries=50)
    user.find(marker="select-none").click()
    await user.should_see("Selected: 0", retries=50)
    user.find(marker="thumb-grid").trigger("tile_click", {"id": grid.order[0], "toggle": True})
    user.find(marker="select-invert").click()
    await user.should_see("Selected: 11", retries=50)
    assert grid.order[0] not in grid.selected_ids


async def test_filters_and_search_change_the_order_sent_to_the_grid(user: User) -> None:
    seeded, grid = await open_dataset(user)
    user.find(marker="grid-show").click()
    user.find("Uncaptioned").click()
    await user.should_see("8 of 12 images", marker="grid-count", retries=50)
    assert all(not grid.rows[file_id]["caption_text"] for file_id in grid.order)
    user.find(marker="grid-show").click()
    user.find("All images").click()
    user.find(marker="grid-search").type("img_0001")
    await user.should_see("2 of 12 images", marker="grid-count", retries=50)
    assert grid.order == seeded.file_ids[10:12]


async def test_sort_by_quality_descending(user: User) -> None:
    _, grid = await open_dataset(user)
    user.find(marker="grid-sort").click()
    user.find("Quality").click()
    user.find(marker="grid-direction").click()

    def scores():
        return [grid.rows[file_id]["quality_score"] for file_id in grid.order]

    await eventually(lambda: scores() == sorted(scores(), reverse=True))


async def test_exclude_and_include_the_selection(user: User) -> None:
    seeded, grid = await open_dataset(user)
    grid.click(seeded.file_ids[0])
    grid.click(seeded.file_ids[1], toggle=True)
    await user.should_see("Selected: 2", retries=50)
    user.find(marker="batch-exclude").click()
    await user.should_see("2 image(s) excluded from exports", retries=50)
    assert grid.rows[seeded.file_ids[0]]["excluded"] is True
    from app.services.datasets import dataset_members

    rows = dataset_members.list_dataset_files(running().db, seeded.dataset_id)
    assert [r["excluded"] for r in rows[:3]] == [True, True, False]


async def test_remove_the_selection_from_the_dataset(user: User) -> None:
    seeded, grid = await open_dataset(user)
    grid.click(seeded.file_ids[3])
    await user.should_see("Selected: 1", retries=50)
    user.find(marker="batch-remove").click()
    await user.should_see(marker="confirm-yes", retries=50)
    user.find(marker="confirm-yes").click()
    await user.should_see("Removed 1 image(s)", retries=50)
    await user.should_see("11 images", marker="grid-count", retries=50)
    assert seeded.file_ids[3] not in grid.order
    await user.should_see("Selected: 0", retries=50)


async def test_copy_imported_captions_repaints_those_tiles(user: User) -> None:
    seeded, grid = await open_dataset(user, captioned_every=0)
    grid.click(seeded.file_ids[0])
    grid.click(seeded.file_ids[1], toggle=True)  # no imported caption
    user.find(marker="batch-copy-imported").click()
    await user.should_see("Copied 1 imported caption", retries=50)
    assert grid.rows[seeded.file_ids[0]]["caption_state"] == "imported"
    assert grid.rows[seeded.file_ids[1]]["caption_state"] == "none"
