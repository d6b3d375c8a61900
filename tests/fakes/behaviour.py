"""What both fake servers share: scripted replies, parallel slots with a bounded queue, recorded requests."""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import json
import re
import threading
from collections import deque
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from PIL import Image, ImageStat

CAPTION = "a red square with diagonal lines and a dark circle on a plain background"
QUALITY = {"sharpness": 0.9, "clarity": 0.85, "composition": 0.7, "exposure": 0.8, "overall": 0.82}
THINKING = "The user wants a caption. The image shows a red square. Let me think about the composition..."

# Scripted misbehaviours a test can queue with fake.script(...); a dict reply sets the fields directly.
MODES = (
    "ok",  # strict JSON
    "fenced",  # JSON inside ```json fences
    "prose",  # JSON with chatter around it
    "trailing_commas",  # JSON with trailing commas
    "plain",  # plain text caption, no JSON
    "preamble",  # "Here is a caption:" then the caption
    "quoted",  # the caption in quotes
    "think_block",  # <think>...</think> before the JSON
    "repetition",  # a caption stuck in a loop until the token budget ran out
    "thinking_only",  # empty content, all thinking, done_reason "length"
    "reasoning",  # good content plus a reasoning trace (LM Studio / vLLM)
    "stream_error",  # HTTP 200, some chunks, then an error line
    "error_500",  # model load failure
    "busy_503",  # queue full
    "drop",  # the connection closes mid-response
)


class Dropped(Exception):
    """Raised inside a response body to make uvicorn cut the connection."""


@dataclass
class Reply:
    content: str = ""
    thinking: str = ""
    done_reason: str = "stop"


@dataclass
class FakeState:
    """Knobs a test turns, and what the fake saw. Shared between the test thread and the server thread."""

    latency: float = 0.0  # seconds per chat request, spent while holding a slot
    parallel: int = 1  # slots; extra requests wait
    max_queue: int = 512  # waiting requests beyond this get 503
    models: list[str] = field(default_factory=list)
    caption: str = CAPTION
    requests: list[dict[str, Any]] = field(default_factory=list)
    max_active: int = 0  # the most requests generating at once
    _scripted: deque = field(default_factory=deque)
    _active: int = 0
    _waiting: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, *replies: str | dict[str, Any]) -> None:
        """Queue replies for the next chat requests (one each); afterwards replies are "ok"."""
        for reply in replies:
            if isinstance(reply, str) and reply not in MODES:
                raise ValueError(f"unknown mode {reply!r}; known: {', '.join(MODES)}")
            self._scripted.append(reply)

    def next_mode(self) -> str | dict[str, Any]:
        with self._lock:
            return self._scripted.popleft() if self._scripted else "ok"

    def record(
        self,
        path: str,
        body: Any,
        headers: dict[str, str],
        images: list[dict] | None = None,
        peer: Any = None,
    ) -> None:
        """Keep a request; `peer` is the client's (host, port): one port per connection it opened."""
        with self._lock:
            self.requests.append(
                {
                    "path": path,
                    "body": body,
                    "headers": headers,
                    "images": images if images is not None else [],
                    "peer": tuple(peer) if peer else None,
                }
            )

    def chat_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] in ("/api/chat", "/v1/chat/completions")]

    @asynccontextmanager
    async def slot(self):
        """Hold one of `parallel` slots for the latency; raises Busy when the queue is full."""
        if self._waiting >= self.max_queue and self._active >= self.parallel:
            raise Busy
        self._waiting += 1
        try:
            while self._active >= self.parallel:
                await asyncio.sleep(0.005)
        finally:
            self._waiting -= 1
        self._active += 1
        self.max_active = max(self.max_active, self._active)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            yield
        finally:
            self._active -= 1


class Busy(Exception):
    """The fake's queue is full."""


def reply_for(mode: str | dict[str, Any], caption: str) -> Reply:
    """The model output a scripted mode stands for."""
    if isinstance(mode, dict):
        return Reply(**mode)
    doc = {"caption": caption, "quality": QUALITY, "flags": []}
    strict = json.dumps(doc)
    if mode == "fenced":
        return Reply(f"```json\n{json.dumps(doc, indent=2)}\n```")
    if mode == "prose":
        return Reply(f"Sure! Here is the analysis of the image:\n{strict}\nLet me know if you need more.")
    if mode == "trailing_commas":
        text = json.dumps(doc, indent=1).replace('"overall": 0.82', '"overall": 0.82,').replace("[]", "[],")
        return Reply(text)
    if mode == "plain":
        return Reply(caption[0].upper() + caption[1:] + ".")
    if mode == "preamble":
        return Reply(f"Here is a caption for the image:\n\n{caption[0].upper() + caption[1:]}.")
    if mode == "quoted":
        return Reply(f'"{caption}"')
    if mode == "think_block":
        return Reply(f"<think>{THINKING}</think>\n{strict}")
    if mode == "repetition":
        return Reply(caption + ", red square" * 80, done_reason="length")
    if mode == "thinking_only":
        return Reply("", thinking=THINKING * 20, done_reason="length")
    if mode == "reasoning":
        return Reply(strict, thinking=THINKING)
    return Reply(strict)


def inspect_image(raw: bytes) -> dict[str, Any]:
    """Format, size and byte count of an image the client sent."""
    try:
        with Image.open(io.BytesIO(raw)) as image:
            size = image.size
            # The mean colour of a JPEG from its DC coefficients (a 1/8 draft): the full decode cost the
            # fake ~28 ms per 1024x768 image, which the caption benchmarks counted against the client.
            image.draft("RGB", (max(1, size[0] // 8), max(1, size[1] // 8)))
            return {
                "format": image.format,
                "width": size[0],
                "height": size[1],
                "bytes": len(raw),
                "exif_orientation": image.getexif().get(0x0112),
                # the average colour: tests tell a video's frames apart (and their order) by it
                "mean_rgb": tuple(round(v) for v in ImageStat.Stat(image.convert("RGB")).mean),
            }
    except Exception as exc:  # noqa: BLE001 - a fake records whatever it got
        return {"format": None, "bytes": len(raw), "error": str(exc)}


_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=]")


def go_base64_error(text: str) -> str | None:
    """Go's encoding/base64 error for a string, or None when it decodes (Ollama validates `images` this way)."""
    return decode_go_base64(text)[1]


def decode_go_base64(text: str) -> tuple[bytes, str | None]:
    """(the bytes, None), or (b"", Go's encoding/base64 error) for a string that does not decode.

    One strict C decode; the regular expression only runs to place an error. Go checks at memory speed,
    and every millisecond of fake CPU per image is counted against the client by the caption benchmarks.
    """
    try:
        return base64.b64decode(text, validate=True), None
    except binascii.Error:
        if illegal := _NOT_BASE64.search(text):
            return b"", f"illegal base64 data at input byte {illegal.start()}"
        return b"", f"illegal base64 data at input byte {max(0, len(text) - 1)}"
