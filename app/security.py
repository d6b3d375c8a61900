"""LAN access control: one access token guards every request (pages, websocket, API, files, docs).

The token (app.access_token) lives in <data-dir>/access_token unless CAPTIONFORGE_TOKEN sets it. Browsers
present it once as `?token=...` (or on the login form) and get a cookie signed with the token itself, so
rotating the token invalidates every cookie. API clients send `Authorization: Bearer <token>`.
Everything is protected, NiceGUI's own /_nicegui assets included: the login page needs none of them.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, quote, urlencode

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.access_token import COOKIE_MAX_AGE, AccessGuard
from app.ui.login_page import login_page_html

LOGIN_PATH = "/login"
MAX_FORM_BYTES = 4096
_HARDENING = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"same-origin"),
)


class AccessMiddleware:
    """Pure ASGI middleware (HTTP and websocket alike): lets a request through only with the token."""

    def __init__(self, app: ASGIApp, guard: AccessGuard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "http":
            send = _no_store(send)
        if not self.guard.enabled:
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        if scope["type"] == "http" and scope["path"] == LOGIN_PATH:
            await self._login(conn, receive, send)
            return
        address = conn.client.host if conn.client else "unknown"
        bearer = _bearer(conn)
        offered = bearer if bearer is not None else conn.query_params.get("token")
        if offered is None:  # then only the cookie can let the request in
            cookie = conn.cookies.get(cookie_name(scope))
            if not cookie or not self.guard.cookie_valid(cookie):
                message = "Access token required: open the link CaptionForge printed at start."
                await _deny(conn, send, 401, message, quiet=True)
            elif _cross_origin(conn):
                await _deny(conn, send, 403, "Cross-site request refused.")
            else:
                await self.app(scope, receive, send)
            return
        wait = self.guard.wait_seconds(address)
        if wait:
            await _deny(conn, send, 429, f"Too many wrong tokens. Try again in {wait} s.", retry_after=wait)
            return
        if not self.guard.token_matches(offered):
            self.guard.record_failure(address)
            await _deny(conn, send, 401, "Wrong access token.")
            return
        self.guard.record_success(address)
        if bearer is None and scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            await _redirect(send, _without_token(conn), self._set_cookie(scope))
            return
        await self.app(scope, receive, send)

    async def _login(self, conn: HTTPConnection, receive: Receive, send: Send) -> None:
        scope = conn.scope
        if scope["method"] != "POST":
            target = _safe_next(conn.query_params.get("next"))
            await _html(send, 200, login_page_html(target, ""))
            return
        form = dict(parse_qsl((await _read_body(receive)).decode("utf-8", "replace")))
        target = _safe_next(form.get("next"))
        address = conn.client.host if conn.client else "unknown"
        wait = self.guard.wait_seconds(address)
        if wait:
            await _html(send, 429, login_page_html(target, f"Too many wrong tokens. Try again in {wait} s."))
            return
        if not self.guard.token_matches(form.get("token", "").strip()):
            self.guard.record_failure(address)
            await _html(send, 401, login_page_html(target, "That token is not right. Check for typos."))
            return
        self.guard.record_success(address)
        await _redirect(send, target, self._set_cookie(scope))

    def _set_cookie(self, scope: Scope) -> str:
        secure = "; Secure" if scope.get("scheme") in ("https", "wss") else ""
        return (
            f"{cookie_name(scope)}={self.guard.cookie_value()}; Path=/; Max-Age={COOKIE_MAX_AGE}; "
            f"HttpOnly; SameSite=Lax{secure}"
        )


def cookie_name(scope: Scope) -> str:
    """One cookie per port: browsers share cookies across ports of one host."""
    server = scope.get("server") or ("", 0)
    return f"captionforge_access_{server[1]}"


def _bearer(conn: HTTPConnection) -> str | None:
    scheme, _, value = conn.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _cross_origin(conn: HTTPConnection) -> bool:
    """A cookie-authenticated websocket or state change must come from a page of this server."""
    if conn.scope["type"] == "http" and conn.scope["method"] in ("GET", "HEAD", "OPTIONS"):
        return False
    origin = conn.headers.get("origin")
    if not origin:
        return False
    return origin.split("://", 1)[-1].rstrip("/") != conn.headers.get("host", "")


def _without_token(conn: HTTPConnection) -> str:
    """The request's own path and query (still percent-encoded, so it is a valid Location) minus the token."""
    query = [(k, v) for k, v in conn.query_params.multi_items() if k != "token"]
    raw_path = conn.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else quote(conn.scope["path"])
    return conn.scope.get("root_path", "") + path + (f"?{urlencode(query)}" if query else "")


def _safe_next(target: str | None) -> str:
    """Only same-site paths: no open redirect through the login form."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _wants_html(conn: HTTPConnection) -> bool:
    path = conn.url.path
    if path.startswith(("/api/", "/_nicegui", "/openapi.json")):
        return False
    return "text/html" in conn.headers.get("accept", "")


async def _deny(
    conn: HTTPConnection, send: Send, status: int, message: str, retry_after: int = 0, quiet: bool = False
) -> None:
    """401/403/429: JSON for API clients, the login page for browsers, a policy close for websockets."""
    if conn.scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": message[:120]})
        return
    extra = [(b"retry-after", str(retry_after).encode())] if retry_after else []
    if _wants_html(conn):
        target = _safe_next(_without_token(conn))
        await _html(send, status, login_page_html(target, "" if quiet else message), extra)
        return
    body = json.dumps({"detail": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer"), *extra]
    await _respond(send, status, headers, body)


async def _html(send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    await _respond(
        send, status, [(b"content-type", b"text/html; charset=utf-8"), *(extra or [])], text.encode()
    )


async def _redirect(send: Send, location: str, cookie: str) -> None:
    headers = [(b"location", location.encode("latin-1", "replace")), (b"set-cookie", cookie.encode())]
    await _respond(send, 303, headers, b"")


async def _respond(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> bytes:
    body = b""
    while len(body) <= MAX_FORM_BYTES:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    return body[:MAX_FORM_BYTES]


def _no_store(send: Send) -> Send:
    """Pages and API answers must not stay in caches (responses that set their own policy keep it);
    no page may be framed by another site, no file sniffed into a script."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            names = {name.lower() for name, _ in headers}
            kind = next((v for n, v in headers if n.lower() == b"content-type"), b"")
            if b"cache-control" not in names and kind.startswith((b"text/html", b"application/json")):
                headers.append((b"cache-control", b"no-store"))
            headers += [(name, value) for name, value in _HARDENING if name not in names]
            message = {**message, "headers": headers}
        await send(message)

    return wrapped
