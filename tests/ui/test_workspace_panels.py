"""The open/closed state of the workspace's sliding panels (tablets and phones; CSS decides per width)."""

from __future__ import annotations

from nicegui.testing import User

from app.ui.workspace.workspace_panels import OPEN
from tests.ui.test_workspace_editor import open_image
from tests.ui.test_workspace_grid import eventually, open_dataset


def column(user: User, marker: str):
    return next(iter(user.find(marker=marker).elements))


async def test_opening_an_image_slides_the_editor_in_and_close_or_escape_slides_it_out(user: User) -> None:
    seeded, grid = await open_dataset(user)
    editor = column(user, "column-editor")
    assert OPEN not in editor.classes, "the editor panel waits until an image is opened"
    await open_image(user, grid, seeded, 1)
    assert OPEN in editor.classes
    user.find(marker="editor-close").click()
    await eventually(lambda: OPEN not in editor.classes)

    await open_image(user, grid, seeded, 2)
    assert OPEN in editor.classes
    user.find(marker="caption-input").trigger("keydown.esc")
    await eventually(lambda: OPEN not in editor.classes)


async def test_the_datasets_drawer_opens_and_closes_after_a_choice(user: User) -> None:
    seeded, grid = await open_dataset(user)
    drawer = column(user, "column-datasets")
    assert OPEN not in drawer.classes
    user.find(marker="datasets-open").click()
    await eventually(lambda: OPEN in drawer.classes)
    user.find(marker="panel-backdrop").trigger("click")
    await eventually(lambda: OPEN not in drawer.classes)

    user.find(marker="datasets-open").click()
    await eventually(lambda: OPEN in drawer.classes)
    await user.should_see(marker="dataset-open-synthetic", retries=100)
    user.find(marker="dataset-open-synthetic").click()  # choosing a dataset closes the drawer
    await eventually(lambda: OPEN not in drawer.classes, seconds=15)

    user.find(marker="datasets-open").click()
    await eventually(lambda: OPEN in drawer.classes)
    await open_image(user, grid, seeded, 0)  # the editor panel comes to the front instead
    assert OPEN not in drawer.classes
