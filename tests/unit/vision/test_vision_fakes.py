"""The fakes checked against the official `ollama` and `openai` clients: if they cannot talk, the fake is wrong."""

from __future__ import annotations

import base64
import io
import json

import httpx
import ollama
import openai
import pytest
from PIL import Image


def _jpeg_b64(size=(64, 48)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 20, 20)).save(buffer, "JPEG")
    return base64.b64encode(buffer.getvalue()).decode()


def test_official_ollama_client_chats_lists_shows_and_pulls(fake_ollama) -> None:
    client = ollama.Client(host=fake_ollama.url)
    reply = client.chat(
        model="qwen3-vl:4b-instruct",
        messages=[{"role": "user", "content": "Caption this", "images": [_jpeg_b64()]}],
        think=False,
        format={"type": "object"},
        options={"temperature": 0.2, "num_predict": 256},
    )
    assert json.loads(reply.message.content)["caption"].startswith("a red square")
    assert reply.done_reason == "stop" and reply.eval_count > 0
    sent = fake_ollama.chat_requests()[0]
    assert sent["body"]["think"] is False and sent["images"][0]["format"] == "JPEG"

    streamed = list(
        client.chat(model="qwen3-vl:4b-instruct", messages=[{"role": "user", "content": "hi"}], stream=True)
    )
    assert "".join(c.message.content for c in streamed).startswith('{"caption"')
    assert streamed[-1].done and streamed[-1].done_reason == "stop"

    assert [m.model for m in client.list().models] == ["qwen3-vl:4b-instruct"]
    assert "vision" in client.show("qwen3-vl:4b-instruct").capabilities
    progress = list(client.pull("qwen3-vl:8b-instruct", stream=True))
    assert progress[0].status == "pulling manifest" and progress[-1].status == "success"
    assert any(p.completed for p in progress) and any(p.total and p.completed is None for p in progress)
    assert "qwen3-vl:8b-instruct" in [m.model for m in client.list().models]


def test_official_ollama_client_sees_the_real_errors(fake_ollama) -> None:
    client = ollama.Client(host=fake_ollama.url)
    with pytest.raises(ollama.ResponseError) as missing:
        client.chat(model="nope:1b", messages=[{"role": "user", "content": "hi"}])
    assert missing.value.status_code == 404 and "try pulling it first" in missing.value.error

    with pytest.raises(ollama.ResponseError) as unknown_tag:
        list(client.pull("qwen3-vl:999b", stream=True))
    assert unknown_tag.value.error == "pull model manifest: file does not exist"

    fake_ollama.script("stream_error")
    with pytest.raises(ollama.ResponseError) as mid_stream:
        list(
            client.chat(
                model="qwen3-vl:4b-instruct", messages=[{"role": "user", "content": "x"}], stream=True
            )
        )
    assert "unexpected EOF" in mid_stream.value.error

    fake_ollama.script("busy_503")
    with pytest.raises(ollama.ResponseError) as busy:
        client.chat(model="qwen3-vl:4b-instruct", messages=[{"role": "user", "content": "x"}])
    assert busy.value.status_code == 503 and "server busy" in busy.value.error

    with pytest.raises(ollama.ResponseError) as thinking:
        client.chat(model="qwen3-vl:4b-instruct", messages=[{"role": "user", "content": "x"}], think=True)
    assert "does not support thinking" in thinking.value.error


def test_ollama_rejects_a_data_url_like_the_real_server(fake_ollama) -> None:
    body = {
        "model": "qwen3-vl:4b-instruct",
        "stream": False,
        "messages": [{"role": "user", "content": "x", "images": ["data:image/jpeg;base64," + _jpeg_b64()]}],
    }
    response = httpx.post(f"{fake_ollama.url}/api/chat", json=body)
    assert response.status_code == 400
    assert response.json() == {"error": "illegal base64 data at input byte 4"}


def test_ollama_thinking_only_reply_omits_nothing_it_should_keep(fake_ollama) -> None:
    fake_ollama.script("thinking_only")
    body = {"model": "qwen3-vl:4b-instruct", "stream": False, "messages": [{"role": "user", "content": "x"}]}
    reply = httpx.post(f"{fake_ollama.url}/api/chat", json=body).json()
    assert reply["message"]["content"] == "" and reply["message"]["thinking"]
    assert reply["done_reason"] == "length"
    plain = httpx.post(f"{fake_ollama.url}/api/chat", json=body).json()
    assert "thinking" not in plain["message"]  # empty fields are omitted


def test_official_openai_client_chats_and_reads_reasoning(fake_openai) -> None:
    client = openai.OpenAI(base_url=f"{fake_openai.url}/v1", api_key="lm-studio", max_retries=0)
    fake_openai.script("reasoning")
    reply = client.chat.completions.create(
        model="qwen/qwen3-vl-4b",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "Caption this"},
                    {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64," + _jpeg_b64()}},
                ],
            }
        ],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "caption", "schema": {"type": "object"}},
        },
    )
    assert json.loads(reply.choices[0].message.content)["caption"]
    assert reply.choices[0].message.model_extra["reasoning_content"]
    assert fake_openai.chat_requests()[0]["images"][0]["format"] == "JPEG"
    assert [m.id for m in client.models.list()] == ["qwen/qwen3-vl-4b"]

    chunks = list(
        client.chat.completions.create(
            model="qwen/qwen3-vl-4b", messages=[{"role": "user", "content": "hi"}], stream=True
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text.startswith('{"caption"')


def test_official_openai_client_parses_both_error_shapes(fake_openai) -> None:
    client = openai.OpenAI(base_url=f"{fake_openai.url}/v1", api_key="x", max_retries=0)
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="nope", messages=[{"role": "user", "content": "hi"}])
    assert missing.value.code == "model_not_found"
    with pytest.raises(openai.BadRequestError) as json_object:
        client.chat.completions.create(
            model="qwen/qwen3-vl-4b",
            messages=[{"role": "user", "content": "hi"}],
            response_format={"type": "json_object"},
        )
    assert "must be 'json_schema' or 'text'" in str(json_object.value.body)  # the string error shape
    fake_openai.api_key = "secret"
    with pytest.raises(openai.AuthenticationError):
        client.models.list()


def test_lm_studio_download_endpoint_reports_progress_until_completed(fake_openai) -> None:
    start = httpx.post(f"{fake_openai.url}/api/v1/models/download", json={"model": "qwen/qwen3-vl-8b"}).json()
    assert start["status"] == "downloading" and start["total_size_bytes"] > 0
    statuses = [
        httpx.get(f"{fake_openai.url}/api/v1/models/download/status/{start['job_id']}").json()
        for _ in range(3)
    ]
    assert statuses[0]["downloaded_bytes"] < statuses[-1]["downloaded_bytes"]
    assert statuses[-1]["status"] == "completed"
    assert "qwen/qwen3-vl-8b" in fake_openai.models
    native = httpx.get(f"{fake_openai.url}/api/v0/models").json()["data"]
    assert {m["type"] for m in native} == {"vlm"}
