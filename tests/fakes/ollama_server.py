"""A fake Ollama server speaking the real wire protocol (see shared/reference/vision-backends.md).

NDJSON streaming by default, one JSON object with "stream": false, empty fields omitted, errors as
{"error": "..."} with Ollama's status codes and texts, raw-base64 image validation, /api/pull progress.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.behaviour import Busy, Dropped, FakeState, decode_go_base64, inspect_image, reply_for

BUSY = "server busy, please try again.  maximum pending requests exceeded"
LOAD_FAILURE = "llama runner process has terminated: exit status 2"
STREAM_FAILURE = "an error was encountered while running the model: unexpected EOF"
DISK_FULL = "write /root/.ollama/models/blobs/sha256-0533d7-partial: no space left on device"
# Tags the fake "library" can pull, with their sizes in bytes.
LIBRARY = {
    "qwen3-vl:2b-instruct": 1_900_000_000,
    "qwen3-vl:4b-instruct": 3_300_000_000,
    "qwen3-vl:8b-instruct": 6_100_000_000,
    "qwen3-vl:30b-a3b-instruct": 19_000_000_000,
    "qwen3-vl:2b": 1_900_000_000,
    "qwen3-vl:4b": 3_300_000_000,
    "qwen3-vl:8b": 6_100_000_000,
}


@dataclass
class FakeOllama(FakeState):
    """Knobs beyond FakeState: pull behaviour. `url` is set by the fixture."""

    url: str = ""
    library: dict[str, int] = field(default_factory=lambda: dict(LIBRARY))
    pull_steps: int = 4  # progress lines per layer
    pull_delay: float = 0.0  # seconds between pull lines
    pull_failure: str | None = None  # None | "disk_full" | "drop"
    pulls_cancelled: int = 0

    def reset(self) -> None:
        fresh = FakeOllama(models=["qwen3-vl:4b-instruct"])
        for name in fresh.__dataclass_fields__:
            if name not in ("url", "_lock"):
                setattr(self, name, getattr(fresh, name))


def create_app(state: FakeOllama) -> Starlette:
    """The Starlette app serving `state`."""

    async def root(_request: Request) -> Response:
        return PlainTextResponse("Ollama is running")

    async def version(_request: Request) -> Response:
        return JSONResponse({"version": "0.33.0"})

    async def tags(request: Request) -> Response:
        state.record("/api/tags", None, dict(request.headers))
        return JSONResponse({"models": [_model_entry(name, state) for name in state.models]})

    async def ps(_request: Request) -> Response:
        return JSONResponse({"models": []})

    async def show(request: Request) -> Response:
        body = await _body(request)
        if isinstance(body, Response):
            return body
        name = _full(body.get("model") or body.get("name") or "")
        if name not in [_full(m) for m in state.models]:
            return _error(404, f"model '{body.get('model')}' not found")
        return JSONResponse(
            {
                "modelfile": f"FROM {name}",
                "template": "{{ .Prompt }}",
                "details": _model_entry(name, state)["details"],
                "model_info": {"general.architecture": "qwen3vl"},
                "capabilities": _capabilities(name),
                "modified_at": _now(),
            }
        )

    async def chat(request: Request) -> Response:
        body = await _body(request)
        if isinstance(body, Response):
            return body
        images: list[dict] = []
        problem = _validate_chat(body, state, images)
        state.record("/api/chat", body, dict(request.headers), images, request.client)
        if problem:
            return problem
        model = body["model"]
        stream = body.get("stream", True)
        if not body.get("messages"):
            return JSONResponse(_final(model, "", "", "load", metrics=False))
        mode = state.next_mode()
        if mode == "busy_503":
            return _error(503, BUSY)
        try:
            async with state.slot():
                if mode == "error_500":
                    return _error(500, LOAD_FAILURE)
                reply = reply_for(mode, state.caption)
                if mode == "stream_error" and not stream:
                    return _error(500, STREAM_FAILURE)
                if stream or mode == "drop":
                    return StreamingResponse(
                        _chat_lines(model, reply, mode, stream), media_type="application/x-ndjson"
                    )
                return JSONResponse(_final(model, reply.content, reply.thinking, reply.done_reason))
        except Busy:
            return _error(503, BUSY)

    async def pull(request: Request) -> Response:
        body = await _body(request)
        if isinstance(body, Response):
            return body
        state.record("/api/pull", body, dict(request.headers))
        model = body.get("model") or body.get("name") or ""
        if body.get("stream", True):
            return StreamingResponse(_ndjson(_pull_events(model, state)), media_type="application/x-ndjson")
        last: dict[str, Any] = {}
        async for event in _pull_events(model, state):
            last = event
            if "error" in event:
                return _error(500, event["error"])
        return JSONResponse(last)

    routes = [
        Route("/", root),
        Route("/api/version", version),
        Route("/api/tags", tags),
        Route("/api/ps", ps),
        Route("/api/show", show, methods=["POST"]),
        Route("/api/chat", chat, methods=["POST"]),
        Route("/api/pull", pull, methods=["POST"]),
    ]
    return Starlette(routes=routes)


def _validate_chat(body: dict[str, Any], state: FakeOllama, images: list[dict]) -> Response | None:
    model = body.get("model")
    if not model:
        return _error(400, "model is required")
    if _full(model) not in [_full(m) for m in state.models]:
        return _error(404, f'model "{model}" not found, try pulling it first')
    for message in body.get("messages") or []:
        if not isinstance(message.get("content", ""), str):
            return _error(
                400,
                "json: cannot unmarshal array into Go struct field ChatRequest.messages.content of type string",
            )
        for image in message.get("images") or []:
            raw, problem = decode_go_base64(image)
            if problem:
                return _error(400, problem)
            images.append(inspect_image(raw))
    if body.get("think") is True and "thinking" not in _capabilities(model):
        return _error(400, f'"{model}" does not support thinking')
    return None


async def _chat_lines(model: str, reply: Any, mode: str, stream: bool) -> AsyncIterator[bytes]:
    if not stream:  # a non-streamed reply cut in the middle
        text = json.dumps(_final(model, reply.content, reply.thinking, reply.done_reason))
        yield text[: len(text) // 2].encode()
        raise Dropped
    for piece in _pieces(reply.thinking):
        yield _line({"model": model, "created_at": _now(), "message": _message("", piece), "done": False})
    for index, piece in enumerate(_pieces(reply.content)):
        if mode in ("stream_error", "drop") and index == 2:
            if mode == "drop":
                raise Dropped
            yield _line({"error": STREAM_FAILURE})
            return
        yield _line({"model": model, "created_at": _now(), "message": _message(piece, ""), "done": False})
    yield _line(_final(model, "", "", reply.done_reason))


async def _pull_events(model: str, state: FakeOllama) -> AsyncIterator[dict[str, Any]]:
    try:
        yield {"status": "pulling manifest"}
        await asyncio.sleep(state.pull_delay)
        if _full(model) not in [_full(m) for m in state.library]:
            yield {"error": "pull model manifest: file does not exist"}
            return
        size = state.library[_full(model)] if _full(model) in state.library else state.library[model]
        layers = [int(size * 0.93), int(size * 0.07) - 1000, 600, 400]
        for number, total in enumerate(layers):
            digest = "sha256:" + hashlib.sha256(f"{model}{number}".encode()).hexdigest()
            name = f"pulling {digest[7:19]}"
            yield {"status": name, "digest": digest, "total": total}  # `completed` missing early
            for step in range(1, state.pull_steps + 1):
                await asyncio.sleep(state.pull_delay)
                if number == 0 and step == 2 and state.pull_failure == "disk_full":
                    yield {"error": DISK_FULL}
                    return
                if number == 0 and step == 2 and state.pull_failure == "drop":
                    raise Dropped
                yield {
                    "status": name,
                    "digest": digest,
                    "total": total,
                    "completed": total * step // state.pull_steps,
                }
        for status in ("verifying sha256 digest", "writing manifest", "success"):
            yield {"status": status}
        if model not in state.models:
            state.models.append(model)
    except (asyncio.CancelledError, GeneratorExit):
        state.pulls_cancelled += 1
        raise


async def _ndjson(events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    async for event in events:
        yield _line(event)


def _final(model: str, content: str, thinking: str, done_reason: str, metrics: bool = True) -> dict[str, Any]:
    final: dict[str, Any] = {
        "model": model,
        "created_at": _now(),
        "message": _message(content, thinking),
        "done": True,
        "done_reason": done_reason,
    }
    if metrics:
        final.update(
            total_duration=1_200_000_000,
            load_duration=300_000_000,
            prompt_eval_count=412,
            prompt_eval_duration=200_000_000,
            eval_count=max(1, (len(content) + len(thinking)) // 4),
            eval_duration=700_000_000,
        )
    return final


def _message(content: str, thinking: str) -> dict[str, Any]:
    message = {"role": "assistant", "content": content}
    if thinking:  # empty fields are omitted on the wire
        message["thinking"] = thinking
    return message


def _model_entry(name: str, state: FakeOllama) -> dict[str, Any]:
    size = state.library.get(_full(name), state.library.get(name, 2_000_000_000))
    return {
        "name": name,
        "model": name,
        "modified_at": _now(),
        "size": size,
        "digest": hashlib.sha256(name.encode()).hexdigest(),
        "details": {
            "parent_model": "",
            "format": "gguf",
            "family": "qwen3vl",
            "families": ["qwen3vl"],
            "parameter_size": "4.4B",
            "quantization_level": "Q4_K_M",
        },
    }


def _capabilities(name: str) -> list[str]:
    return ["completion", "vision"] if "instruct" in name else ["completion", "vision", "thinking"]


async def _body(request: Request) -> dict[str, Any] | Response:
    try:
        body = json.loads(await request.body() or b"{}")
    except json.JSONDecodeError as exc:
        return _error(400, f"invalid character at offset {exc.pos}")
    if not isinstance(body, dict):
        return _error(400, "json: cannot unmarshal into Go value of type api.ChatRequest")
    return body


def _full(name: str) -> str:
    return name if ":" in name else f"{name}:latest"


def _pieces(text: str, size: int = 12) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _line(obj: dict[str, Any]) -> bytes:
    return (json.dumps(obj) + "\n").encode()


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
