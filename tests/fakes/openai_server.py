"""A fake OpenAI-compatible server in LM Studio's flavour (see shared/reference/vision-backends.md).

/v1/models, /v1/chat/completions (JSON or SSE), LM Studio's native /api/v0/models, /api/v1/models and the
download endpoints; both error shapes; json_object rejected; reasoning in `reasoning_content` (or
`reasoning`, vLLM's name, with reasoning_field="reasoning").
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.behaviour import Busy, Dropped, FakeState, inspect_image, reply_for

NO_MODELS = "No models loaded. Please load a model in the developer page or use the `lms load` command."
JSON_OBJECT = "'response_format.type' must be 'json_schema' or 'text'"
CATALOG = {
    "qwen/qwen3-vl-2b": 1_800_000_000,
    "qwen/qwen3-vl-4b": 3_100_000_000,
    "qwen/qwen3-vl-8b": 5_900_000_000,
    "qwen/qwen3-vl-30b": 18_000_000_000,
}


@dataclass
class FakeOpenAI(FakeState):
    """Knobs beyond FakeState. `url` is set by the fixture."""

    url: str = ""
    api_key: str | None = None  # when set, requests need "Authorization: Bearer <key>"
    reasoning_field: str = "reasoning_content"
    download_api: bool = True  # False = an LM Studio before 0.4 (no download endpoint)
    catalog: dict[str, int] = field(default_factory=lambda: dict(CATALOG))
    download_steps: int = 3  # status polls until a download completes
    download_failure: str | None = None  # None | "disk_full"
    no_models_loaded: bool = False
    downloads: dict[str, dict[str, Any]] = field(default_factory=dict)

    def reset(self) -> None:
        fresh = FakeOpenAI(models=["qwen/qwen3-vl-4b"])
        for name in fresh.__dataclass_fields__:
            if name not in ("url", "_lock"):
                setattr(self, name, getattr(fresh, name))


def create_app(state: FakeOpenAI) -> Starlette:
    """The Starlette app serving `state`."""

    async def models(request: Request) -> Response:
        state.record("/v1/models", None, dict(request.headers))
        if problem := _auth(request, state):
            return problem
        data = [{"id": name, "object": "model", "owned_by": "organization_owner"} for name in state.models]
        return JSONResponse({"data": data, "object": "list"})

    async def models_v0(_request: Request) -> Response:
        data = [
            {
                "id": name,
                "object": "model",
                "type": "vlm",
                "publisher": name.split("/")[0],
                "arch": "qwen3vl",
                "compatibility_type": "gguf",
                "quantization": "Q4_K_M",
                "state": "not-loaded",
                "max_context_length": 262144,
            }
            for name in state.models
        ]
        return JSONResponse({"object": "list", "data": data})

    async def models_v1(_request: Request) -> Response:
        entries = [
            {
                "type": "llm",
                "publisher": name.split("/")[0],
                "key": name,
                "display_name": name.split("/")[-1],
                "size_bytes": state.catalog.get(name, 2_000_000_000),
                "loaded_instances": [],
                "capabilities": {"vision": True, "trained_for_tool_use": True},
            }
            for name in state.models
        ]
        return JSONResponse({"models": entries})

    async def chat(request: Request) -> Response:
        try:
            body = json.loads(await request.body() or b"{}")
        except json.JSONDecodeError:
            return _error_text(400, "Invalid JSON in request body")
        images: list[dict] = []
        state.record("/v1/chat/completions", body, dict(request.headers), images, request.client)
        if problem := _auth(request, state) or _validate(body, state, images):
            return problem
        mode = state.next_mode()
        if mode == "busy_503":
            return _error_text(503, "Server busy, please try again later")
        try:
            async with state.slot():
                if mode == "error_500":
                    return _error_text(500, "Failed to load model: error loading model")
                reply = reply_for(mode, state.caption)
                if body.get("stream") or mode == "drop":
                    return StreamingResponse(_sse(body, reply, mode, state), media_type="text/event-stream")
                return JSONResponse(_completion(body["model"], reply, state))
        except Busy:
            return _error_text(503, "Server busy, please try again later")

    async def download(request: Request) -> Response:
        if not state.download_api:
            return _error_text(404, "Unexpected endpoint or method. (POST /api/v1/models/download)")
        body = json.loads(await request.body() or b"{}")
        state.record("/api/v1/models/download", body, dict(request.headers))
        name = body.get("model", "")
        if name in state.models:
            return JSONResponse({"status": "already_downloaded"})
        if name not in state.catalog:
            return _error_object(404, f'Model "{name}" not found in the catalog', "model_not_found")
        job_id = uuid.uuid4().hex[:12]
        job = {
            "job_id": job_id,
            "model": name,
            "status": "downloading",
            "total_size_bytes": state.catalog[name],
        }
        state.downloads[job_id] = {**job, "downloaded_bytes": 0, "polls": 0}
        return JSONResponse({k: job[k] for k in ("job_id", "status", "total_size_bytes")})

    async def download_status(request: Request) -> Response:
        job = state.downloads.get(request.path_params["job_id"])
        if job is None:
            return _error_text(404, "Job not found")
        if job["status"] == "downloading":
            job["polls"] += 1
            job["downloaded_bytes"] = min(
                job["total_size_bytes"], job["total_size_bytes"] * job["polls"] // state.download_steps
            )
            if state.download_failure == "disk_full" and job["polls"] >= 2:
                job["status"] = "failed"
                job["error"] = "ENOSPC: no space left on device, write"
            elif job["downloaded_bytes"] >= job["total_size_bytes"]:
                job["status"] = "completed"
                state.models.append(job["model"])
        shown = {k: v for k, v in job.items() if k not in ("polls", "model")}
        return JSONResponse(
            {**shown, "bytes_per_second": 52_428_800 if job["status"] == "downloading" else 0}
        )

    routes = [
        Route("/v1/models", models),
        Route("/api/v0/models", models_v0),
        Route("/api/v1/models", models_v1),
        Route("/v1/chat/completions", chat, methods=["POST"]),
        Route("/api/v1/models/download", download, methods=["POST"]),
        Route("/api/v1/models/download/status/{job_id}", download_status),
    ]
    return Starlette(routes=routes)


def _validate(body: dict[str, Any], state: FakeOpenAI, images: list[dict]) -> Response | None:
    if state.no_models_loaded:
        return JSONResponse({"error": {"message": NO_MODELS}}, status_code=400)
    model = body.get("model")
    if model not in state.models:
        return _error_object(
            404,
            f'Model "{model}" not found. Please check the model name or download it first.',
            "model_not_found",
        )
    response_format = body.get("response_format") or {}
    if response_format and response_format.get("type") not in ("json_schema", "text"):
        return _error_text(400, JSON_OBJECT)
    if response_format.get("type") == "json_schema" and "schema" not in (
        response_format.get("json_schema") or {}
    ):
        return _error_text(400, "'response_format.json_schema.schema' is required")
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, str):
            continue
        for part in content or []:
            if part.get("type") != "image_url":
                continue
            url = (part.get("image_url") or {}).get("url", "")
            if not url.startswith("data:image/") or ";base64," not in url:
                return _error_text(400, "Invalid 'image_url': only base64 data URLs are supported")
            images.append(inspect_image(base64.b64decode(url.split(",", 1)[1])))
    return None


def _completion(model: str, reply: Any, state: FakeOpenAI) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.thinking:
        message[state.reasoning_field] = reply.thinking
    tokens = max(1, (len(reply.content) + len(reply.thinking)) // 4)
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:20]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "logprobs": None,
                "finish_reason": "length" if reply.done_reason == "length" else "stop",
                "message": message,
            }
        ],
        "usage": {"prompt_tokens": 412, "completion_tokens": tokens, "total_tokens": 412 + tokens},
        "stats": {},
        "system_fingerprint": model,
    }


async def _sse(body: dict[str, Any], reply: Any, mode: str, state: FakeOpenAI) -> AsyncIterator[bytes]:
    base = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:20]}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
    }
    base["model"] = body["model"]
    first = {
        **base,
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
    }
    yield _event(first)
    for piece in _pieces(reply.thinking):
        yield _event(
            {
                **base,
                "choices": [{"index": 0, "delta": {state.reasoning_field: piece}, "finish_reason": None}],
            }
        )
    for index, piece in enumerate(_pieces(reply.content)):
        if index == 2 and mode == "drop":
            raise Dropped
        if index == 2 and mode == "stream_error":
            yield _event({"error": {"message": "Model crashed during generation", "type": "server_error"}})
            return
        yield _event({**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
    reason = "length" if reply.done_reason == "length" else "stop"
    yield _event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": reason}]})
    yield b"data: [DONE]\n\n"


def _auth(request: Request, state: FakeOpenAI) -> Response | None:
    if state.api_key and request.headers.get("authorization") != f"Bearer {state.api_key}":
        return _error_object(401, "Invalid API key", "invalid_api_key")
    return None


def _pieces(text: str, size: int = 12) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _event(obj: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(obj)}\n\n".encode()


def _error_text(status: int, message: str) -> JSONResponse:
    """LM Studio's first error shape: {"error": "msg"}."""
    return JSONResponse({"error": message}, status_code=status)


def _error_object(status: int, message: str, code: str) -> JSONResponse:
    """LM Studio's second error shape: {"error": {"message", "type", "param", "code"}}."""
    error = {"message": message, "type": "invalid_request_error", "param": "model", "code": code}
    return JSONResponse({"error": error}, status_code=status)
