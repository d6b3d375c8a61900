"""Issue 23: the grid's sort order survives a reload (kept per browser in app.storage.user)."""

from __future__ import annotations

from nicegui import app
from nicegui.testing import User

from app.services.grid.grid_view import GridOptions
from app.ui.workspace.preferences import remembered_sort
from tests.ui.test_workspace_grid import eventually, open_dataset


def element(user: User, marker: str):
    return next(iter(user.find(marker=marker).elements))


async def test_sort_and_direction_survive_a_reload(user: User) -> None:
    seeded, grid = await open_dataset(user)
    user.find(marker="grid-sort").click()
    user.find("Quality").click()
    user.find(marker="grid-direction").click()

    def scores(g):
        return [g.rows[file_id]["quality_score"] for file_id in g.order]

    await eventually(lambda: scores(grid) == sorted(scores(grid), reverse=True))
    await user.open(f"/?dataset={seeded.dataset_id}&caption_set={seeded.caption_set_id}")
    fresh = element(user, "thumb-grid")
    await eventually(lambda: len(fresh.rows) == 12 and fresh is not grid)
    assert element(user, "grid-sort").value == "quality"
    assert element(user, "grid-direction").props["icon"] == "arrow_downward"
    await eventually(lambda: scores(fresh) == sorted(scores(fresh), reverse=True))
    assert fresh.order != seeded.file_ids


async def test_a_stale_or_hostile_stored_sort_falls_back_to_the_default(user: User) -> None:
    await user.open("/")
    for stored in ("quality", ["x"], {"sort": "<script>", "descending": "yes"}, {"sort": None}):
        app.storage.user["grid_sort"] = stored
        options = GridOptions(**remembered_sort())
        assert options.sort == "order" and options.descending is False
