"""The duplicates dialog groups by dHash and colour (thumbnails read), and its confirm shows what goes."""

from nicegui import ui
from nicegui.testing import User
from PIL import Image, ImageDraw

from app import models
from app.services.thumbnails import thumbnail_path
from app.ui.datasets.duplicates_dialog import DuplicatesDialog
from tests.app_services import running
from tests.unit.services.quality.test_curation import seed_dataset


def _thumbnail(file_id: str, colour: str) -> None:
    """Give a seeded file a stored thumbnail: a flat circle of one colour."""
    image = Image.new("RGB", (256, 256), "white")
    ImageDraw.Draw(image).ellipse([48, 48, 208, 208], fill=colour)
    key = f"{file_id}-256"
    path = thumbnail_path(running().settings.thumbnails_dir, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "WEBP", quality=80)
    with running().db.session() as s:
        s.get(models.TrackedFile, file_id).thumbnail_key = key


def _page(route: str, dataset_id: str) -> None:
    @ui.page(route)
    async def page() -> None:
        dialog = DuplicatesDialog(running(), dataset_id)
        dialog.open()
        await dialog.load()


async def test_same_hash_but_different_colours_is_not_a_look_alike_group(user: User) -> None:
    same = "0000000000000000"  # flat circles hash alike whatever their colour
    dataset_id = seed_dataset(
        running(),
        [{"id": "red", "phash": same}, {"id": "blue", "phash": same}, {"id": "red-copy", "phash": same}],
    )
    _thumbnail("red", "red")
    _thumbnail("blue", "blue")
    _thumbnail("red-copy", "red")
    _page("/dup-colour", dataset_id)
    await user.open("/dup-colour")
    await user.should_see("Look alike (resized or recompressed): 2 images")
    await user.should_see("red-copy.jpg")
    await user.should_not_see("blue.jpg")


async def test_the_confirm_shows_the_picture_and_name_of_each_image_it_excludes(user: User) -> None:
    dataset_id = seed_dataset(
        running(),
        [
            {"id": "best", "hash": "h", "q": 0.9},
            {"id": "worse", "hash": "h", "q": 0.4},
            {"id": "worst", "hash": "h", "q": 0.1},
        ],
    )
    _page("/dup-confirm", dataset_id)
    await user.open("/dup-confirm")
    user.find(marker="keep-best").click()
    await user.should_see(marker="keep-best-confirm")
    await user.should_see("Keep best.jpg")
    await user.should_see("Exclude 2:")
    tiles = list(user.find(marker="keep-best-excluded").elements)
    assert len(tiles) == 2
    sources = sorted(child.props["src"] for tile in tiles for child in tile if child.tag == "img")
    assert sources == ["/api/files/worse/thumbnail", "/api/files/worst/thumbnail"]
    kept = [c.props["src"] for t in user.find(marker="keep-best-keep").elements for c in t if c.tag == "img"]
    assert kept == ["/api/files/best/thumbnail"]
    user.find(marker="keep-best-cancel").click()
    await user.should_not_see(marker="keep-best-confirm")
    with running().db.session() as s:
        assert not any(m.excluded for m in s.query(models.DatasetFile)), "cancel excludes nothing"
