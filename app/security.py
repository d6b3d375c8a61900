"""LAN access control: one access token guards every request (pages, websocket, API, files, docs).

The token lives in <data-dir>/access_token (created once) unless CAPTIONFORGE_TOKEN sets it. Browsers
present it once as `?token=...` (or on the login form) and get a cookie signed with the token itself, so
rotating the token invalidates every cookie. API clients send `Authorization: Bearer <token>`.
Everything is protected, NiceGUI's own /_nicegui assets included: the login page needs none of them.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import secret_file
from app.errors import Invalid
from app.ui.pages.login import login_page_html

TOKEN_ENV = "CAPTIONFORGE_TOKEN"
TOKEN_FILE = "access_token"
LOGIN_PATH = "/login"
COOKIE_MAX_AGE = 30 * 24 * 3600
MAX_FAILURES = 5  # wrong tokens from one address before it has to wait
FAILURE_WINDOW = 15 * 60  # seconds a failure is remembered
BASE_BACKOFF = 30  # seconds of the first wait; doubles with each further failure
MAX_BACKOFF = 15 * 60
MAX_FORM_BYTES = 4096
_HARDENING = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"same-origin"),
)
_TOKEN_IN_QUERY = re.compile(r"([?&])token=[^&\s]*")


def lan_enabled(settings) -> bool:
    """Whether the token is required: LAN mode, or any non-loopback host. Never for the native window."""
    server = settings["server"]
    if server["native"]:
        return False
    return bool(server["lan"]) or not _is_loopback(server["host"])


def print_lan_urls(urls: Iterable[str], token: str) -> None:
    """Print the addresses other computers can open, each carrying the token once (call after startup)."""
    lines = [f"  {url.rstrip('/')}/?token={token}" for url in sorted(urls, key=lambda u: "localhost" in u)]
    print(
        "CaptionForge is on your network. On the other computer open (keep these links private):\n"
        + "\n".join(lines or ["  (no network address found)"]),
        flush=True,
    )


class RedactToken(logging.Filter):
    """Keep `?token=...` out of the access log (uvicorn logs every request line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_QUERY.sub(r"\1token=***", a) if isinstance(a, str) else a for a in record.args
            )
        return True


def redact_access_log() -> None:
    """Install RedactToken on uvicorn's access logger (after uvicorn configured its logging)."""
    logging.getLogger("uvicorn.access").addFilter(RedactToken())


class AccessGuard:
    """The access token, its cookie signatures and the per-address throttle. Thread-safe."""

    def __init__(
        self,
        data_dir: Path,
        enabled: bool,
        environ: dict[str, str] | os._Environ | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        environ = os.environ if environ is None else environ
        self.enabled = enabled
        self.data_dir = data_dir
        self.from_env = bool(environ.get(TOKEN_ENV, "").strip())
        self._token = environ[TOKEN_ENV].strip() if self.from_env else secret_file(data_dir, TOKEN_FILE)
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    @property
    def token(self) -> str:
        return self._token

    def rotate(self) -> str:
        """Replace the token (old links and cookies stop working) and return the new one."""
        if self.from_env:
            raise Invalid(f"The token comes from the {TOKEN_ENV} environment variable: change it there.")
        new = secrets.token_urlsafe(24)
        path = self.data_dir / TOKEN_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.chmod(0o600)
        os.replace(tmp, path)
        self._token = new
        return new

    def token_matches(self, candidate: str) -> bool:
        return hmac.compare_digest(candidate.encode(), self._token.encode())

    def cookie_value(self) -> str:
        """A cookie proving the token was presented: issue time plus an HMAC keyed by the token."""
        issued = str(int(time.time()))
        return f"{issued}.{self._sign(issued)}"

    def cookie_valid(self, value: str) -> bool:
        issued, _, signature = value.partition(".")
        if not issued.isdigit() or time.time() - int(issued) > COOKIE_MAX_AGE:
            return False
        return hmac.compare_digest(signature.encode(), self._sign(issued).encode())

    def wait_seconds(self, address: str) -> int:
        """Seconds this address must wait before its next token attempt (0 = may try now)."""
        with self._lock:
            failures = self._recent(address)
            if len(failures) < MAX_FAILURES:
                return 0
            backoff = min(MAX_BACKOFF, BASE_BACKOFF * 2 ** (len(failures) - MAX_FAILURES))
            return max(0, int(failures[-1] + backoff - self._clock()) + 1)

    def record_failure(self, address: str) -> None:
        with self._lock:
            self._recent(address).append(self._clock())

    def record_success(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)

    def _recent(self, address: str) -> list[float]:
        cutoff = self._clock() - FAILURE_WINDOW
        kept = [t for t in self._failures.get(address, []) if t > cutoff]
        self._failures[address] = kept
        return kept

    def _sign(self, issued: str) -> str:
        return hmac.new(
            self._token.encode(), f"captionforge-cookie:{issued}".encode(), hashlib.sha256
        ).hexdigest()


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
        cookie = conn.cookies.get(cookie_name(scope))
        if cookie and self.guard.cookie_valid(cookie):
            if _cross_origin(conn):
                await _deny(conn, send, 403, "Cross-site request refused.")
                return
            await self.app(scope, receive, send)
            return
        bearer = _bearer(conn)
        offered = bearer if bearer is not None else conn.query_params.get("token")
        if offered is None:
            await _deny(
                conn,
                send,
                401,
                "Access token required: open the link CaptionForge printed at start.",
                quiet=True,
            )
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
    query = [(k, v) for k, v in conn.query_params.multi_items() if k != "token"]
    return conn.scope.get("root_path", "") + conn.url.path + (f"?{urlencode(query)}" if query else "")


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


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name or "": it may resolve to a public interface
        return False
