"""The caption-job runner with an in-process captioner: full runs, pause/resume, cancel, outages, edits."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.errors import Invalid
from app.models import Caption
from app.services.caption_jobs import caption_job_plan, caption_jobs
from app.services.captions import caption_sets, captions
from app.services.captions.captions import caption_changed_payload
from app.services.images import ImageDecodeError
from app.vision.errors import ModelNotFound
from tests.job_seed import captions_of, revision_count, seed_caption_set, write_images
from tests.unit.jobs_support import FakeCaptioner, make_runner, nicegui_loop, wait_for_status, wait_until  # noqa: F401

pytestmark = pytest.mark.usefixtures("nicegui_loop")


@pytest.fixture
def seeded(core, tmp_path: Path):
    return seed_caption_set(core.db, write_images(tmp_path / "imgs", 8))


async def test_full_run_captions_every_image_once_and_tells_every_page(core, seeded) -> None:
    captions.save_caption(core.db, seeded.caption_set_id, seeded.file_ids[0], "hand written", source="manual")
    captions.save_caption(
        core.db, seeded.caption_set_id, seeded.file_ids[1], "old generated", source="generated"
    )
    events: list[dict] = []
    changed: list[dict] = []
    core.events.job_progress.subscribe(events.append)
    core.events.caption_changed.subscribe(changed.append)
    runner = make_runner(core, FakeCaptioner())
    runner.start()
    job = await runner.submit(seeded.caption_set_id, parallel=3)
    assert job.status == "pending" and job.total_files == 8 and job.skipped_files == 2
    assert job.estimated_time_seconds > 0
    done = await wait_for_status(core, job.id, "completed")

    assert (done.completed_files, done.failed_files, done.skipped_files) == (6, 0, 2)
    assert done.remaining_files == 0 and done.percent_complete == 100.0
    stored = captions_of(core.db, seeded.caption_set_id)
    assert stored[seeded.file_ids[0]]["caption_text"] == "hand written"
    assert stored[seeded.file_ids[1]]["caption_text"] == "old generated"
    assert all(
        stored[f]["caption_text"] == f"caption of img_{i:05d}.jpg"
        for i, f in enumerate(seeded.file_ids)
        if i > 1
    )
    assert set(revision_count(core.db, seeded.caption_set_id).values()) == {1}
    kinds = [e["event"] for e in events]
    assert kinds.count("caption_generated") == 6 and kinds[-1] == "completed"
    assert {c["file_id"] for c in changed} == set(seeded.file_ids[2:])
    assert all(c["caption_state"] == "generated" for c in changed)
    assert done.endpoints[0].completed == 6
    await runner.shutdown()


async def test_quality_threshold_and_overwrite_choose_what_is_regenerated(core, seeded) -> None:
    ids = seeded.file_ids
    captions.save_caption(
        core.db, seeded.caption_set_id, ids[0], "weak", source="generated", quality_score=0.3
    )
    captions.save_caption(
        core.db, seeded.caption_set_id, ids[1], "strong", source="generated", quality_score=0.9
    )
    captions.save_caption(core.db, seeded.caption_set_id, ids[2], "mine", source="manual")
    plan = caption_job_plan.plan_job(
        core.db, seeded.caption_set_id, file_ids=ids[:3], min_quality_threshold=0.5
    )
    assert plan.to_caption == [ids[0]]
    assert plan.skip_reasons == {caption_job_plan.SKIP_EXISTING: 1, caption_job_plan.SKIP_MANUAL: 1}
    plan = caption_job_plan.plan_job(
        core.db, seeded.caption_set_id, file_ids=ids[:3], overwrite_existing=True
    )
    assert plan.to_caption == ids[:2], "hand-edited captions need the explicit second switch"
    plan = caption_job_plan.plan_job(
        core.db, seeded.caption_set_id, file_ids=ids[:3], overwrite_existing=True, overwrite_manual=True
    )
    assert plan.to_caption == ids[:3]
    with pytest.raises(Invalid, match="Nothing to caption"):
        caption_jobs.create_job(
            core.db,
            seeded.caption_set_id,
            vision_model="m",
            endpoints=[{"url": "http://a"}],
            file_ids=ids[1:3],
        )


async def test_pause_keeps_in_flight_captions_and_resume_finishes_without_repeats(core, seeded) -> None:
    fake = FakeCaptioner(gate=asyncio.Event())
    runner = make_runner(core, fake)
    runner.start()
    job = await runner.submit(seeded.caption_set_id, parallel=2)
    await wait_until(lambda: fake.active == 2)
    paused = await runner.pause(job.id)
    assert paused.status == "pausing"
    fake.gate.set()  # the two in-flight requests come back after the pause was asked for
    stored = await wait_for_status(core, job.id, "paused")
    assert stored.completed_files == 2 and stored.remaining_files == 6, "in-flight work was kept"
    assert fake.started == 2, "no new request after the pause"

    await runner.resume(job.id)
    done = await wait_for_status(core, job.id, "completed")
    assert done.completed_files == 8
    assert set(revision_count(core.db, seeded.caption_set_id).values()) == {1}
    assert len(fake.calls) == 8
    await runner.shutdown()


async def test_cancel_aborts_in_flight_requests_and_keeps_finished_captions(core, seeded) -> None:
    fake = FakeCaptioner(latency=0.01)
    runner = make_runner(core, fake)
    runner.start()
    job = await runner.submit(seeded.caption_set_id, parallel=1)
    await wait_until(lambda: len(fake.calls) >= 2)
    fake.gate = asyncio.Event()  # from now on requests hang until cancelled
    await wait_until(lambda: fake.active == 1)
    cancelled = await runner.cancel(job.id)
    assert cancelled.status == "cancelled"
    finished = captions_of(core.db, seeded.caption_set_id)
    assert len(finished) == cancelled.completed_files >= 1
    assert cancelled.remaining_files == 8 - len(finished)
    await runner.shutdown()


async def test_backend_gone_pauses_with_a_message_and_fails_nothing(core, seeded) -> None:
    fake = FakeCaptioner(latency=0.005)
    runner = make_runner(core, fake, grace=0.1)
    runner.start()
    job = await runner.submit(seeded.caption_set_id, parallel=2)
    await wait_until(lambda: len(fake.calls) >= 3)
    fake.down.add("http://gpu1:11434")
    paused = await wait_for_status(core, job.id, "paused")
    assert paused.failed_files == 0
    assert "stopped answering" in paused.last_error and "Resume" in paused.last_error
    assert paused.completed_files + paused.remaining_files == 8
    assert paused.endpoints[0].status == "dropped"

    fake.down.clear()
    await runner.resume(job.id)
    done = await wait_for_status(core, job.id, "completed")
    assert done.completed_files == 8 and done.failed_files == 0 and done.last_error is None
    await runner.shutdown()


async def test_a_bad_image_fails_alone_and_retry_failed_redoes_it(core, seeded) -> None:
    fake = FakeCaptioner(errors={"img_00003.jpg": ImageDecodeError("img_00003.jpg is truncated")})
    runner = make_runner(core, fake)
    runner.start()
    job = await runner.submit(seeded.caption_set_id)
    done = await wait_for_status(core, job.id, "completed")
    assert (done.completed_files, done.failed_files) == (7, 1)
    assert [f.model_dump() for f in done.failed] == [
        {"file_id": seeded.file_ids[3], "filename": "img_00003.jpg", "error": "img_00003.jpg is truncated"}
    ]
    assert "Retry failed" in done.last_error

    fake.errors.clear()
    await runner.retry_failed(job.id)
    done = await wait_for_status(core, job.id, "completed")
    assert (done.completed_files, done.failed_files, done.failed) == (8, 0, [])
    await runner.shutdown()


async def test_an_edit_during_the_run_wins(core, seeded) -> None:
    fake = FakeCaptioner(gate=asyncio.Event())
    runner = make_runner(core, fake)
    runner.start()
    job = await runner.submit(seeded.caption_set_id, parallel=1)
    await wait_until(lambda: fake.active == 1)  # img_00000 is in flight
    first, later = seeded.file_ids[0], seeded.file_ids[5]
    for file_id in (first, later):
        saved = captions.save_caption(core.db, seeded.caption_set_id, file_id, "typed by a person")
        core.events.caption_changed.emit(caption_changed_payload(saved, seeded.caption_set_id, file_id))
    fake.gate.set()
    done = await wait_for_status(core, job.id, "completed")
    stored = captions_of(core.db, seeded.caption_set_id)
    assert stored[first]["caption_text"] == stored[later]["caption_text"] == "typed by a person"
    assert (done.completed_files, done.skipped_files) == (6, 2)
    assert "img_00005.jpg" not in [name for name, _ in fake.calls], (
        "no request for a file edited before its turn"
    )
    await runner.shutdown()


async def test_with_overwrite_of_edits_the_typed_text_stays_in_the_history(core, seeded) -> None:
    fake = FakeCaptioner(gate=asyncio.Event())
    runner = make_runner(core, fake)
    runner.start()
    job = await runner.submit(
        seeded.caption_set_id, file_ids=seeded.file_ids[:1], overwrite_existing=True, overwrite_manual=True
    )
    await wait_until(lambda: fake.active == 1)
    saved = captions.save_caption(core.db, seeded.caption_set_id, seeded.file_ids[0], "typed by a person")
    fake.gate.set()
    await wait_for_status(core, job.id, "completed")
    history = captions.list_revisions(core.db, saved["id"])
    assert history[0].previous_text == "typed by a person"
    assert history[0].new_text == "caption of img_00000.jpg"
    await runner.shutdown()


async def test_two_endpoints_share_the_work_and_a_dying_one_is_dropped(core, tmp_path: Path) -> None:
    seeded = seed_caption_set(core.db, write_images(tmp_path / "many", 24))
    core.settings["vision"]["endpoints"] = [{"url": "http://gpu2:11434", "parallel": 2}]
    fake = FakeCaptioner(latency=0.03)
    runner = make_runner(core, fake, grace=0.05)
    runner.start()
    job = await runner.submit(seeded.caption_set_id, parallel=2)
    await wait_until(lambda: any(url == "http://gpu2:11434" for _, url in fake.calls))
    fake.down.add("http://gpu2:11434")
    done = await wait_for_status(core, job.id, "completed")
    assert (done.completed_files, done.failed_files) == (24, 0)
    by_url = {e.url: e for e in done.endpoints}
    assert by_url["http://gpu2:11434"].status == "dropped" and by_url["http://gpu2:11434"].error
    assert by_url["http://gpu1:11434"].completed + by_url["http://gpu2:11434"].completed == 24
    assert set(revision_count(core.db, seeded.caption_set_id).values()) == {1}
    await runner.shutdown()


async def test_jobs_on_one_server_queue_and_other_servers_run_side_by_side(core, tmp_path: Path) -> None:
    first = seed_caption_set(core.db, write_images(tmp_path / "a", 3), name="A")
    second = seed_caption_set(core.db, write_images(tmp_path / "b", 3), name="B")
    third = seed_caption_set(core.db, write_images(tmp_path / "c", 3), name="C")
    fake = FakeCaptioner(gate=asyncio.Event())
    runner = make_runner(core, fake)
    runner.start()
    job_a = await runner.submit(first.caption_set_id)
    job_b = await runner.submit(second.caption_set_id)
    await wait_until(lambda: fake.active == 1)
    assert (await runner.get(job_b.id)).status == "pending", "same server: waits its turn"
    core.settings["vision"]["base_url"] = "http://gpu9:11434"
    job_c = await runner.submit(third.caption_set_id)
    await wait_until(lambda: fake.active == 2)
    fake.gate.set()
    for job in (job_a, job_b, job_c):
        await wait_for_status(core, job.id, "completed")
    await runner.shutdown()


async def test_a_crash_leaves_interrupted_jobs_that_resume_by_setting(core, seeded) -> None:
    job = caption_jobs.create_job(
        core.db, seeded.caption_set_id, vision_model="m", endpoints=[{"url": "http://gpu1:11434"}]
    )
    caption_jobs.set_status(core.db, job.id, "running", allowed_from=("pending",))  # as a kill -9 leaves it
    runner = make_runner(core, FakeCaptioner())
    runner.start()
    assert (await wait_for_status(core, job.id, "interrupted")).status == "interrupted"
    await runner.shutdown()

    core.settings["vision"]["auto_resume_jobs"] = True
    runner = make_runner(core, FakeCaptioner())
    runner.start()
    done = await wait_for_status(core, job.id, "completed")
    assert done.completed_files == 8
    await runner.shutdown()


async def test_shutdown_marks_a_running_job_interrupted_and_keeps_finished_work(core, seeded) -> None:
    fake = FakeCaptioner(latency=0.01)
    runner = make_runner(core, fake)
    runner.start()
    job = await runner.submit(seeded.caption_set_id)
    await wait_until(lambda: len(fake.calls) >= 3)
    await runner.shutdown()
    stored = caption_jobs.get_job(core.db, job.id)
    assert stored.status == "interrupted"
    assert stored.completed_files == len(captions_of(core.db, seeded.caption_set_id)) >= 2
    assert stored.completed_files + stored.remaining_files == 8


async def test_deleting_the_caption_set_mid_run_ends_the_job_quietly(core, seeded) -> None:
    fake = FakeCaptioner(gate=asyncio.Event())
    runner = make_runner(core, fake)
    runner.start()
    await runner.submit(seeded.caption_set_id, parallel=2)
    await wait_until(lambda: fake.active == 2)
    caption_sets.delete_caption_set(core.db, seeded.caption_set_id)  # cascades to the job row
    fake.gate.set()
    await wait_until(lambda: not runner.runs)
    assert caption_jobs.list_jobs(core.db) == []
    with core.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Caption)) == 0
    await runner.shutdown()


async def test_resume_right_after_pause_is_not_lost(core, seeded) -> None:
    fake = FakeCaptioner(gate=asyncio.Event())
    runner = make_runner(core, fake)
    runner.start()
    job = await runner.submit(seeded.caption_set_id, parallel=2)
    await wait_until(lambda: fake.active == 2)
    await runner.pause(job.id)
    fake.gate.set()
    resumed = await runner.resume(job.id)  # while the pause is still settling
    assert resumed.status in ("pending", "running")
    done = await wait_for_status(core, job.id, "completed")
    assert done.completed_files == 8
    await runner.shutdown()


@pytest.mark.parametrize("delay", [0, 0.005, 0.02, 0.1])
async def test_a_pause_racing_the_start_of_the_job_is_never_lost(core, seeded, delay: float) -> None:
    runner = make_runner(core, FakeCaptioner(latency=0.05))
    runner.start()
    job = await runner.submit(seeded.caption_set_id, parallel=1)
    await asyncio.sleep(delay)  # the scheduler may be starting the job right now
    await runner.pause(job.id)
    paused = await wait_for_status(core, job.id, "paused", "completed")
    assert paused.status == "paused" and paused.remaining_files > 0
    await runner.shutdown()


async def test_a_model_removed_mid_run_pauses_the_job_instead_of_failing_every_image(core, seeded) -> None:
    fake = FakeCaptioner(latency=0.01)
    runner = make_runner(core, fake)
    runner.start()
    job = await runner.submit(seeded.caption_set_id, parallel=1)
    await wait_until(lambda: len(fake.calls) >= 2)
    fake.errors.update({f"img_{i:05d}.jpg": ModelNotFound("model 'm' not found (404)") for i in range(8)})
    paused = await wait_for_status(core, job.id, "paused")
    assert paused.failed_files == 0 and paused.remaining_files > 0
    assert "is not installed" in paused.last_error and "Resume" in paused.last_error
    await runner.shutdown()


async def test_a_full_disk_pauses_the_job_and_resume_stores_everything(core, seeded, monkeypatch) -> None:
    from app.errors import StorageFull
    from app.services.caption_jobs import caption_job_commit

    real_commit = caption_job_commit.commit_outcomes
    disk = {"full": False, "commits": 0}

    def commit(*args, **kwargs):
        disk["commits"] += 1
        if disk["full"] or disk["commits"] == 2:  # the disk fills up after the first commit
            disk["full"] = True
            raise StorageFull("The database could not be written: the disk holding /data is full.")
        return real_commit(*args, **kwargs)

    monkeypatch.setattr(caption_job_commit, "commit_outcomes", commit)
    fake = FakeCaptioner(latency=0.1)
    runner = make_runner(core, fake)
    runner.start()
    job = await runner.submit(seeded.caption_set_id, parallel=1)
    paused = await wait_for_status(core, job.id, "paused")
    assert "is full" in paused.last_error and "Resume" in paused.last_error
    assert paused.failed_files == 0 and paused.completed_files < 8
    stored_while_full = len(captions_of(core.db, seeded.caption_set_id))

    disk["full"] = False
    await runner.resume(job.id)
    done = await wait_for_status(core, job.id, "completed")
    assert done.completed_files == 8 and done.failed_files == 0 and done.last_error is None
    assert len(captions_of(core.db, seeded.caption_set_id)) == 8 > stored_while_full
    await runner.shutdown()


async def test_every_slot_has_its_first_image_prepared_while_the_model_check_runs(core, seeded) -> None:
    """No slot starts cold: the first image of each slot is being prepared before the servers answer."""
    prepared_before_check: list[str] = []

    class PreparingCaptioner(FakeCaptioner):
        def __init__(self) -> None:
            super().__init__()
            self.prepared: list[str] = []

        def prepare(self, image_path: str) -> None:
            self.prepared.append(Path(image_path).name)

    captioner = PreparingCaptioner()
    runner = make_runner(core, captioner)

    async def slow_check(_url: str, _model: str) -> bool | None:
        prepared_before_check.extend(captioner.prepared)
        return None

    runner.model_check = slow_check
    runner.start()
    job = await runner.submit(seeded.caption_set_id, parallel=3)
    await wait_for_status(core, job.id, "completed")
    assert prepared_before_check == ["img_00000.jpg", "img_00001.jpg", "img_00002.jpg"]
    assert sorted(set(captioner.prepared)) == [f"img_{i:05d}.jpg" for i in range(8)]
    await runner.shutdown()
