"""The caption tools inside the workspace: the filter language in the search box, the tag panel, the
editor's chips and token count, and a batch edit repainting the grid."""

from __future__ import annotations

import asyncio

from nicegui import ui
from nicegui.testing import User

from app.ui.workspace.grid.thumb_grid import ThumbGrid
from tests.app_services import running
from tests.caption_tools_seed import seed_caption_set


async def eventually(predicate, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    assert predicate()


async def open_workspace(user: User):
    await user.open("/")
    seeded = seed_caption_set(running().db)
    await user.open(f"/?dataset={seeded['dataset_id']}&caption_set={seeded['id']}")
    grid = next(iter(user.find(marker="thumb-grid").elements))
    assert isinstance(grid, ThumbGrid)
    await eventually(lambda: len(grid.order) == 5)
    return seeded, grid


async def test_search_box_speaks_the_filter_language_and_shows_errors_inline(user: User) -> None:
    seeded, grid = await open_workspace(user)
    ids = seeded["file_ids"]
    search = next(iter(user.find(marker="grid-search").elements))
    user.find(marker="grid-search").type("tag:hat")
    await eventually(lambda: grid.order == ids[1:3])
    search.value = "tag:smile -tag:hat OR uncaptioned"
    await eventually(lambda: grid.order == [ids[0], ids[3], ids[4]])
    search.value = "(tag:hat"
    await eventually(lambda: bool(search.error))
    assert "never closed" in search.error
    assert grid.order == [ids[0], ids[3], ids[4]]  # a broken query keeps the last view


async def test_tag_panel_click_sets_the_query(user: User) -> None:
    seeded, grid = await open_workspace(user)
    ids = seeded["file_ids"]
    await user.should_see(marker="tag-panel-item", content="smile", retries=100)
    user.find(marker="tag-panel-item", content="smile").trigger("click", {"altKey": False})
    await eventually(lambda: grid.order == [ids[0], ids[1], ids[4]])
    assert next(iter(user.find(marker="grid-search").elements)).value == "tag:smile"
    user.find(marker="tag-panel-item", content="smile").trigger("click", {"altKey": True})
    await eventually(lambda: grid.order == [ids[2], ids[3]])


async def test_editor_shows_chips_for_a_tags_set_and_the_token_count(user: User) -> None:
    seeded, grid = await open_workspace(user)
    user.find(marker="thumb-grid").trigger("open", {"id": seeded["file_ids"][0]})
    await user.should_see(marker="tag-chip", retries=100)
    chips = [c.text for c in user.find(marker="tag-chip").elements]
    assert sorted(chips) == sorted(["ohwx", "woman", "smile", "red dress"])
    await user.should_see(content="8 / 75 tokens", retries=50)  # ohwx , woman , smile , red dress
    textarea = next(iter(user.find(marker="tag-chips").elements)).textarea
    assert isinstance(textarea, ui.textarea) and not textarea.visible  # Tags view hides the textarea
    user.find(marker="tag-input").type("hat").trigger("keydown.enter")
    assert textarea.value == "ohwx, woman, smile, red dress, hat"
    await user.should_see(marker="caption-unsaved", retries=50)  # the chips edit the editor's draft


async def test_save_a_view_and_apply_it(user: User) -> None:
    seeded, grid = await open_workspace(user)
    ids = seeded["file_ids"]
    next(iter(user.find(marker="grid-search").elements)).value = "tag:hat"
    await eventually(lambda: grid.order == ids[1:3])
    user.find(marker="saved-views").click()
    await user.should_see(marker="save-view", retries=50)
    user.find(marker="save-view").click()
    await user.should_see(marker="view-name", retries=50)
    user.find(marker="view-name").type("Hats")
    user.find(marker="view-save").click()
    await user.should_see('View "Hats" saved', retries=50)
    next(iter(user.find(marker="grid-search").elements)).value = ""
    await eventually(lambda: len(grid.order) == 5)
    user.find(marker="saved-views").click()
    await user.should_see(marker="saved-view", retries=50)
    user.find(marker="saved-view").click()
    await eventually(lambda: grid.order == ids[1:3])
