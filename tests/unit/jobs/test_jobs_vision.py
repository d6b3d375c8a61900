"""Caption jobs through the real vision client against the fake Ollama servers (loopback HTTP)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.jobs.runner import JobRunner
from tests.fakes import ollama_server
from tests.fakes.behaviour import CAPTION
from tests.fakes.server import LoopbackServer
from tests.job_seed import captions_of, revision_count, seed_caption_set, write_images
from tests.unit.jobs_support import nicegui_loop, wait_for_status, wait_until  # noqa: F401

pytestmark = pytest.mark.usefixtures("nicegui_loop")


@pytest.fixture
def seeded(core, tmp_path: Path):
    return seed_caption_set(core.db, write_images(tmp_path / "imgs", 12))


@pytest.fixture
def vision(core, fake_ollama):
    values = core.settings["vision"]
    values.update(base_url=fake_ollama.url, retry_backoff=0.01, max_retries=3, job_outage_grace=0.3)
    return values


@pytest.fixture
def second_ollama() -> Iterator[ollama_server.FakeOllama]:
    """Another fake Ollama (a second GPU machine); stop it to make it die."""
    state = ollama_server.FakeOllama(models=["qwen3-vl:4b-instruct"])
    server = LoopbackServer(ollama_server.create_app(state)).start()
    state.url = server.url
    state.server = server
    yield state
    if server._thread.is_alive():  # noqa: SLF001 - a test may have stopped it already
        server.stop()


async def test_a_full_run_sends_each_image_once_and_saves_the_model_caption(
    core, seeded, vision, fake_ollama
) -> None:
    fake_ollama.latency, fake_ollama.parallel = 0.02, 3
    runner = JobRunner(core)
    runner.start()
    job = await runner.submit(seeded.caption_set_id, parallel=3)
    done = await wait_for_status(core, job.id, "completed", timeout=60)
    assert (done.completed_files, done.failed_files) == (12, 0)
    assert len(fake_ollama.chat_requests()) == 12
    assert fake_ollama.max_active == 3, "the job used its three parallel slots"
    assert {
        c["caption_text"].lower().rstrip(".") for c in captions_of(core.db, seeded.caption_set_id).values()
    } == {CAPTION}
    assert done.endpoints[0].images_per_minute
    await runner.shutdown()


async def test_503_bursts_are_retried_and_nothing_fails(core, seeded, vision, fake_ollama) -> None:
    fake_ollama.parallel = 2
    fake_ollama.script("busy_503", "busy_503", "ok", "busy_503", "busy_503", "busy_503", "error_500")
    runner = JobRunner(core)
    runner.start()
    job = await runner.submit(seeded.caption_set_id, parallel=2)
    done = await wait_for_status(core, job.id, "completed", timeout=60)
    assert (done.completed_files, done.failed_files) == (12, 0)
    assert set(revision_count(core.db, seeded.caption_set_id).values()) == {1}
    await runner.shutdown()


async def test_a_server_that_goes_away_pauses_the_job_and_resume_finishes_it(
    core, seeded, vision, second_ollama, fake_ollama
) -> None:
    vision["base_url"] = second_ollama.url
    second_ollama.latency = 0.05
    runner = JobRunner(core)
    runner.start()
    job = await runner.submit(seeded.caption_set_id, parallel=1)
    await wait_until(lambda: len(second_ollama.chat_requests()) >= 3)
    second_ollama.server.stop()  # connection refused from now on
    paused = await wait_for_status(core, job.id, "paused", timeout=60)
    assert paused.failed_files == 0 and paused.remaining_files > 0
    assert "stopped answering" in paused.last_error and second_ollama.url in paused.last_error
    assert paused.completed_files == len(captions_of(core.db, seeded.caption_set_id))

    vision["base_url"] = fake_ollama.url  # the user starts a server (here: another one) and resumes
    await runner.resume(job.id)
    done = await wait_for_status(core, job.id, "completed", timeout=60)
    assert (done.completed_files, done.failed_files) == (12, 0)
    assert set(revision_count(core.db, seeded.caption_set_id).values()) == {1}
    await runner.shutdown()


async def test_two_endpoints_share_a_job_and_one_dying_fails_no_image(
    core, seeded, vision, fake_ollama, second_ollama
) -> None:
    fake_ollama.latency = second_ollama.latency = 0.05
    fake_ollama.parallel = second_ollama.parallel = 2
    vision["endpoints"] = [{"url": second_ollama.url, "parallel": 2}]
    runner = JobRunner(core)
    runner.start()
    job = await runner.submit(seeded.caption_set_id, parallel=2)
    await wait_until(lambda: len(second_ollama.chat_requests()) >= 2)
    second_ollama.server.stop()
    done = await wait_for_status(core, job.id, "completed", timeout=60)
    assert (done.completed_files, done.failed_files) == (12, 0)
    by_url = {e.url: e for e in done.endpoints}
    assert by_url[second_ollama.url].completed >= 1, "the second machine took part before it died"
    assert by_url[fake_ollama.url].completed + by_url[second_ollama.url].completed == 12
    assert set(revision_count(core.db, seeded.caption_set_id).values()) == {1}
    await runner.shutdown()


async def test_an_endpoint_without_the_model_is_left_out(
    core, seeded, vision, fake_ollama, second_ollama
) -> None:
    second_ollama.models = []
    vision["endpoints"] = [second_ollama.url]
    runner = JobRunner(core)
    runner.start()
    job = await runner.submit(seeded.caption_set_id)
    done = await wait_for_status(core, job.id, "completed", timeout=60)
    assert done.completed_files == 12 and not second_ollama.chat_requests()
    assert {e.url: e.status for e in done.endpoints}[second_ollama.url] == "no_model"
    await runner.shutdown()


async def test_an_unreadable_image_fails_alone(core, seeded, vision, fake_ollama) -> None:
    seeded.paths[4].write_bytes(b"not an image at all")
    runner = JobRunner(core)
    runner.start()
    job = await runner.submit(seeded.caption_set_id)
    done = await wait_for_status(core, job.id, "completed", timeout=60)
    assert (done.completed_files, done.failed_files) == (11, 1)
    assert done.failed[0].filename == "img_00004.jpg" and done.failed[0].error
    await runner.shutdown()
