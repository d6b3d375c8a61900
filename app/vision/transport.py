"""HTTP to a vision server: short connect timeout, long read timeout, retries with backoff on connect
errors, dropped connections, 429 and 5xx; never on other 4xx, which become a clear error at once."""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import ssl
import weakref
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import httpx

from app.errors import BackendUnavailable
from app.vision.errors import BackendRejected, ModelNotFound

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Connection:
    """Where and how to reach one server (from the vision settings)."""

    base_url: str
    connect_timeout: float = 5.0
    read_timeout: float = 600.0
    max_retries: int = 3
    retry_backoff: float = 1.0  # seconds before the first retry; doubles each time
    api_key: str = ""

    @classmethod
    def from_settings(cls, vision: dict[str, Any], base_url: str | None = None) -> Connection:
        return cls(
            base_url=(base_url or vision["base_url"]).rstrip("/"),
            connect_timeout=float(vision.get("connect_timeout", 5)),
            read_timeout=float(vision.get("read_timeout", 600)),
            max_retries=int(vision.get("max_retries", 3)),
            retry_backoff=float(vision.get("retry_backoff", 1.0)),
            api_key=vision.get("api_key") or "",
        )

    def client(self, read_timeout: float | None = None) -> AbstractAsyncContextManager[httpx.AsyncClient]:
        """This server's pooled client for the running event loop (`async with`; it stays open).

        Keeping connections alive saves a connect per caption: ~3 ms alone, more with 4 slots busy.
        """
        key = (self.base_url, read_timeout or self.read_timeout, self.connect_timeout, self.api_key)
        clients = _CLIENTS.setdefault(asyncio.get_running_loop(), {})
        pooled = clients.get(key)
        if pooled is None or pooled.is_closed:
            timeout = httpx.Timeout(key[1], connect=self.connect_timeout)
            headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
            pooled = clients[key] = httpx.AsyncClient(
                base_url=self.base_url, timeout=timeout, headers=headers, verify=_ssl_context()
            )
        return nullcontext(pooled)


# Per event loop: a client's connections belong to the loop that opened them (tests run many loops).
_CLIENTS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple, httpx.AsyncClient]] = (
    weakref.WeakKeyDictionary()
)


async def close_clients() -> None:
    """Close the pooled clients of the running loop (app shutdown)."""
    clients = _CLIENTS.pop(asyncio.get_running_loop(), {})
    for pooled in clients.values():
        await pooled.aclose()


async def request(
    client: httpx.AsyncClient,
    connection: Connection,
    method: str,
    path: str,
    *,
    json: Any = None,
    retries: bool = True,
) -> httpx.Response:
    """Send with retries; returns a 2xx/3xx response. Raises BackendUnavailable (gone, timed out, 5xx after
    retries), ModelNotFound (404) or BackendRejected (other 4xx)."""
    attempts = connection.max_retries + 1 if retries else 1
    problem = ""
    for attempt in range(attempts):
        try:
            response = await client.request(method, path, json=json)
        except httpx.TimeoutException as exc:
            if isinstance(exc, httpx.ConnectTimeout):
                problem = f"no answer from {connection.base_url} within {connection.connect_timeout:g} s"
            else:  # a read timeout is not retried: it already waited the long timeout
                raise BackendUnavailable(
                    f"{connection.base_url} did not answer within {connection.read_timeout:g} s. The first "
                    "request loads the model; raise the read timeout in Settings or try again."
                ) from None
        except httpx.ConnectError:
            problem = f"cannot connect to {connection.base_url}; is the server running"
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            problem = f"the connection to {connection.base_url} dropped ({exc.__class__.__name__})"
        else:
            if response.status_code < 400:
                return response
            message = error_message(response)
            if response.status_code < 500 and response.status_code != 429:
                raise rejection(response.status_code, message)
            problem = f"{connection.base_url} answered {response.status_code}: {message}"
        if attempt + 1 < attempts:
            delay = connection.retry_backoff * 2**attempt
            log.info("vision request %s %s failed (%s); retry in %.1f s", method, path, problem, delay)
            await asyncio.sleep(delay)
    tries = f" after {attempts} attempts" if attempts > 1 else ""
    end = "?" if problem.endswith("running") else "."
    raise BackendUnavailable(f"Vision server unavailable{tries}: {problem}{end}")


def warm_up() -> None:
    """Do ahead, in a worker thread, what the first request of a fresh app would do on the event loop:
    import httpcore (~0.2 s on a busy machine) and build the TLS context (~0.1-0.2 s)."""
    importlib.import_module("httpcore")  # what httpx imports on its first client

    _ssl_context()


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context for every client: building one costs ~0.1 s, and most servers are plain http."""
    return ssl.create_default_context()


def rejection(status: int, message: str) -> Exception:
    """The error for a 4xx answer."""
    if status == 404:
        return ModelNotFound(f"{message} (404). Download the model in Settings or choose another one.")
    if status in (401, 403):
        return BackendRejected(f"The server refused the request ({status}: {message}). Check the API key.")
    if "context length" in message.lower() or "context window" in message.lower():
        return BackendRejected(
            f"The image does not fit the model's context ({message}). Lower the max image size in Settings "
            "or load the model with a larger context length."
        )
    return BackendRejected(f"The server rejected the request ({status}): {message}")


def error_message(response: httpx.Response) -> str:
    """The message from any of the error shapes: {"error": "msg"}, {"error": {"message": ...}},
    {"object": "error", "message": ...}, {"detail": ...}, or plain text."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    return body_message(body) or response.text.strip()[:300]


def body_message(body: Any) -> str:
    """The error message inside a decoded error body ("" when there is none)."""
    if not isinstance(body, dict):
        return ""
    error = body.get("error")
    if isinstance(error, str):
        return error
    if isinstance(error, dict):
        return str(error.get("message") or error)
    if body.get("object") == "error" or "message" in body:
        return str(body.get("message", ""))
    if "detail" in body:
        return str(body["detail"])
    return ""
