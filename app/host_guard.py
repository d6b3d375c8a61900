"""DNS rebinding and cross-site request protection, for every request before the access check.

- Host allow-list: localhost, 127.0.0.1, [::1] and the configured host; in LAN mode also the machine's
  hostname and addresses and `server.allowed_hosts`. Any other Host header gets 400 (a rebinding page
  sends its own name as Host), Starlette's TrustedHostMiddleware semantics, extended to websockets.
- Origin check: POST/PUT/PATCH/DELETE, the websocket handshake (NiceGUI's socket.io) and the folder
  browser refuse an Origin that is not this server's own with 403. Requests without Origin (scripts,
  the native window's first load) pass; `Origin: null` (sandboxed frames, file pages) does not.
"""

from __future__ import annotations

import contextlib
import json
import socket

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
LOGIN_PATH = "/login"
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
ORIGIN_CHECKED_PATHS = ("/api/folders/browse",)


def allowed_hosts(settings, lan: bool) -> set[str]:
    """Host names (lower case, IPv6 without brackets) this server answers to."""
    server = settings["server"]
    hosts = {*LOOPBACK_HOSTS, str(server["host"]).strip("[]").lower()}
    if lan:
        hosts.update(str(h).strip("[]").lower() for h in (server.get("allowed_hosts") or []))
        hosts.update(_machine_names())
    hosts.discard("0.0.0.0")
    hosts.discard("::")
    return {h for h in hosts if h}


def _machine_names() -> set[str]:
    names = {socket.gethostname().lower(), socket.getfqdn().lower()}
    for name in list(names):
        with contextlib.suppress(OSError):
            names.update(info[4][0].split("%")[0].lower() for info in socket.getaddrinfo(name, None))
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:  # the LAN address, no packet sent
            probe.connect(("10.255.255.255", 1))
            names.add(probe.getsockname()[0])
    except OSError:
        pass
    return names


def host_name(host_header: str) -> str:
    """'Example.com:8080' -> 'example.com'; '[::1]:8080' -> '::1'. Malformed -> ''."""
    value = host_header.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0 or value[end + 1 :] not in ("",) and not value[end + 1 :].startswith(":"):
            return ""
        return value[1:end]
    name, _, port = value.partition(":")
    if port and not port.isdigit():
        return ""
    return name


def same_origin(origin: str, host_header: str) -> bool:
    """The Origin (scheme://host[:port]) names exactly the Host this request was sent to."""
    scheme, sep, rest = origin.strip().partition("://")
    if not sep or scheme.lower() not in ("http", "https") or "/" in rest.rstrip("/"):
        return False
    return rest.rstrip("/").lower() == host_header.strip().lower()


class HostOriginMiddleware:
    """Pure ASGI: 400 for a Host not on the list, 403 for a foreign Origin on what it guards."""

    def __init__(self, app: ASGIApp, hosts: set[str]) -> None:
        self.app = app
        self.hosts = {h.lower() for h in hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if host_name(host) not in self.hosts:
            await _refuse(scope, send, 400, "Invalid host header: open CaptionForge by its own address.")
            return
        origin = headers.get("origin")
        if origin is not None and _origin_checked(scope) and not same_origin(origin, host):
            await _refuse(
                scope, send, 403, "Cross-site request refused: this page is not CaptionForge's own."
            )
            return
        await self.app(scope, receive, send)


def _origin_checked(scope: Scope) -> bool:
    if scope["type"] == "websocket":
        return True
    if scope["path"] == LOGIN_PATH:  # its page sends no referrer, so Chromium posts `Origin: null`;
        return False  # a foreign page can post it only with the token it does not know
    if scope["method"] in UNSAFE_METHODS:
        return True
    return scope["path"].startswith(ORIGIN_CHECKED_PATHS) or (
        scope["path"].startswith("/_nicegui_ws") or "socket.io" in scope["path"]
    )


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": message[:120]})
        return
    body = json.dumps({"detail": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
