"""A big dataset shows its first screen from its first rows, then holds every row (app/ui/workspace/grid/first_screen.py)."""

from __future__ import annotations

import pytest
from nicegui.testing import User

from app.services.grid.grid_view import GridOptions
from app.ui.workspace.grid import first_screen
from tests.ui.test_workspace_grid import eventually, open_dataset


async def test_the_rest_of_the_rows_follows_the_first_screen(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(first_screen, "FIRST_SCREEN_ROWS", 10)
    seeded, grid = await open_dataset(user, count=25)  # waits until the grid holds all 25 rows
    await eventually(lambda: grid.order == seeded.file_ids)
    await user.should_see("25 images", marker="grid-count", retries=50)
    user.find(marker="select-all").click()
    await user.should_see("Selected: 25", retries=50)


def test_only_the_plain_dataset_order_starts_from_the_first_rows() -> None:
    assert first_screen.first_screen_limit(GridOptions()) == first_screen.FIRST_SCREEN_ROWS
    assert first_screen.first_screen_limit(GridOptions(sort="name")) is None
    assert first_screen.first_screen_limit(GridOptions(descending=True)) is None
    assert first_screen.first_screen_limit(GridOptions(query="tag:smile")) is None
    assert first_screen.first_screen_limit(GridOptions(show="uncaptioned")) is None
    assert first_screen.first_screen_limit(GridOptions(quality_below=0.5)) is None
