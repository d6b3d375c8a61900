"""DNS rebinding and CSRF: foreign Host values get 400, foreign Origins on state changes, websockets and the
folder browser get 403; same-origin pages, scripts without Origin and the configured host keep working."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect

from app.host_guard import HostOriginMiddleware, allowed_hosts, host_name

HOSTS = {"localhost", "127.0.0.1", "::1", "studio.lan"}


async def _ok(request):
    return JSONResponse({"ok": True, "method": request.method})


async def _ws(websocket: WebSocket):
    await websocket.accept()
    await websocket.send_text("hi")
    await websocket.close()


def _client(base: str = "http://127.0.0.1:8080") -> TestClient:
    app = Starlette(
        routes=[
            Route("/api/folders", _ok, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
            Route("/api/folders/browse", _ok),
            Route("/_nicegui_ws/socket.io/", _ok),
            WebSocketRoute("/_nicegui_ws/socket.io/", _ws),
        ]
    )
    app.add_middleware(HostOriginMiddleware, hosts=HOSTS)
    return TestClient(app, base_url=base)


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "localhost.evil.example",
        "127.0.0.1.nip.io",
        "127.0.0.1.evil.example:8080",
        "evil.example:8080",
        "[::2]:8080",
        "localhost:notaport",
        "",
        "127.0.0.1@evil.example",
        "studio.lan.evil.example",
    ],
)
def test_a_foreign_host_gets_400(host: str):
    answer = _client().get("/api/folders", headers={"host": host})
    assert answer.status_code == 400
    assert "host" in answer.json()["detail"].lower()


@pytest.mark.parametrize(
    "host", ["localhost:8080", "127.0.0.1:8080", "[::1]:8080", "LOCALHOST", "studio.lan:8080"]
)
def test_own_hosts_are_answered(host: str):
    assert _client().get("/api/folders", headers={"host": host}).status_code == 200


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize(
    "origin",
    [
        "http://evil.example",
        "null",
        "http://localhost.evil.example:8080",
        "http://127.0.0.1:9999",
        "http://127.0.0.1:8080.evil.example",
        "https://127.0.0.1:8080/path",
        "file://",
        "javascript://127.0.0.1:8080",
        "",
    ],
)
def test_a_state_change_from_a_foreign_origin_gets_403(method: str, origin: str):
    answer = _client().request(method, "/api/folders", headers={"origin": origin})
    assert answer.status_code == 403, origin
    assert "Cross-site" in answer.json()["detail"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_same_origin_pages_and_scripts_without_origin_keep_working(method: str):
    client = _client()
    assert (
        client.request(method, "/api/folders", headers={"origin": "http://127.0.0.1:8080"}).status_code == 200
    )
    assert client.request(method, "/api/folders").status_code == 200


def test_a_foreign_page_cannot_read_the_folder_browser():
    client = _client()
    assert client.get("/api/folders/browse", headers={"origin": "http://evil.example"}).status_code == 403
    assert client.get("/api/folders/browse", headers={"origin": "http://127.0.0.1:8080"}).status_code == 200
    assert client.get("/api/folders/browse").status_code == 200


def test_a_foreign_origin_cannot_open_the_nicegui_socket():
    client = _client()
    assert client.get("/_nicegui_ws/socket.io/", headers={"origin": "http://evil.example"}).status_code == 403
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect(
            "/_nicegui_ws/socket.io/", headers={"origin": "http://evil.example", "host": "127.0.0.1:8080"}
        ) as ws:
            ws.receive_text()
    assert refused.value.code == 1008
    with client.websocket_connect(
        "/_nicegui_ws/socket.io/", headers={"origin": "http://127.0.0.1:8080", "host": "127.0.0.1:8080"}
    ) as ws:
        assert ws.receive_text() == "hi"


def test_a_rebinding_websocket_with_a_foreign_host_is_closed():
    with pytest.raises(WebSocketDisconnect):
        with _client().websocket_connect("/_nicegui_ws/socket.io/", headers={"host": "evil.example"}) as ws:
            ws.receive_text()


def test_allowed_hosts_adds_the_setting_only_in_lan_mode():
    settings = {"server": {"host": "127.0.0.1", "allowed_hosts": ["Studio.Example"]}}
    local = allowed_hosts(settings, lan=False)
    assert {"localhost", "127.0.0.1", "::1"} <= local and "studio.example" not in local
    lan = allowed_hosts({"server": {"host": "0.0.0.0", "allowed_hosts": ["Studio.Example"]}}, lan=True)
    assert "studio.example" in lan and "0.0.0.0" not in lan


def test_host_name_parses_ports_and_ipv6():
    assert host_name("[::1]:8080") == "::1"
    assert host_name("Example.COM:80") == "example.com"
    assert host_name("[::1]junk") == ""
