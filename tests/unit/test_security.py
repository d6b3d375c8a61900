"""The access guard and middleware: token sources, cookies, rotation, throttling, every request kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.access_token import MAX_FAILURES, TOKEN_ENV, AccessGuard, RedactToken, lan_enabled
from app.errors import Invalid
from app.security import AccessMiddleware
from app.ui.login_page import login_page_html

TOKEN = "test-token-0123456789"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def guard(data_dir: Path) -> AccessGuard:
    data_dir.mkdir(parents=True, exist_ok=True)
    return AccessGuard(data_dir, enabled=True, environ={TOKEN_ENV: TOKEN}, clock=FakeClock())


@pytest.fixture
def client(guard: AccessGuard) -> TestClient:
    return TestClient(_app(guard), base_url="http://127.0.0.1:8080", follow_redirects=False)


def test_token_is_created_once_in_the_data_dir(data_dir: Path):
    data_dir.mkdir(parents=True, exist_ok=True)
    first = AccessGuard(data_dir, enabled=True, environ={}).token
    assert len(first) >= 24
    assert (data_dir / "access_token").read_text().strip() == first
    assert (data_dir / "access_token").stat().st_mode & 0o077 == 0, "only the owner may read the token"
    assert AccessGuard(data_dir, enabled=True, environ={}).token == first


def test_environment_token_wins_and_cannot_be_rotated_from_the_app(guard: AccessGuard):
    assert guard.token == TOKEN
    with pytest.raises(Invalid, match=TOKEN_ENV):
        guard.rotate()


def test_rotation_invalidates_cookies_and_the_old_token(data_dir: Path):
    data_dir.mkdir(parents=True, exist_ok=True)
    guard = AccessGuard(data_dir, enabled=True, environ={})
    old_token, old_cookie = guard.token, guard.cookie_value()
    assert guard.cookie_valid(old_cookie)
    new_token = guard.rotate()
    assert new_token != old_token
    assert not guard.cookie_valid(old_cookie)
    assert not guard.token_matches(old_token)
    assert guard.token_matches(new_token)
    assert AccessGuard(data_dir, enabled=True, environ={}).token == new_token, (
        "the new token survives a restart"
    )


def test_forged_or_malformed_cookies_are_rejected(guard: AccessGuard):
    issued, _, signature = guard.cookie_value().partition(".")
    assert not guard.cookie_valid(f"{int(issued) + 1}.{signature}")
    for bad in ("", ".", "abc", f"{issued}.", f"{issued}.{'0' * 64}", "1.2.3"):
        assert not guard.cookie_valid(bad)


def test_throttle_after_repeated_failures_then_backoff_expires(guard: AccessGuard):
    clock = guard._clock
    for _ in range(MAX_FAILURES - 1):
        guard.record_failure("10.0.0.9")
    assert guard.wait_seconds("10.0.0.9") == 0
    guard.record_failure("10.0.0.9")
    wait = guard.wait_seconds("10.0.0.9")
    assert wait > 0
    assert guard.wait_seconds("10.0.0.10") == 0, "other addresses are not affected"
    clock.now += wait + 1
    assert guard.wait_seconds("10.0.0.9") == 0
    guard.record_failure("10.0.0.9")
    assert guard.wait_seconds("10.0.0.9") > wait, "each further failure doubles the wait"
    guard.record_success("10.0.0.9")
    assert guard.wait_seconds("10.0.0.9") == 0


def test_without_credentials_browsers_get_the_login_page_and_api_clients_401(client: TestClient):
    page = client.get("/folders", headers={"accept": "text/html"})
    assert page.status_code == 401
    assert 'name="token"' in page.text and 'value="/folders"' in page.text
    assert page.headers["cache-control"] == "no-store"
    api = client.get("/api/things", headers={"accept": "text/html"})
    assert api.status_code == 401
    assert api.json()["detail"].startswith("Access token required")
    assert api.headers["www-authenticate"] == "Bearer"


def test_query_token_sets_an_httponly_cookie_and_strips_itself(client: TestClient):
    response = client.get(f"/folders?x=1&token={TOKEN}")
    assert response.status_code == 303
    assert response.headers["location"] == "/folders?x=1"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and TOKEN not in cookie
    assert client.get("/folders").status_code == 200, "the cookie alone now opens pages"
    encoded = client.get(f"/api/things?q=%C3%BC%20x&token={TOKEN}")
    assert encoded.headers["location"] == "/api/things?q=%C3%BC+x", "the rest of the query survives, encoded"
    assert client.get("/api/things").status_code == 200


def test_bearer_token_opens_the_api_and_a_wrong_one_does_not(client: TestClient):
    assert client.get("/api/things", headers={"authorization": f"Bearer {TOKEN}"}).json() == {"ok": True}
    assert client.get("/api/things", headers={"authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/things", headers={"authorization": f"Basic {TOKEN}"}).status_code == 401


def test_wrong_tokens_are_throttled_even_when_the_right_one_follows(client: TestClient):
    for _ in range(MAX_FAILURES):
        assert client.get("/api/things", headers={"authorization": "Bearer wrong"}).status_code == 401
    blocked = client.get("/api/things", headers={"authorization": f"Bearer {TOKEN}"})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert client.post("/login", data={"token": TOKEN, "next": "/"}).status_code == 429


def test_login_form_sets_the_cookie_and_refuses_open_redirects(client: TestClient):
    wrong = client.post("/login", data={"token": "nope", "next": "/folders"})
    assert wrong.status_code == 401 and "not right" in wrong.text
    right = client.post("/login", data={"token": TOKEN, "next": "//evil.example/x"})
    assert right.status_code == 303 and right.headers["location"] == "/"
    assert client.get("/folders").status_code == 200


def test_websocket_is_closed_without_credentials_and_accepted_with_the_cookie(client: TestClient):
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/ws"):
        pass
    assert refused.value.code == 1008
    client.get(f"/?token={TOKEN}")
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    with client.websocket_connect("ws://127.0.0.1:8080/ws", headers={"cookie": cookie}) as socket:
        assert socket.receive_text() == "hello"


def test_cookie_authenticated_cross_site_writes_are_refused(client: TestClient):
    client.get(f"/?token={TOKEN}")
    assert client.post("/api/things", headers={"origin": "http://127.0.0.1:8080"}).status_code == 200
    assert client.post("/api/things", headers={"origin": "http://evil.example"}).status_code == 403


def test_rotation_logs_out_cookie_holders(data_dir: Path):
    data_dir.mkdir(parents=True, exist_ok=True)
    guard = AccessGuard(data_dir, enabled=True, environ={})
    client = TestClient(_app(guard), base_url="http://127.0.0.1:8080", follow_redirects=False)
    client.get(f"/?token={guard.token}")
    assert client.get("/api/things").status_code == 200
    guard.rotate()
    assert client.get("/api/things").status_code == 401


def test_disabled_guard_lets_everything_through_but_pages_are_not_cached(data_dir: Path):
    data_dir.mkdir(parents=True, exist_ok=True)
    client = TestClient(_app(AccessGuard(data_dir, enabled=False, environ={})))
    page = client.get("/folders")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert (
        page.headers["x-frame-options"] == "SAMEORIGIN"
        and page.headers["x-content-type-options"] == "nosniff"
    )
    assert client.get("/api/things").status_code == 200


def test_login_page_escapes_what_it_echoes():
    html = login_page_html('/x"><script>alert(1)</script>', "<b>bad</b>")
    assert "<script>" not in html and "<b>bad</b>" not in html
    assert "&lt;b&gt;bad&lt;/b&gt;" in html


def test_access_log_hides_the_token():
    import logging

    record = logging.LogRecord(
        "uvicorn.access", 20, "", 0, '%s - "%s %s"', ("1.2.3.4", "GET", "/a?b=1&token=abc"), None
    )
    RedactToken().filter(record)
    assert record.getMessage() == '1.2.3.4 - "GET /a?b=1&token=***"'


@pytest.mark.parametrize(
    ("server", "expected"),
    [
        ({"lan": False, "native": False, "host": "127.0.0.1"}, False),
        ({"lan": True, "native": False, "host": "127.0.0.1"}, True),
        ({"lan": False, "native": False, "host": "0.0.0.0"}, True),
        ({"lan": False, "native": False, "host": "localhost"}, False),
        ({"lan": False, "native": False, "host": "::1"}, False),
        ({"lan": True, "native": True, "host": "127.0.0.1"}, False),
    ],
)
def test_token_is_required_whenever_the_app_listens_beyond_loopback(server, expected):
    assert lan_enabled({"server": server}) is expected


def _app(guard: AccessGuard) -> AccessMiddleware:
    async def page(_request):
        return HTMLResponse("<p>page</p>")

    async def api(_request):
        return JSONResponse({"ok": True})

    async def socket(websocket: WebSocket):
        await websocket.accept()
        await websocket.send_text("hello")
        await websocket.close()

    routes = [
        Route("/", page),
        Route("/folders", page),
        Route("/api/things", api, methods=["GET", "POST"]),
        WebSocketRoute("/ws", socket),
    ]
    return AccessMiddleware(Starlette(routes=routes), guard)
