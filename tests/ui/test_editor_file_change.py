"""The editor's note when the .txt beside the open image changed on disk, and "Take the file's text"."""

from __future__ import annotations

from nicegui.testing import User

from app import models
from app.services.captions import caption_sets, captions
from tests.app_services import running
from tests.ui.test_workspace_editor import open_image
from tests.ui.test_workspace_grid import eventually, open_dataset

HOSTILE = "<img src=x onerror=alert(1)> <b>bold</b>\nsecond line"


def _pair_txt(file_id: str, path, text: str) -> None:
    """What a scan records for a .txt beside the image."""
    with running().db.session() as session:
        tracked = session.get(models.TrackedFile, file_id)
        tracked.imported_caption, tracked.imported_caption_path = text, str(path)
        tracked.has_paired_caption = True


def _imported_then_edited(seeded, index: int, tmp_path, before: str, after: str) -> str:
    """The set imported `before` from the image's .txt; then the file was edited to `after` and rescanned."""
    file_id = seeded.file_ids[index]
    txt = tmp_path / f"img_{index:05d}.txt"
    txt.write_text(before, encoding="utf-8")
    _pair_txt(file_id, txt, before)
    caption_sets.import_captions(running().db, seeded.caption_set_id, [file_id], overwrite=True)
    txt.write_text(after, encoding="utf-8")
    _pair_txt(file_id, txt, after)
    return file_id


def _caption(seeded, index: int) -> str | None:
    caption = captions.get_caption(running().db, seeded.caption_set_id, seeded.file_ids[index])["caption"]
    return caption["caption_text"] if caption else None


async def test_the_note_shows_the_changed_file_and_takes_its_text(user: User, tmp_path) -> None:
    seeded, grid = await open_dataset(user)
    file_id = _imported_then_edited(seeded, 1, tmp_path, "as imported", HOSTILE)

    await open_image(user, grid, seeded, 0)
    await user.should_not_see(marker="file-change-note")  # an image whose file did not change
    await open_image(user, grid, seeded, 1)
    await user.should_see("The .txt beside the image changed on disk", marker="file-change-title", retries=50)
    shown = next(iter(user.find(marker="file-change-text").elements))
    assert shown.text == HOSTILE  # shown as text, not as HTML
    assert _caption(seeded, 1).endswith("as imported")

    user.find(marker="take-file-text").click()
    await eventually(lambda: (_caption(seeded, 1) or "").endswith(HOSTILE))
    await user.should_not_see(marker="file-change-note", retries=50)
    assert user.find(marker="caption-input").elements.pop().value == _caption(seeded, 1)
    await eventually(lambda: grid.rows[file_id]["caption_state"] == "imported")


async def test_taking_over_an_unsaved_draft_asks_to_save_or_discard_first(user: User, tmp_path) -> None:
    seeded, grid = await open_dataset(user)
    _imported_then_edited(seeded, 2, tmp_path, "old", "new on disk")

    await open_image(user, grid, seeded, 2)
    await user.should_see(marker="take-file-text", retries=50)
    user.find(marker="caption-input").clear().type("my draft")
    user.find(marker="take-file-text").click()
    await user.should_see("Save or discard your unsaved text first", retries=50)
    assert not (_caption(seeded, 2) or "").endswith("new on disk")


async def test_the_note_appears_on_the_open_image_when_a_rescan_finishes(user: User, tmp_path) -> None:
    seeded, grid = await open_dataset(user)
    await open_image(user, grid, seeded, 3)
    await user.should_not_see(marker="file-change-note")
    _imported_then_edited(seeded, 3, tmp_path, "before", "after the rescan")
    running().events.scan_progress.emit({"folder_id": "any", "phase": "done"})
    await user.should_see("after the rescan", marker="file-change-text", retries=50)
