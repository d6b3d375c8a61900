"""The caption-job REST API on a running server: auto-generate, the SSE stream's event shapes, pause,
resume, cancel, list, and the errors a client gets."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.live_server import start_server, stop_server
from tests.job_seed import seed_data_dir

pytestmark = pytest.mark.e2e
IMAGES = 10


@pytest.fixture
def api(tmp_path: Path, fake_ollama):
    fake_ollama.latency, fake_ollama.parallel = 0.1, 2
    data_dir = tmp_path / "api-data"
    seeded = seed_data_dir(data_dir, tmp_path / "images", IMAGES, name="API")
    server = start_server(data_dir, env={"CAPTIONFORGE_VISION__BASE_URL": fake_ollama.url})
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client, seeded
    stop_server(server)


def _events(client: httpx.Client, job_id: str) -> list[tuple[str, dict]]:
    events: list[tuple[str, dict]] = []
    with client.stream("GET", f"/api/vision/jobs/{job_id}/stream", timeout=60) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        name = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[len("data: ") :])))
    return events


def test_auto_generate_streams_the_seed_event_shapes_until_completed(api) -> None:
    client, seeded = api
    started = client.post(f"/api/caption-sets/{seeded.caption_set_id}/auto-generate", json={"parallel": 2})
    assert started.status_code == 200, started.text
    body = started.json()
    assert body["status"] == "pending" and body["total_files"] == IMAGES
    assert body["estimated_time_seconds"] > 0

    events = _events(client, body["job_id"])
    names = [name for name, _ in events]
    assert names[0] == "progress" and names[-1] == "completed"
    assert names.count("caption_generated") == IMAGES
    progress = [data for name, data in events if name == "progress"]
    assert set(progress[-1]) >= {
        "job_id",
        "status",
        "completed_files",
        "total_files",
        "failed_files",
        "current_file",
        "percent_complete",
        "estimated_time_remaining_seconds",
    }
    generated = next(data for name, data in events if name == "caption_generated")
    assert set(generated) >= {"file_id", "filename", "caption", "quality_score", "processing_time_ms"}
    completed = events[-1][1]
    assert (completed["status"], completed["completed_files"], completed["failed_files"]) == (
        "completed",
        IMAGES,
        0,
    )
    assert "total_time_seconds" in completed

    listed = client.get("/api/vision/jobs").json()
    assert [job["id"] for job in listed] == [body["job_id"]]
    assert client.get("/api/vision/jobs/no-such-job").status_code == 404


def test_pause_resume_cancel_over_the_api(api) -> None:
    client, seeded = api
    job_id = client.post(
        f"/api/caption-sets/{seeded.caption_set_id}/auto-generate", json={"parallel": 1}
    ).json()["job_id"]
    paused = client.post(f"/api/vision/jobs/{job_id}/pause").json()
    assert paused["status"] in ("pausing", "paused")
    deadline = time.monotonic() + 60
    while (job := client.get(f"/api/vision/jobs/{job_id}").json())["status"] != "paused":
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    resumed = client.post(f"/api/vision/jobs/{job_id}/resume").json()
    assert resumed["status"] in ("pending", "running"), resumed
    cancelled = client.post(f"/api/vision/jobs/{job_id}/cancel").json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["completed_files"] + cancelled["remaining_files"] == IMAGES
    again = client.post(f"/api/vision/jobs/{job_id}/resume")
    assert again.status_code == 409 and "cancelled" in again.json()["detail"]
    nothing = client.post(f"/api/vision/jobs/{job_id}/retry-failed")
    assert nothing.status_code == 422


def test_nothing_to_caption_is_a_clear_422(api) -> None:
    client, seeded = api
    response = client.post(
        f"/api/caption-sets/{seeded.caption_set_id}/auto-generate", json={"file_ids": ["not-a-member"]}
    )
    assert response.status_code == 422 and "None of the selected images" in response.json()["detail"]


def test_the_plan_answers_counts_not_ids(api) -> None:
    client, seeded = api
    plan = client.post(f"/api/caption-sets/{seeded.caption_set_id}/auto-generate/plan", json={})
    assert plan.status_code == 200, plan.text
    assert plan.json() == {
        "caption_set_id": seeded.caption_set_id,
        "total": IMAGES,
        "to_caption": IMAGES,
        "skipped": 0,
        "skip_reasons": {},
        "missing": 0,
        "clips": 0,
    }
