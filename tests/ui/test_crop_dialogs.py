"""The crop dialog's presets, Reset and Apply, and the batch centre-crop's preview, apply and Undo, under the
user fixture (the dragging itself is in tests/e2e/test_crop_e2e.py, in real Chromium)."""

from __future__ import annotations

import math

from nicegui import ui
from nicegui.testing import User

from app.services.crops import crops
from app.services.datasets import dataset_members, datasets
from app.ui.workspace.crop.centre_crop_dialog import CentreCropDialog
from app.ui.workspace.crop.crop_dialog import CropDialog
from tests.app_services import running
from tests.factories import make_tracked_files
from tests.ui.test_workspace_grid import eventually, open_dataset

BOX = {"x": 0.1, "y": 0.1, "w": 0.5, "h": 0.5}


def _seed(sizes: list[tuple[int, int]]) -> tuple[str, list[str]]:
    db = running().db
    ids = [make_tracked_files(db, 1, size=size, prefix=f"f{i}")[0] for i, size in enumerate(sizes)]
    dataset = datasets.create_dataset(db, "Crops")
    dataset_members.add_files(db, dataset.id, ids)
    return dataset.id, ids


async def _crop_page(user: User, path: str, dataset_id: str, file_id: str) -> CropDialog:
    """A page with a CropDialog and a button ("go") that opens it on the file; the button is clicked once."""
    holder: dict = {}

    @ui.page(path)
    def page() -> None:
        holder["dialog"] = dialog = CropDialog(running().db)
        ui.button("open", on_click=lambda: dialog.open_for(dataset_id, file_id, "/x.png", "f0.jpg")).mark(
            "go"
        )

    await user.open(path)
    user.find(marker="go").click()
    return holder["dialog"]


async def test_crop_dialog_presets_reset_and_apply(user: User) -> None:
    await user.open("/")
    dataset_id, [file_id] = _seed([(1600, 800)])
    crops.set_crop(running().db, dataset_id, file_id, BOX)
    events: list[dict] = []
    running().events.datasets_changed.subscribe(events.append)
    dialog = await _crop_page(user, "/crop-test", dataset_id, file_id)
    await user.should_see("800 x 400 px at 160, 80 of 1600 x 800", retries=50)  # the stored crop
    dialog.aspect.value = "1:1"  # the box shrinks to a square on its centre
    await user.should_see("400 x 400 px at 360, 80", retries=20)
    assert dialog.editor.props["ratio"] == 1.0
    dialog._dragged({"x": 0.5, "y": 0.5, "w": 0.25, "h": 0.5})  # what the browser sends after a drag
    await user.should_see("400 x 400 px at 800, 400", retries=20)
    dialog._dragged({"x": 0.9, "y": 0.5, "w": 0.5, "h": 0.5})  # a hostile event: refused, the box stays
    await user.should_see("reaches past the image", retries=20)
    user.find(marker="crop-apply").click()
    await eventually(lambda: crops.get_crop(running().db, dataset_id, file_id).crop is not None and events)
    assert crops.get_crop(running().db, dataset_id, file_id).crop == {
        "x": 0.5,
        "y": 0.5,
        "w": 0.25,
        "h": 0.5,
    }
    assert events[-1] == {"dataset_id": dataset_id, "file_ids": [file_id]}

    user.find(marker="go").click()
    await user.should_see("400 x 400 px at 800, 400", retries=50)
    user.find(marker="crop-reset").click()
    await user.should_see("Whole image, 1600 x 800 px", retries=20)
    user.find(marker="crop-apply").click()
    await eventually(lambda: crops.get_crop(running().db, dataset_id, file_id).crop is None)


