"""Caption jobs survive the process: kill -9 mid-run, restart, resume: one caption per file, none lost."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from app.config import load_settings
from app.core import build_core
from app.services.caption_jobs import caption_jobs
from tests.e2e.live_server import start_server, stop_server
from tests.job_seed import captions_of, revision_count, seed_data_dir

pytestmark = pytest.mark.e2e
IMAGES = 30


def _seed(data_dir: Path, images: Path) -> str:
    return seed_data_dir(data_dir, images, IMAGES).caption_set_id


def _open_db(data_dir: Path):
    return build_core(load_settings(data_dir)).db


def _wait_job(url: str, job_id: str, predicate, timeout: float = 90.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = httpx.get(f"{url}/api/vision/jobs/{job_id}", timeout=10).json()
        if predicate(job):
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job did not get there: {job}")
        time.sleep(0.1)


@pytest.mark.parametrize("auto_resume", [False, True], ids=["resume-click", "auto-resume"])
def test_kill_9_mid_run_then_resume_captions_each_file_exactly_once(
    tmp_path, fake_ollama, auto_resume
) -> None:
    fake_ollama.latency, fake_ollama.parallel = 0.25, 2
    data_dir = tmp_path / "crash-data"
    caption_set_id = _seed(data_dir, tmp_path / "images")
    env = {"CAPTIONFORGE_VISION__BASE_URL": fake_ollama.url}
    server = start_server(data_dir, env=env)
    try:
        started = httpx.post(
            f"{server.url}/api/caption-sets/{caption_set_id}/auto-generate", json={"parallel": 2}, timeout=30
        )
        assert started.status_code == 200, started.text
        job_id = started.json()["job_id"]
        assert started.json()["total_files"] == IMAGES and started.json()["estimated_time_seconds"] > 0
        _wait_job(server.url, job_id, lambda j: j["completed_files"] >= 5)
    finally:
        server.process.kill()  # SIGKILL: no shutdown hook runs
        server.process.wait(timeout=10)

    db = _open_db(data_dir)
    before_restart = captions_of(db, caption_set_id)
    job = caption_jobs.get_job(db, job_id)
    assert job.status == "running", "a kill -9 leaves the row as it was"
    assert job.completed_files == len(before_restart) >= 5, "every committed caption is counted"
    assert job.remaining_files + len(before_restart) == IMAGES
    db.dispose()

    if auto_resume:
        env["CAPTIONFORGE_VISION__AUTO_RESUME_JOBS"] = "true"
    server = start_server(data_dir, env=env)
    try:
        if not auto_resume:
            job = httpx.get(f"{server.url}/api/vision/jobs/{job_id}", timeout=10).json()
            assert job["status"] == "interrupted"
            assert httpx.post(f"{server.url}/api/vision/jobs/{job_id}/resume", timeout=10).status_code == 200
        done = _wait_job(server.url, job_id, lambda j: j["status"] in ("completed", "failed", "paused"))
        assert (done["status"], done["completed_files"], done["failed_files"]) == ("completed", IMAGES, 0)
    finally:
        stop_server(server)

    db = _open_db(data_dir)
    after = captions_of(db, caption_set_id)
    assert len(after) == IMAGES
    assert set(revision_count(db, caption_set_id).values()) == {1}, "no file was captioned twice"
    for file_id, caption in before_restart.items():
        assert after[file_id]["modified_date"] == caption["modified_date"], (
            "finished captions were kept as they were"
        )
    db.dispose()


def test_stopping_the_app_marks_a_running_job_interrupted(tmp_path, fake_ollama) -> None:
    fake_ollama.latency, fake_ollama.parallel = 0.25, 2
    data_dir = tmp_path / "stop-data"
    caption_set_id = _seed(data_dir, tmp_path / "images")
    server = start_server(data_dir, env={"CAPTIONFORGE_VISION__BASE_URL": fake_ollama.url})
    try:
        job_id = httpx.post(
            f"{server.url}/api/caption-sets/{caption_set_id}/auto-generate", json={"parallel": 2}, timeout=30
        ).json()["job_id"]
        _wait_job(server.url, job_id, lambda j: j["completed_files"] >= 3)
    finally:
        stop_server(server)  # SIGTERM: the shutdown hook runs
    db = _open_db(data_dir)
    job = caption_jobs.get_job(db, job_id)
    assert job.status == "interrupted"
    assert job.completed_files == len(captions_of(db, caption_set_id))
    assert job.completed_files + job.remaining_files == IMAGES
    db.dispose()
