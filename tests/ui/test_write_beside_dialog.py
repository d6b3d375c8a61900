"""The caption set's "Write .txt beside the originals": preview, confirm, result, undo, from the panel."""

from __future__ import annotations

from pathlib import Path

from nicegui.testing import User

from app.services.captions import caption_sets, captions
from app.services.datasets import dataset_members, datasets
from tests.app_services import running
from tests.factories import make_tracked_files

RETRIES = 60


def _seed(root: Path) -> str:
    """Two images on disk with captions in the set "Tags" of dataset "Cats"; img_0001 has a .txt already."""
    db = running().db
    root.mkdir(parents=True)
    ids = make_tracked_files(db, 3, folder=str(root))
    for i in range(1, 4):
        (root / f"img_{i:04d}.jpg").write_bytes(b"\xff\xd8 image")
    (root / "img_0001.txt").write_text("<b>old</b> caption", encoding="utf-8")
    dataset = datasets.create_dataset(db, "Cats")
    dataset_members.add_files(db, dataset.id, ids)
    made = caption_sets.create_caption_set(db, dataset.id, "Tags", "tags", trigger_phrase="ohwx")
    captions.save_caption(db, made.id, ids[0], "ohwx, cat")
    captions.save_caption(db, made.id, ids[1], "ohwx, dog")
    return made.id


async def _open_dialog(user: User) -> None:
    await user.open("/")
    await user.should_see(marker="dataset-cats", retries=RETRIES)
    user.find(marker="dataset-open-cats").click()
    await user.should_see(marker="caption-set-menu-Tags", retries=RETRIES)
    user.find(marker="caption-set-menu-Tags").click()
    user.find(marker="caption-set-write-beside-Tags").click()
    await user.should_see(marker="write-beside-dialog", retries=RETRIES)


async def test_preview_confirm_and_undo(user: User, tmp_path: Path) -> None:
    await user.open("/")
    root = tmp_path / "photos"
    _seed(root)
    await _open_dialog(user)
    await user.should_see("2 to write: 1 new, 1 overwritten; 1 skipped", retries=RETRIES)
    # The file it overwrites is listed with what it holds now, as text (markup shown, not rendered).
    await user.should_see(f"{root / 'img_0001.txt'} (now: <b>old</b> caption)", retries=RETRIES)
    assert (root / "img_0001.txt").read_text() == "<b>old</b> caption"  # the preview wrote nothing

    user.find(marker="write-beside-confirm").click()
    await user.should_see(marker="write-beside-done", retries=RETRIES)
    await user.should_see("Wrote 2 caption files (1 overwritten, backed up)", retries=RETRIES)
    assert (root / "img_0001.txt").read_text() == "ohwx, cat"
    assert (root / "img_0002.txt").read_text() == "ohwx, dog"

    user.find(marker="write-beside-undo").click()
    await user.should_not_see(marker="write-beside-dialog", retries=RETRIES)
    await user.should_see("Undone: 1 files restored, 1 removed", retries=RETRIES)
    assert (root / "img_0001.txt").read_text() == "<b>old</b> caption"
    assert not (root / "img_0002.txt").exists()


async def test_cancel_writes_nothing(user: User, tmp_path: Path) -> None:
    await user.open("/")
    root = tmp_path / "photos"
    _seed(root)
    await _open_dialog(user)
    user.find(marker="write-beside-confirm-cancel").click()
    await user.should_not_see(marker="write-beside-dialog", retries=RETRIES)
    assert sorted(p.name for p in root.glob("*.txt")) == ["img_0001.txt"]


async def test_earlier_writes_are_listed_with_an_undo_each(user: User, tmp_path: Path) -> None:
    from app.services.exports import caption_files_beside as beside

    await user.open("/")
    root = tmp_path / "photos"
    set_id = _seed(root)
    db, data_dir = running().db, running().settings.data_dir
    first = beside.write_beside(db, data_dir, set_id).backup_id
    uncaptioned = [s for s in beside.plan_write_beside(db, set_id).skipped if "no caption" in s.reason]
    captions.save_caption(db, set_id, uncaptioned[0].file_id, "ohwx, x")
    second = beside.write_beside(db, data_dir, set_id).backup_id  # the third image, now captioned
    await _open_dialog(user)
    await user.should_see(marker="write-beside-history", retries=RETRIES)
    await user.should_see(marker=f"write-beside-past-{second}", retries=RETRIES)
    rows = [marker for marker in (first, second) if user.find(marker=f"write-beside-past-{marker}").elements]
    assert rows == [first, second]
    await user.should_see("2 files (1 overwritten)", retries=RETRIES)
    await user.should_see("1 files (0 overwritten)", retries=RETRIES)

    user.find(marker=f"write-beside-past-undo-{first}").click()
    await user.should_see("Undone: 1 files restored, 1 removed", retries=RETRIES)
    assert (root / "img_0001.txt").read_text() == "<b>old</b> caption"
    assert (root / "img_0003.txt").exists(), "only the write undone is put back"
    await user.should_see("2 files (1 overwritten) · undone", retries=RETRIES)
    await user.should_not_see(marker=f"write-beside-past-undo-{first}", retries=RETRIES)