async def test_bucket_preset_names_the_images_bucket(user: User) -> None:
    await user.open("/")
    dataset_id, [file_id] = _seed([(1000, 800)])
    dialog = await _crop_page(user, "/crop-bucket", dataset_id, file_id)
    await user.should_see("Whole image", retries=50)
    assert dialog.aspect.options["bucket"] == "Nearest bucket (1152x896)"
    assert set(dialog.aspect.options) == {"free", "1:1", "2:3", "3:2", "4:5", "16:9", "bucket"}
    dialog.aspect.value = "bucket"
    await eventually(lambda: not math.isclose(dialog.box["h"], 1.0) or not math.isclose(dialog.box["w"], 1.0))
    assert math.isclose(dialog.box["w"] * 1000 / (dialog.box["h"] * 800), 1152 / 896, rel_tol=1e-4)


async def test_centre_crop_previews_applies_and_undo_restores(user: User) -> None:
    await user.open("/")
    dataset_id, ids = _seed([(1600, 800), (800, 1600), (900, 900)])
    crops.set_crop(running().db, dataset_id, ids[0], BOX)

    @ui.page("/centre-test")
    def page() -> None:
        async def go() -> None:
            dialog = CentreCropDialog(running().db, dataset_id, ids)
            dialog.open()
            await dialog.load()

        ui.button("open", on_click=go).mark("go")

    await user.open("/centre-test")
    user.find(marker="go").click()
    await user.should_see("Centre-crop to 1:1: 2 of 3 images change", retries=50)
    tiles = [el for el in user.find(ui.image).elements if "crop=" in (el.props.get("src") or "")]
    assert len(tiles) == 2, "the preview shows the cropped thumbnails"
    assert crops.get_crop(running().db, dataset_id, ids[0]).crop == BOX, "a preview changes nothing"
    user.find(marker="centre-crop-apply").click()
    await user.should_see("2 crops changed", retries=50)
    assert crops.get_crop(running().db, dataset_id, ids[1]).crop == {
        "x": 0.0,
        "y": 0.25,
        "w": 1.0,
        "h": 0.5,
    }
    user.find(marker="centre-crop-undo").click()
    await user.should_see("Undone: 2 crops put back", retries=50)
    assert crops.get_crop(running().db, dataset_id, ids[0]).crop == BOX
    assert crops.get_crop(running().db, dataset_id, ids[1]).crop is None


async def test_a_crop_saved_in_another_tab_repaints_that_tile_only(user: User) -> None:
    seeded, grid = await open_dataset(user, count=4)
    file_id, other = seeded.file_ids[0], seeded.file_ids[1]
    before = grid.rows[other]["thumbnail_url"]
    crops.set_crop(running().db, seeded.dataset_id, file_id, BOX)  # tells open grids which file changed
    await eventually(lambda: "crop=0.1,0.1,0.5,0.5" in grid.rows[file_id]["thumbnail_url"])
    assert grid.rows[file_id]["crop"] == BOX
    assert grid.rows[other]["thumbnail_url"] == before


async def test_centre_crop_of_the_grid_selection_repaints_those_tiles_and_undo_too(user: User) -> None:
    seeded, grid = await open_dataset(user, count=4)
    first, second = seeded.file_ids[0], seeded.file_ids[1]
    grid.click(first)
    grid.click(second, toggle=True)
    user.find(marker="batch-centre-crop").click()
    await user.should_see("Centre-crop 2 selected images", retries=50)
    await user.should_see("Centre-crop to 1:1: 2 of 2 images change", retries=50)
    user.find(marker="centre-crop-apply").click()
    await user.should_see("2 crops changed", retries=50)
    await eventually(lambda: all("crop=" in grid.rows[f]["thumbnail_url"] for f in (first, second)))
    assert "crop=" not in grid.rows[seeded.file_ids[2]]["thumbnail_url"], "only the selection"
    user.find(marker="centre-crop-undo").click()
    await user.should_see("Undone: 2 crops put back", retries=50)
    await eventually(lambda: not any("crop=" in grid.rows[f]["thumbnail_url"] for f in (first, second)))
    user.find(marker="centre-crop-close").click()
    await user.should_not_see(marker="centre-crop-dialog", retries=50)  # closed and deleted
