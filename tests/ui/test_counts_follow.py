"""Every count a user sees follows the one change event: after a hand edit, a big batch edit and a caption
job (against the fake Ollama server), the left column, the caption-set choice, the open health panel and the
job card all say the same number as the database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from nicegui.testing import User

from app.services.caption_jobs import caption_jobs
from app.services.captions import caption_events, caption_sets, captions
from tests.app_services import running
from tests.job_seed import seed_caption_set, write_images
from tests.ui.test_workspace_grid import eventually

COUNT = 8


def _one(user: User, marker: str):
    return next(iter(user.find(marker=marker).elements))


def _visible_counts(user: User, set_id: str) -> dict[str, str]:
    """Each place that shows how many images the set has captioned, as the user reads it."""
    select = _one(user, "set-select")
    health = _one(user, "health-coverage")
    return {
        "caption-set list": _one(user, "caption-set-coverage").text,
        "caption-set choice": select.options[set_id].rsplit("(", 1)[1].rstrip(")").replace("/", " / "),
        "health panel": f"{health.options['series'][0]['data'][0]} / {COUNT}",
    }


async def _agree(user: User, set_id: str) -> None:
    def agree() -> bool:
        wanted = f"{caption_sets.get_caption_set(running().db, set_id).caption_count} / {COUNT}"
        try:
            return set(_visible_counts(user, set_id).values()) == {wanted}
        except AssertionError:  # not on the page (yet)
            return False

    try:
        await eventually(agree, seconds=8)
    except AssertionError:
        real = caption_sets.get_caption_set(running().db, set_id).caption_count
        raise AssertionError(f"database {real} / {COUNT}, shown {_visible_counts(user, set_id)}") from None


async def test_every_count_agrees_after_an_edit_a_batch_and_a_caption_job(
    user: User, tmp_path: Path, fake_ollama, monkeypatch
) -> None:
    await user.open("/")
    core = running()
    core.settings["editor"]["on_navigate"] = "save"
    core.settings["vision"]["base_url"] = fake_ollama.url
    seeded = seed_caption_set(core.db, write_images(tmp_path / "imgs", COUNT), name="Counted")
    for file_id in seeded.file_ids[:3]:
        captions.save_caption(core.db, seeded.caption_set_id, file_id, "ohwx", source="manual")
    await user.open(f"/?dataset={seeded.dataset_id}&caption_set={seeded.caption_set_id}")
    grid = _one(user, "thumb-grid")
    await eventually(lambda: len(grid.rows) == COUNT)
    user.find(marker="grid-health").click()  # the health panel stays open the whole time
    await user.should_see(marker="health-coverage", retries=100)
    await _agree(user, seeded.caption_set_id)

    # 1. A caption typed by hand in the editor.
    user.find(marker="thumb-grid").trigger("tile_click", {"id": seeded.file_ids[5]})
    await user.should_see("img_00005.jpg", marker="editor-filename", retries=100)
    user.find(marker="caption-input").type("a red square by hand")
    user.find(marker="editor-save").click()
    await eventually(lambda: caption_sets.get_caption_set(core.db, seeded.caption_set_id).caption_count == 4)
    await _agree(user, seeded.caption_set_id)

    # 2. A batch edit, through its dialog, bigger than the per-caption events (here: more than 1).
    monkeypatch.setattr(caption_events, "MAX_EVENTS", 1)
    user.find(marker="caption-tools").click()
    user.find(marker="open-batch-edit").click()
    await user.should_see(marker="batch-op", retries=100)
    _one(user, "batch-text").set_value("square")
    _one(user, "edit-scope").set_value("set")  # the whole set, not the one image open
    user.find(marker="edit-preview").click()
    await user.should_see("4 of 4 captions would change", retries=100)
    user.find(marker="edit-apply").click()
    await eventually(lambda: _one(user, "caption-input").value.endswith("square"))
    await _agree(user, seeded.caption_set_id)

    # 3. A small auto-caption job against the fake vision server captions the rest.
    job = await running().jobs.submit(seeded.caption_set_id)
    for _ in range(400):
        if caption_jobs.get_job(core.db, job.job_id).status in ("completed", "failed"):
            break
        await asyncio.sleep(0.05)
    assert caption_jobs.get_job(core.db, job.job_id).status == "completed"
    await _agree(user, seeded.caption_set_id)
    assert caption_sets.get_caption_set(core.db, seeded.caption_set_id).caption_count == COUNT
    done = caption_jobs.get_job(core.db, job.job_id).completed_files
    await user.should_see(f"Caption job finished: {done} captioned, 0 failed", retries=100)


async def test_a_batch_too_big_for_per_caption_events_still_reaches_another_tab(
    user: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services.captions import batch_edits

    monkeypatch.setattr(caption_events, "MAX_EVENTS", 2)  # 4 captions: more than it sends one by one

    await user.open("/")
    core = running()
    seeded = seed_caption_set(core.db, write_images(tmp_path / "imgs", 4), name="Other tab")
    for file_id in seeded.file_ids:
        captions.save_caption(core.db, seeded.caption_set_id, file_id, "ohwx", source="manual")
    await user.open(f"/?dataset={seeded.dataset_id}&caption_set={seeded.caption_set_id}")
    grid = _one(user, "thumb-grid")
    await eventually(lambda: len(grid.rows) == 4)
    # Another tab (or the REST API) applied a batch over more images than it sends events for.
    batch_edits.apply_batch(core.db, seeded.caption_set_id, {"op": "add", "text": "square"})
    await eventually(lambda: all(row["caption_text"] == "ohwx, square" for row in grid.rows.values()))
