"""The caption editor under the user fixture: saving, save-on-navigate, asking, conflicts, history, helpers."""

from __future__ import annotations

import pytest
from nicegui.testing import User

from app import models
from app.services.captions import caption_sets, captions
from tests.app_services import running
from tests.ui.test_workspace_grid import eventually, open_dataset


def stored(seeded, index: int) -> str | None:
    caption = captions.get_caption(running().db, seeded.caption_set_id, seeded.file_ids[index])["caption"]
    return caption["caption_text"] if caption else None


async def open_image(user: User, grid, seeded, index: int) -> None:
    user.find(marker="thumb-grid").trigger("tile_click", {"id": seeded.file_ids[index]})
    await user.should_see(f"img_{index:05d}.jpg", marker="editor-filename", retries=50)


async def test_save_button_stores_the_caption_and_repaints_the_tile(user: User) -> None:
    seeded, grid = await open_dataset(user)
    await open_image(user, grid, seeded, 1)
    user.find(marker="caption-input").type("a dog on a beach")
    await user.should_see("Unsaved changes", marker="caption-unsaved", retries=50)
    user.find(marker="editor-save").click()
    await eventually(lambda: stored(seeded, 1) == "a dog on a beach")
    await eventually(lambda: grid.rows[seeded.file_ids[1]]["caption_state"] == "edited")
    await user.should_see("16 characters", marker="caption-counter", retries=50)


async def test_moving_to_the_next_image_saves_the_draft(user: User) -> None:
    seeded, grid = await open_dataset(user)
    await open_image(user, grid, seeded, 0)
    user.find(marker="caption-input").clear().type("edited before moving on")
    user.find(marker="editor-next").click()
    await user.should_see("img_00001.jpg", marker="editor-filename", retries=50)
    assert stored(seeded, 0) == "edited before moving on"
    assert grid.focused == seeded.file_ids[1]


async def test_switching_caption_set_saves_the_draft_and_keeps_the_image(user: User) -> None:
    seeded, grid = await open_dataset(user)
    other = caption_sets.create_caption_set(running().db, seeded.dataset_id, "Tags", "tags")
    await open_image(user, grid, seeded, 2)
    user.find(marker="caption-input").type("draft in the first set")
    await grid.client.connected()
    workspace_select = user.find(marker="set-select").elements.pop()
    workspace_select.set_options({seeded.caption_set_id: "Natural", other.id: "Tags"}, value=other.id)
    await eventually(lambda: stored(seeded, 2) == "draft in the first set")
    await user.should_see("img_00002.jpg", marker="editor-filename", retries=50)
    await user.should_see("No caption in this set yet.", retries=50)


@pytest.mark.parametrize("choice", ["stay", "discard", "save"])
async def test_ask_mode_asks_before_leaving_an_unsaved_caption(user: User, choice) -> None:
    seeded, grid = await open_dataset(user, on_navigate="ask")
    await open_image(user, grid, seeded, 1)
    user.find(marker="caption-input").type("not sure yet")
    user.find(marker="editor-next").click()
    await user.should_see(marker="unsaved-dialog", retries=50)
    user.find(marker=f"unsaved-{choice}").click()
    if choice == "stay":
        await user.should_not_see(marker="unsaved-dialog", retries=50)
        await user.should_see("img_00001.jpg", marker="editor-filename")
        assert stored(seeded, 1) is None
    else:
        await user.should_see("img_00002.jpg", marker="editor-filename", retries=50)
        assert stored(seeded, 1) == ("not sure yet" if choice == "save" else None)


async def test_a_caption_saved_elsewhere_meanwhile_opens_the_merge_dialog(user: User) -> None:
    seeded, grid = await open_dataset(user)
    await open_image(user, grid, seeded, 0)  # "a synthetic photo number 0"
    user.find(marker="caption-input").clear().type("my words")
    # Another tab saves the same caption after this one opened it.
    captions.save_caption(running().db, seeded.caption_set_id, seeded.file_ids[0], "their words")
    user.find(marker="editor-save").click()
    await user.should_see(marker="conflict-dialog", retries=50)
    await user.should_see("their words", marker="conflict-theirs")
    await user.should_see("my words", marker="conflict-mine")
    assert stored(seeded, 0) == "their words", "nothing is overwritten before the user chooses"
    user.find(marker="conflict-save-merged").click()
    await eventually(lambda: stored(seeded, 0) == "my words. their words.")


async def test_overwrite_after_a_conflict_keeps_mine(user: User) -> None:
    seeded, grid = await open_dataset(user)
    await open_image(user, grid, seeded, 0)
    user.find(marker="caption-input").clear().type("mine wins")
    captions.save_caption(running().db, seeded.caption_set_id, seeded.file_ids[0], "theirs")
    user.find(marker="editor-next").click()  # navigating saves, so it meets the conflict too
    await user.should_see(marker="conflict-dialog", retries=50)
    user.find(marker="conflict-overwrite").click()
    await user.should_see("img_00001.jpg", marker="editor-filename", retries=50)
    assert stored(seeded, 0) == "mine wins"


async def test_history_restores_an_earlier_text(user: User) -> None:
    seeded, grid = await open_dataset(user)
    await open_image(user, grid, seeded, 0)
    user.find(marker="caption-input").clear().type("second version")
    user.find(marker="editor-save").click()
    await eventually(lambda: stored(seeded, 0) == "second version")
    user.find(marker="editor-history").elements.pop().open()
    await user.should_see(marker="history-restore", retries=50)
    user.find(marker="history-restore").click()
    await eventually(lambda: stored(seeded, 0) == "a synthetic photo number 0")
    await eventually(
        lambda: user.find(marker="caption-input").elements.pop().value == "a synthetic photo number 0"
    )


async def test_trigger_phrase_imported_caption_and_length_limit(user: User) -> None:
    seeded, grid = await open_dataset(user, captioned_every=0, trigger_phrase="ohwx", max_length=30)
    await open_image(user, grid, seeded, 0)
    await user.should_see("Trigger phrase: ohwx", marker="editor-trigger")
    await user.should_see("imported caption number 0", marker="imported-caption")
    user.find(marker="copy-imported").click()
    user.find(marker="insert-trigger").click()
    textarea = user.find(marker="caption-input").elements.pop()
    assert textarea.value == "ohwx, imported caption number 0"
    await user.should_see("31 / 30", marker="caption-counter", retries=50)
    user.find(marker="editor-save").click()
    await user.should_see("allows at most 30", retries=50)
    assert stored(seeded, 0) is None


async def test_generate_saves_the_accepted_caption_as_generated(user: User, fake_ollama, make_image) -> None:
    seeded, grid = await open_dataset(user, trigger_phrase="ohwx")
    running().settings["vision"].update(base_url=fake_ollama.url, retry_backoff=0.0)
    picture = make_image("real.jpg")
    with running().db.session() as session:  # give one synthetic row a real file for the model to see
        session.get(models.TrackedFile, seeded.file_ids[1]).file_path = str(picture)
    await open_image(user, grid, seeded, 1)
    user.find(marker="editor-generate").click()
    await user.should_see(marker="generate-accept", retries=100)
    user.find(marker="generate-accept").click()
    await eventually(lambda: "a red square" in (stored(seeded, 1) or ""))
    saved = captions.get_caption(running().db, seeded.caption_set_id, seeded.file_ids[1])["caption"]
    assert saved["source"] == "generated" and saved["quality_score"] == 0.82
    await eventually(lambda: grid.rows[seeded.file_ids[1]]["caption_state"] == "generated")
