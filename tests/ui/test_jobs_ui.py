"""Auto-caption dialog, live job cards and the Jobs page under NiceGUI's user fixture (in-process captioner)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import User

from app.services.caption_jobs import caption_jobs
from app.services.captions import captions
from app.services.images import ImageDecodeError
from tests.app_services import running
from tests.job_seed import seed_caption_set, write_images
from tests.unit.jobs_support import FakeCaptioner


async def _no_check(_url: str, _model: str) -> None:
    return None


@pytest.fixture
def fake(user: User, fake_ollama) -> FakeCaptioner:
    """The running app's job runner captions with an in-process fake (the dialog's server check asks the
    fake Ollama)."""
    running().settings["vision"]["base_url"] = fake_ollama.url
    captioner = FakeCaptioner()
    runner = running().jobs
    runner.captioner, runner.model_check = captioner, _no_check
    return captioner


@pytest.fixture
def seeded(user: User, tmp_path: Path):
    return seed_caption_set(running().db, write_images(tmp_path / "imgs", 8), name="Portraits")


async def _wait_for(job_id: str, *statuses: str) -> dict:
    for _ in range(400):
        job = caption_jobs.get_job(running().db, job_id)
        if job.status in statuses:
            return job
        await asyncio.sleep(0.02)
    raise AssertionError(f"job stayed {job.status}")


async def test_dialog_summarises_what_will_be_captioned_and_starts_the_job(
    user: User, seeded, fake: FakeCaptioner
) -> None:
    db = running().db
    captions.save_caption(db, seeded.caption_set_id, seeded.file_ids[0], "typed", source="manual")
    captions.save_caption(
        db, seeded.caption_set_id, seeded.file_ids[1], "old", source="generated", quality_score=0.2
    )
    started: list = []

    @ui.page("/auto-caption-test")
    async def page() -> None:
        from app.ui.jobs.auto_caption_dialog import start_auto_caption

        async def open_dialog() -> None:
            started.append(await start_auto_caption(running(), seeded.caption_set_id))

        ui.button("Auto-Caption", on_click=open_dialog).mark("open-auto")

    await user.open("/auto-caption-test")
    user.find(marker="open-auto").click()
    await user.should_see(marker="auto-caption-dialog")
    await user.should_see("Will caption 6 and skip 2 (1 edited by hand, 1 has a caption)", retries=30)
    await user.should_see("Estimated time")
    user.find(marker="auto-use-threshold").click()
    await user.should_see("Will caption 7 and skip 1 (1 edited by hand)", retries=30)
    user.find(marker="auto-overwrite").click()
    user.find(marker="auto-overwrite-manual").click()
    await user.should_see("Will caption 8 and skip none", retries=30)
    user.find(marker="auto-start").click()
    await user.should_see("Caption job queued: 8 images", retries=30)
    for _ in range(100):
        if started:
            break
        await asyncio.sleep(0.02)
    job = await _wait_for(started[0].id, "completed")
    assert job.completed_files == 8
    assert (
        captions.get_caption(db, seeded.caption_set_id, seeded.file_ids[0])["caption"]["caption_text"]
        != "typed"
    )


async def test_job_card_shows_live_progress_and_pause_resume(user: User, seeded, fake: FakeCaptioner) -> None:
    fake.gate = asyncio.Event()
    await user.open("/jobs")
    await user.should_see(marker="jobs-empty")
    job = await running().jobs.submit(seeded.caption_set_id, parallel=2)
    await user.should_see(marker="job-card", retries=30)
    for _ in range(200):
        if fake.active == 2:
            break
        await asyncio.sleep(0.02)
    await user.should_see("0 captioned · 0 failed · 0 skipped of 8", retries=30)
    await user.should_see("Now: img_0000", retries=30)
    user.find(marker="job-pause").click()
    await user.should_see("Pausing after the images in flight", retries=30)
    fake.gate.set()
    await user.should_see("Paused", retries=50)
    await user.should_see("2 captioned · 0 failed · 0 skipped of 8", retries=30)
    user.find(marker="job-resume").click()
    await _wait_for(job.id, "completed")
    await user.should_see("Caption job finished: 8 captioned, 0 failed, 0 skipped.", retries=50)
    await user.should_not_see(marker="job-card", retries=30)


async def test_jobs_page_lists_failed_files_and_retries_them(user: User, seeded, fake: FakeCaptioner) -> None:
    fake.errors["img_00002.jpg"] = ImageDecodeError("img_00002.jpg is truncated")
    job = await running().jobs.submit(seeded.caption_set_id)
    await _wait_for(job.id, "completed")
    await user.open("/jobs")
    await user.should_see(marker="job-item")
    await user.should_see("7 captioned · 1 failed · 0 skipped of 8")
    user.find(marker="job-item").click()  # expand
    await user.should_see("img_00002.jpg is truncated")
    await user.should_see(marker="job-endpoints")
    fake.errors.clear()
    user.find(marker="job-retry-failed").click()
    for _ in range(400):
        done = caption_jobs.get_job(running().db, job.id)
        if done.status == "completed" and done.completed_files == 8:
            break
        await asyncio.sleep(0.02)
    assert (done.completed_files, done.failed_files) == (8, 0)
    await user.should_see("8 captioned · 0 failed · 0 skipped of 8", retries=50)
    await user.should_not_see(marker="job-retry-failed", retries=30)


async def test_the_auto_resume_setting_is_switched_on_the_jobs_page(user: User) -> None:
    await user.open("/jobs")
    user.find(marker="jobs-auto-resume").click()
    for _ in range(100):
        if running().settings["vision"]["auto_resume_jobs"]:
            break
        await asyncio.sleep(0.02)
    assert running().settings["vision"]["auto_resume_jobs"] is True
    assert "auto_resume_jobs: true" in running().settings.config_path.read_text()


async def test_caption_with_vision_model_from_a_grid_selection(user: User, fake: FakeCaptioner) -> None:
    from tests.ui.test_workspace_grid import eventually, open_dataset

    seeded, grid = await open_dataset(user, count=6)
    grid.click(seeded.file_ids[0])
    grid.click(seeded.file_ids[1], toggle=True)
    await user.should_see("Selected: 2", retries=50)
    user.find(marker="batch-caption").click()
    await user.should_see(marker="auto-caption-dialog", retries=50)
    await user.should_see("Captions 2 selected images")
    user.find(marker="auto-overwrite").click()  # the seeded captions exist (one typed by hand): redo them
    user.find(marker="auto-overwrite-manual").click()
    await user.should_see("Will caption 2 and skip none", retries=100)
    user.find(marker="auto-start").click()
    await eventually(
        lambda: all(grid.rows[f]["caption_text"].startswith("caption of") for f in seeded.file_ids[:2])
    )
    await user.should_see(
        "Caption job finished: 2 captioned, 0 failed", retries=100
    )  # the left column's card
    assert not (grid.rows[seeded.file_ids[2]]["caption_text"] or "").startswith("caption of"), (
        "only the selection"
    )


async def test_dialog_says_the_server_is_down_before_starting(user: User, seeded, fake, dead_url) -> None:
    running().settings["vision"]["base_url"] = dead_url

    @ui.page("/auto-caption-dead")
    async def page() -> None:
        from app.ui.jobs.auto_caption_dialog import start_auto_caption

        ui.button("Auto-Caption", on_click=lambda: start_auto_caption(running(), seeded.caption_set_id)).mark(
            "open-auto"
        )

    await user.open("/auto-caption-dead")
    user.find(marker="open-auto").click()
    await user.should_see(f"The vision server at {dead_url} does not answer", retries=50)
    await user.should_see(marker="auto-settings-link")
    start = next(iter(user.find(marker="auto-start").elements))
    assert not start.enabled, "Start stays off while no server answers"
