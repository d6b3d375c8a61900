"""The check before a caption request: one quick try, remembered briefly, with messages that read well."""

from __future__ import annotations

import pytest

from app.errors import BackendUnavailable
from app.jobs.caption_job import CaptionJobRun
from app.vision.errors import ModelNotFound
from app.vision.reachability import ServerNotReady, ensure_ready, server_problem
from app.vision.transport import Connection, request


def vision(url: str, **extra) -> dict:
    return {"vision": {"backend": "ollama", "base_url": url, "model": "qwen3-vl:4b-instruct", **extra}}


async def test_a_dead_server_fails_at_once_and_points_to_settings(dead_url) -> None:
    with pytest.raises(ServerNotReady) as caught:
        await ensure_ready(vision(dead_url, max_retries=3, retry_backoff=30.0))
    message = str(caught.value)
    assert message.startswith(f"The vision server at {dead_url} does not answer") and "Settings" in message
    assert caught.value.http_status == 503 and caught.value.settings_url == "/settings"


async def test_the_answer_is_remembered_briefly(fake_ollama) -> None:
    await ensure_ready(vision(fake_ollama.url))
    await ensure_ready(vision(fake_ollama.url))
    assert await server_problem(vision(fake_ollama.url)) is None
    asked = [r for r in fake_ollama.requests if r["path"] == "/api/tags"]
    assert len(asked) == 1


async def test_a_missing_model_is_asked_again_then_named(fake_ollama) -> None:
    fake_ollama.models = ["llava:7b"]
    with pytest.raises(ModelNotFound, match="does not have the model qwen3-vl:4b-instruct"):
        await ensure_ready(vision(fake_ollama.url))
    fake_ollama.models = ["qwen3-vl:4b-instruct"]
    await ensure_ready(vision(fake_ollama.url))  # downloaded since: the stale answer is not kept


@pytest.mark.parametrize("retries", [0, 2])
async def test_the_unavailable_message_is_not_garbled(dead_url, retries) -> None:
    connection = Connection(dead_url, max_retries=retries, retry_backoff=0.0)
    with pytest.raises(BackendUnavailable) as caught:
        async with connection.client() as client:
            await request(client, connection, "GET", "/api/tags")
    message = str(caught.value)
    assert message.endswith("is the server running?") and "?)" not in message and ".." not in message


def test_the_job_outage_message_is_not_garbled(dead_url) -> None:
    class Endpoint:
        url, status = dead_url, "down"
        error = f"Vision server unavailable after 4 attempts: cannot connect to {dead_url}; is the server running?"

    run = CaptionJobRun.__new__(CaptionJobRun)
    run.endpoints, run._queue, run._job = [Endpoint()], ["a", "b"], {"vision_model": "m"}
    message = run._outage_message()
    assert ").)" not in message and "?)." not in message and "?." not in message
    assert message.startswith("The vision server stopped answering. Nothing was lost")
