"""The workspace's Health and Duplicates buttons: a chart bar filters the grid; keep-best excludes copies."""

from nicegui.testing import User

from app import models
from tests.app_services import running
from tests.ui.test_workspace_grid import eventually, open_dataset


async def test_health_bar_click_filters_the_grid_to_that_bucket(user: User) -> None:
    seeded, grid = await open_dataset(user, count=6)
    with running().db.session() as s:
        for index, file_id in enumerate(seeded.file_ids):
            tracked = s.get(models.TrackedFile, file_id)
            tracked.width, tracked.height = (832, 1216) if index < 2 else (1024, 1024)
    await user.open(f"/?dataset={seeded.dataset_id}&caption_set={seeded.caption_set_id}")
    grid = next(iter(user.find(marker="thumb-grid").elements))
    await eventually(lambda: len(grid.rows) == 6)
    user.find(marker="grid-health").click()
    await user.should_see(marker="health-buckets", retries=50)
    chart = next(iter(user.find(marker="health-buckets").elements))
    labels = chart.options["xAxis"]["data"]
    index = labels.index("832x1216")
    assert chart.options["series"][0]["data"][index] == 2
    user.find(marker="health-buckets").trigger(
        "componentClick",
        {
            "componentType": "series",
            "seriesType": "bar",
            "seriesIndex": 0,
            "seriesName": "",
            "name": "832x1216",
            "dataIndex": index,
            "data": 2,
            "value": 2,
        },
    )
    await eventually(lambda: grid.order == seeded.file_ids[:2])


async def test_duplicates_keep_best_excludes_the_copy_in_the_grid(user: User) -> None:
    seeded, grid = await open_dataset(user, count=4)
    first, second = seeded.file_ids[:2]
    with running().db.session() as s:
        s.get(models.TrackedFile, first).file_hash = "same-bytes"
        s.get(models.TrackedFile, second).file_hash = "same-bytes"
        s.get(models.TrackedFile, first).quality_score = 0.9
        s.get(models.TrackedFile, second).quality_score = 0.1
    user.find(marker="grid-duplicates").click()
    await user.should_see("Identical files: 2 images", retries=50)
    user.find(marker="keep-best").click()
    await user.should_see(marker="keep-best-confirm")
    user.find(marker="keep-best-go").click()
    await eventually(lambda: grid.rows[second]["excluded"] is True)
    assert grid.rows[first]["excluded"] is False
