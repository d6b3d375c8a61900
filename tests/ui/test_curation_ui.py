"""Health charts filter the grid on click; the duplicates dialog keeps the best of a group."""

from nicegui import ui
from nicegui.testing import User

from app import models
from app.ui.datasets.duplicates_dialog import DuplicatesDialog
from app.ui.datasets.health_panel import HealthPanel
from tests.app_services import running
from tests.unit.services.quality.test_curation import seed_dataset


async def test_clicking_a_flag_bar_filters_the_grid(user: User) -> None:
    dataset_id = seed_dataset(
        running(),
        [
            {"id": "x1", "q": 0.2, "flags": ["blurry"]},
            {"id": "x2", "q": 0.9, "w": 1216, "h": 832},
        ],
    )
    queries: list[str] = []

    @ui.page("/health-test")
    async def health_test() -> None:
        panel = HealthPanel(running(), dataset_id, None, queries.append)
        panel.open()
        await panel.load()

    await user.open("/health-test")
    await user.should_see(marker="health-flags")
    chart = user.find(marker="health-flags").elements.pop()
    assert chart.options["xAxis"]["data"] == ["blurry"]
    user.find(marker="health-flags").trigger(
        "componentClick",
        {
            "componentType": "series",
            "seriesType": "bar",
            "seriesIndex": 0,
            "seriesName": "",
            "name": "blurry",
            "dataIndex": 0,
            "data": 1,
            "value": 1,
        },
    )
    assert queries == ["flag:blurry"]
    quality = user.find(marker="health-quality").elements.pop()
    assert quality.options["series"][0]["data"][2] == 1 and quality.options["series"][0]["data"][9] == 1


async def test_keep_best_excludes_the_others(user: User) -> None:
    dataset_id = seed_dataset(
        running(),
        [
            {"id": "d1", "hash": "h", "q": 0.3},
            {"id": "d2", "hash": "h", "q": 0.8},
            {"id": "d3", "q": 0.5},
        ],
    )

    @ui.page("/dup-test")
    async def dup_test() -> None:
        dialog = DuplicatesDialog(running(), dataset_id)
        dialog.open()
        await dialog.load()

    await user.open("/dup-test")
    await user.should_see("Identical files: 2 images")
    user.find(marker="keep-best").click()
    await user.should_see(marker="keep-best-confirm")
    user.find(marker="keep-best-go").click()
    await user.should_see("excluded")
    with running().db.session() as s:
        excluded = {m.file_id: m.excluded for m in s.query(models.DatasetFile)}
    assert excluded == {"d1": True, "d2": False, "d3": False}


async def test_keep_best_shows_what_goes_and_warns_about_an_edited_caption(user: User) -> None:
    from tests.unit.services.quality.test_keep_best import _caption

    dataset_id = seed_dataset(
        running(), [{"id": "k1", "hash": "h", "q": 0.9}, {"id": "k2", "hash": "h", "q": 0.3}]
    )
    _caption(running(), dataset_id, "k1", "edited one", edited=True)
    _caption(running(), dataset_id, "k2", "edited two", edited=True)

    @ui.page("/dup-edited")
    async def dup_edited() -> None:
        dialog = DuplicatesDialog(running(), dataset_id)
        dialog.open()
        await dialog.load()

    await user.open("/dup-edited")
    user.find(marker="keep-best").click()
    await user.should_see(marker="keep-best-confirm")
    await user.should_see("k2.jpg (hand-edited caption)")
    await user.should_see(marker="keep-best-edited-warning")
    user.find(marker="keep-best-cancel").click()
    await user.should_not_see(marker="keep-best-confirm")
    with running().db.session() as s:
        assert not any(m.excluded for m in s.query(models.DatasetFile)), "cancel excludes nothing"
    user.find(marker="keep-best").click()
    await user.should_see(marker="keep-best-confirm")
    user.find(marker="keep-best-go").click()
    await user.should_see("excluded")
    with running().db.session() as s:
        assert {m.file_id: m.excluded for m in s.query(models.DatasetFile)} == {"k1": False, "k2": True}


async def test_the_similarity_threshold_changes_the_groups(user: User) -> None:
    dataset_id = seed_dataset(
        running(), [{"id": "p1", "phash": "ffff0000ffff0000"}, {"id": "p2", "phash": "ffff0000ffff000f"}]
    )
    dialogs: list = []

    @ui.page("/dup-threshold")
    async def dup_threshold() -> None:
        dialog = DuplicatesDialog(running(), dataset_id)
        dialog.open()
        dialogs.append(dialog)
        await dialog.load()

    await user.open("/dup-threshold")
    await user.should_see("Look alike (resized or recompressed): 2 images")
    user.find(marker="duplicates-threshold").elements.pop().set_value(
        2
    )  # 4 bits differ: stricter splits them
    await user.should_see(marker="duplicates-none")
    assert dialogs[0].max_distance == 2
