"""The /api/vision routes and the download registry, in-process against the fake servers."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app import models
from app.api import _domain_error
from app.api import vision as vision_api
from app.container import attach, build_services
from app.errors import CaptionForgeError
from app.vision import openai_compat
from app.vision.downloads import pull_model


@pytest.fixture
def api(core):
    app = FastAPI()
    attach(app, build_services(core))
    app.include_router(vision_api.router)
    app.add_exception_handler(CaptionForgeError, _domain_error)
    core.settings["vision"]["retry_backoff"] = 0.0
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app")


@pytest.fixture
def tracked(core, make_image):
    path = make_image("dog.jpg", size=(640, 480))
    with core.db.session() as session:
        folder = models.TrackedFolder(path=str(path.parent), name="images")
        session.add(folder)
        session.flush()
        file = models.TrackedFile(
            folder_id=folder.id,
            filename="dog.jpg",
            file_path=str(path),
            file_hash="x",
            file_size_mb=0.1,
            file_type="jpg",
            imported_caption="an old caption",
        )
        dataset = models.Dataset(name="D", name_filesystem_safe="d")
        session.add_all([file, dataset])
        session.flush()
        caption_set = models.CaptionSet(
            dataset_id=dataset.id, name="tags", style="tags", max_length=200, trigger_phrase="ohwx dog"
        )
        session.add(caption_set)
        session.flush()
        return {"file_id": file.id, "caption_set_id": caption_set.id}


async def test_models_list_statuses_and_cache(api, core, fake_ollama, dead_url) -> None:
    core.settings["vision"]["base_url"] = fake_ollama.url
    body = (await api.get("/api/vision/models")).json()
    status = {m["model_name"]: m["status_label"] for m in body["models"]}
    assert status["qwen3-vl:4b-instruct"] == "Ready" and status["qwen3-vl:8b-instruct"] == "Not downloaded"
    assert body["reachable"] is True and body["installed"] == ["qwen3-vl:4b-instruct"]
    with core.db.session() as session:
        rows = {r.model_id: r.is_available for r in session.scalars(select(models.VisionModel))}
    assert rows["qwen3-vl-4b"] is True and rows["qwen3-vl-2b"] is False
    cached = (await api.get("/api/vision/models", params={"refresh": "false"})).json()
    assert {m["status"] for m in cached["models"]} == {"ready", "not_downloaded"}

    core.settings["vision"]["model"] = "my-custom:7b"
    core.settings["vision"]["base_url"] = dead_url
    gone = (await api.post("/api/vision/models/refresh")).json()
    assert gone["reachable"] is False and "cannot connect" in gone["error"]
    assert {m["status_label"] for m in gone["models"]} == {"Backend unreachable"}
    assert gone["models"][-1]["custom"] is True and gone["models"][-1]["model_name"] == "my-custom:7b"


async def test_generate_uses_the_caption_set(api, core, fake_ollama, tracked) -> None:
    core.settings["vision"]["base_url"] = fake_ollama.url
    fake_ollama.caption = "dog, grass, dog, ball"
    response = await api.post("/api/vision/generate", json=tracked)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["caption"] == "ohwx dog, dog, grass, ball"  # trigger first, repeated tag dropped
    assert (
        result["quality_score"] == 0.82
        and result["backend"] == "ollama"
        and result["processing_time_ms"] >= 0
    )
    prompt = fake_ollama.chat_requests()[0]["body"]["messages"][0]["content"]
    assert "comma-separated tags" in prompt

    custom = {
        "file_id": tracked["file_id"],
        "style": "custom",
        "custom_prompt": "Improve: {imported_caption}",
    }
    await api.post("/api/vision/generate", json=custom)
    assert fake_ollama.chat_requests()[1]["body"]["messages"][0]["content"].startswith(
        "Improve: an old caption"
    )


async def test_generate_errors_map_to_http(api, core, fake_ollama, tracked) -> None:
    core.settings["vision"]["base_url"] = fake_ollama.url
    missing = await api.post("/api/vision/generate", json={"file_id": "nope"})
    assert missing.status_code == 404 and "No tracked file" in missing.json()["detail"]
    fake_ollama.script("thinking_only")
    thinking = await api.post("/api/vision/generate", json={"file_id": tracked["file_id"]})
    assert thinking.status_code == 502 and "budget thinking" in thinking.json()["detail"]
    core.settings["vision"]["max_retries"] = 0
    fake_ollama.script("busy_503")
    busy = await api.post("/api/vision/generate", json={"file_id": tracked["file_id"]})
    assert busy.status_code == 503


async def test_connection_check_says_what_works(api, core, fake_ollama, dead_url) -> None:
    core.settings["vision"]["base_url"] = fake_ollama.url
    good = (await api.post("/api/vision/test-connection", json={})).json()
    assert good["ok"] and [c["check"] for c in good["checks"]] == ["Server", "Model", "Vision"]
    fake_ollama.models.append("qwen3-vl:8b")
    thinking = (await api.post("/api/vision/test-connection", json={"model": "qwen3-vl:8b"})).json()
    assert not thinking["ok"] and "-instruct" in thinking["checks"][-1]["detail"]
    absent = (await api.post("/api/vision/test-connection", json={"model": "qwen3-vl:2b-instruct"})).json()
    assert absent["checks"][-1] == {
        "check": "Model",
        "ok": False,
        "detail": "qwen3-vl:2b-instruct is not downloaded. Use Download, or pick one of: qwen3-vl:4b-instruct, qwen3-vl:8b",
    }
    core.settings["vision"]["base_url"] = dead_url
    gone = (await api.post("/api/vision/test-connection", json={})).json()
    assert gone["checks"][0]["check"] == "Server" and not gone["checks"][0]["ok"]


async def test_download_progress_stream_and_record(api, core, fake_ollama) -> None:
    core.settings["vision"]["base_url"] = fake_ollama.url
    fake_ollama.pull_delay = 0.01
    started = await api.post("/api/vision/models/download", json={"model": "qwen3-vl:8b-instruct"})
    assert started.status_code == 202 and started.json()["state"] == "running"
    lines = []
    async with api.stream("GET", "/api/vision/models/download/qwen3-vl:8b-instruct/stream") as stream:
        async for line in stream.aiter_lines():
            if line.startswith("data: "):
                lines.append(json.loads(line[6:]))
    assert lines[-1]["state"] == "success" and lines[-1]["percent"] == 100.0
    assert lines[-1]["total"] == 6_100_000_000
    polled = (await api.get("/api/vision/models/download/qwen3-vl:8b-instruct")).json()
    assert polled["state"] == "success"
    await asyncio.sleep(0.05)  # the success hook records the pull
    with core.db.session() as session:
        row = session.scalar(select(models.VisionModel).where(models.VisionModel.model_id == "qwen3-vl-8b"))
    assert row.pulled_at is not None and row.is_available


async def test_download_cancel_stops_the_pull(api, core, fake_ollama) -> None:
    core.settings["vision"]["base_url"] = fake_ollama.url
    fake_ollama.pull_delay = 0.2
    await api.post("/api/vision/models/download", json={"model": "qwen3-vl:2b-instruct"})
    await asyncio.sleep(0.3)
    assert (await api.post("/api/vision/models/download/qwen3-vl:2b-instruct/cancel")).json() == {
        "cancelled": True
    }
    await asyncio.sleep(0.1)
    state = (await api.get("/api/vision/models/download/qwen3-vl:2b-instruct")).json()
    assert state["state"] == "cancelled"
    for _ in range(50):
        if fake_ollama.pulls_cancelled:
            break
        await asyncio.sleep(0.05)
    assert fake_ollama.pulls_cancelled == 1 and "qwen3-vl:2b-instruct" not in fake_ollama.models


@pytest.mark.parametrize(
    ("model", "failure", "kind", "words"),
    [
        ("qwen3-vl:999b", None, "unknown_tag", "not a model the server can download"),
        ("qwen3-vl:8b-instruct", "disk_full", "disk_full", "Not enough disk space"),
        ("qwen3-vl:8b-instruct", "drop", "server_gone", "went away"),
    ],
)
async def test_ollama_download_failures_say_what_to_do(
    fake_ollama, settings, model, failure, kind, words
) -> None:
    settings["vision"].update(base_url=fake_ollama.url, retry_backoff=0.0)
    fake_ollama.pull_failure = failure
    states = [s.as_dict() async for s in pull_model(settings, model)]
    assert (
        states[-1]["state"] == "error" and states[-1]["error_kind"] == kind and words in states[-1]["error"]
    )


async def test_lm_studio_download_endpoint_and_lms_get_fallback(fake_openai, settings, monkeypatch) -> None:
    monkeypatch.setattr(openai_compat, "POLL_INTERVAL", 0.0)
    settings["vision"].update(backend="openai", base_url=fake_openai.url, retry_backoff=0.0)
    states = [s.as_dict() async for s in pull_model(settings, "qwen/qwen3-vl-8b")]
    assert states[-1]["state"] == "success" and states[-2]["completed"] > 0
    download = next(r for r in fake_openai.requests if r["path"] == "/api/v1/models/download")
    assert download["body"] == {"model": "qwen/qwen3-vl-8b", "quantization": "Q4_K_M"}

    fake_openai.download_failure = "disk_full"
    failed = [s.as_dict() async for s in pull_model(settings, "qwen/qwen3-vl-2b")]
    assert failed[-1]["error_kind"] == "disk_full"

    fake_openai.download_api = False
    old = [s.as_dict() async for s in pull_model(settings, "qwen/qwen3-vl-30b")]
    assert old[-1]["error_kind"] == "unsupported" and old[-1]["command"] == "lms get qwen/qwen3-vl-30b"
