"""The Ollama backend: /api/chat (raw base64 images, think:false, JSON-schema format), /api/tags,
/api/show, /api/version and the streamed /api/pull."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from app.errors import BackendUnavailable
from app.vision.errors import DownloadFailed
from app.vision.imaging import PreparedImage, as_list
from app.vision.prompts import CAPTION_SCHEMA
from app.vision.replies import RawReply
from app.vision.transport import Connection, body_message, error_message, rejection, request


class OllamaBackend:
    """One Ollama server."""

    name = "ollama"

    def __init__(self, connection: Connection, vision: dict[str, Any]) -> None:
        self.connection = connection
        self.vision = vision

    async def chat(self, model: str, prompt: str, image: PreparedImage | list[PreparedImage]) -> RawReply:
        """One caption request, not streamed; a video's frames go as several images of one message."""
        body = {
            "model": model,
            "messages": [
                {"role": "user", "content": prompt, "images": [one.base64 for one in as_list(image)]}
            ],
            "stream": False,
            "think": False,
            "format": CAPTION_SCHEMA,
            "keep_alive": self.vision.get("keep_alive") or "5m",
            "options": {
                "temperature": float(self.vision.get("temperature", 0.2)),
                "num_predict": int(self.vision.get("max_tokens", 1024)),
                "num_ctx": int(self.vision.get("num_ctx", 8192)),
            },
        }
        async with self.connection.client() as client:
            response = await request(client, self.connection, "POST", "/api/chat", json=body)
        return _reply(response.text, model)

    async def installed_models(self) -> dict[str, int | None]:
        """Installed model names and their sizes in bytes (one quick try: no retries)."""
        async with self.connection.client(read_timeout=30) as client:
            response = await request(client, self.connection, "GET", "/api/tags", retries=False)
        return {m.get("model") or m["name"]: m.get("size") for m in response.json().get("models", [])}

    async def server_version(self) -> str:
        async with self.connection.client(read_timeout=30) as client:
            response = await request(client, self.connection, "GET", "/api/version", retries=False)
        return f"Ollama {response.json().get('version', '?')}"

    async def capabilities(self, model: str) -> list[str]:
        """What the model can do ("vision", "thinking", ...); raises ModelNotFound."""
        async with self.connection.client(read_timeout=30) as client:
            response = await request(
                client, self.connection, "POST", "/api/show", json={"model": model}, retries=False
            )
        return list(response.json().get("capabilities") or [])

    async def pull(self, model: str) -> AsyncIterator[dict[str, Any]]:
        """Ollama's raw pull events. Raises DownloadFailed (with the server's error) or BackendUnavailable."""
        async with self.connection.client() as client:
            try:
                async with client.stream(
                    "POST", "/api/pull", json={"model": model, "stream": True}
                ) as response:
                    if response.status_code >= 400:
                        await response.aread()
                        if response.status_code >= 500:
                            raise DownloadFailed(error_message(response))
                        raise rejection(response.status_code, error_message(response))
                    async for line in response.aiter_lines():
                        if not line.strip():
                            continue
                        event = json.loads(line)
                        if "error" in event:
                            raise DownloadFailed(body_message(event))
                        yield event
            except httpx.ConnectError:
                raise BackendUnavailable(f"cannot connect to {self.connection.base_url}") from None
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.ReadTimeout) as exc:
                raise BackendUnavailable(f"the connection dropped ({exc.__class__.__name__})") from None


def _reply(text: str, model: str) -> RawReply:
    """The reply from a non-streamed body; also accepts NDJSON (a server that streamed anyway), where an
    error line inside HTTP 200 means the model failed mid-answer."""
    content, thinking, final = [], [], {}
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            chunk = json.loads(line)
        except json.JSONDecodeError:
            raise BackendUnavailable(f"Ollama sent something that is not JSON: {line[:120]}") from None
        if "error" in chunk:
            raise BackendUnavailable(f"{model} failed while answering: {body_message(chunk)}. Try again.")
        message = chunk.get("message") or {}
        content.append(message.get("content") or "")
        thinking.append(message.get("thinking") or "")
        final = chunk
    metrics = {k: v for k, v in final.items() if k.endswith(("_count", "_duration"))}
    return RawReply("".join(content), "".join(thinking), final.get("done_reason"), metrics)
