"""OpenAI-compatible backend (LM Studio, llama.cpp's llama-server, vLLM, koboldcpp): /v1/chat/completions
with a data-URL image and a json_schema response_format, /v1/models, and LM Studio's download API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from app.vision.catalog import pull_command
from app.vision.errors import BackendRejected, DownloadFailed, DownloadUnsupported, ModelNotFound
from app.vision.imaging import PreparedImage, as_list
from app.vision.prompts import CAPTION_SCHEMA
from app.vision.replies import RawReply
from app.vision.transport import Connection, request

POLL_INTERVAL = 1.0  # seconds between download status polls


class OpenAICompatBackend:
    """One OpenAI-compatible server."""

    name = "openai"

    def __init__(self, connection: Connection, vision: dict[str, Any]) -> None:
        self.connection = connection
        self.vision = vision

    async def chat(self, model: str, prompt: str, image: PreparedImage | list[PreparedImage]) -> RawReply:
        """One caption request (a video's frames as several image parts, in time order). A server without
        json_schema support is asked again without it."""
        body: dict[str, Any] = {
            "model": model,
            "messages": [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": prompt},
                        *(
                            {"type": "image_url", "image_url": {"url": one.data_url}}
                            for one in as_list(image)
                        ),
                    ],
                }
            ],
            "temperature": float(self.vision.get("temperature", 0.2)),
            "max_tokens": int(self.vision.get("max_tokens", 1024)),
            "stream": False,
            # json_schema, never json_object: LM Studio rejects json_object.
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "caption", "strict": True, "schema": CAPTION_SCHEMA},
            },
        }
        async with self.connection.client() as client:
            try:
                response = await request(client, self.connection, "POST", "/v1/chat/completions", json=body)
            except BackendRejected as exc:
                if "response_format" not in str(exc) and "json_schema" not in str(exc):
                    raise
                body.pop("response_format")  # the prompt still asks for JSON; the parser copes
                response = await request(client, self.connection, "POST", "/v1/chat/completions", json=body)
        return _reply(response.json())

    async def installed_models(self) -> dict[str, int | None]:
        """Model ids the server offers (one quick try: no retries)."""
        async with self.connection.client(read_timeout=30) as client:
            response = await request(client, self.connection, "GET", "/v1/models", retries=False)
        return {m["id"]: None for m in response.json().get("data", [])}

    async def server_version(self) -> str:
        """What kind of server this is: LM Studio answers /api/v0/models."""
        async with self.connection.client(read_timeout=30) as client:
            try:
                await request(client, self.connection, "GET", "/api/v0/models", retries=False)
            except (ModelNotFound, BackendRejected):
                return "OpenAI-compatible server"
        return "LM Studio"

    async def capabilities(self, model: str) -> list[str]:
        """["vision"] when LM Studio's native API says the model is a VLM; [] when unknown."""
        async with self.connection.client(read_timeout=30) as client:
            try:
                response = await request(client, self.connection, "GET", "/api/v0/models", retries=False)
            except (ModelNotFound, BackendRejected):
                return []
        for entry in response.json().get("data", []):
            if entry.get("id") == model:
                return ["vision"] if entry.get("type") == "vlm" else ["completion"]
        return []

    async def pull(self, model: str, quantization: str | None = None) -> AsyncIterator[dict[str, Any]]:
        """LM Studio's download API as Ollama-like events ({status, total, completed, speed}).

        Raises DownloadUnsupported (with the `lms get` command) when the server has no download API."""
        body = {"model": model, **({"quantization": quantization} if quantization else {})}
        async with self.connection.client() as client:
            try:
                started = await request(client, self.connection, "POST", "/api/v1/models/download", json=body)
            except (ModelNotFound, BackendRejected) as exc:
                text = str(exc).lower()
                if (
                    isinstance(exc, ModelNotFound)
                    and "unexpected endpoint" not in text
                    and not text.startswith("not found")
                ):
                    raise DownloadFailed(f"pull model manifest: file does not exist ({exc})") from None
                raise DownloadUnsupported(
                    "This server cannot download models itself.", pull_command("openai", model)
                ) from None
            job = started.json()
            if job.get("status") in ("already_downloaded", "completed"):
                yield {"status": "success"}
                return
            total = job.get("total_size_bytes")
            yield {"status": "downloading", "total": total, "completed": 0}
            while True:
                await asyncio.sleep(POLL_INTERVAL)
                path = f"/api/v1/models/download/status/{job['job_id']}"
                status = (await request(client, self.connection, "GET", path)).json()
                if status.get("status") == "failed":
                    raise DownloadFailed(status.get("error") or "the download failed")
                yield {
                    "status": "downloading",
                    "total": status.get("total_size_bytes") or total,
                    "completed": status.get("downloaded_bytes"),
                    "speed": status.get("bytes_per_second"),
                }
                if status.get("status") == "completed":
                    yield {"status": "success"}
                    return


def _reply(data: dict[str, Any]) -> RawReply:
    choice = (data.get("choices") or [{}])[0]
    message = choice.get("message") or {}
    reasoning = message.get("reasoning_content") or message.get("reasoning") or ""
    finish = choice.get("finish_reason")
    return RawReply(message.get("content") or "", reasoning, finish, dict(data.get("usage") or {}))
