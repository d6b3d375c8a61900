"""LAN mode against a real server (bound to 0.0.0.0, but these tests only ever connect to 127.0.0.1)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from nicegui import __version__ as nicegui_version
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.live_server import LiveServer, start_server, stop_server, wait_connected

pytestmark = pytest.mark.e2e
TOKEN = "lan-test-token-7f3a9c"
ROUTE_FAMILIES = [
    "/",
    "/folders",
    "/settings",
    "/docs",
    "/openapi.json",
    "/api/system/stats",
    "/api/system/config",
    "/api/folders",
    "/api/datasets",
    "/api/files/1/thumbnail?v=abc",
    "/api/files/1/image",
    "/api/export/jobs/1/download",
    f"/_nicegui/{nicegui_version}/static/nicegui.js",
    f"/_nicegui/{nicegui_version}/libraries/vue.esm-browser.prod.js",
    "/_nicegui/auto/static/0123/x.png",
    "/_nicegui_ws/socket.io/?EIO=4&transport=polling",
    "/static/icon.svg",
    "/favicon.ico",
]


@pytest.fixture(scope="module")
def lan_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    base = tmp_path_factory.mktemp("lan")
    (base / "photos").mkdir()
    env = {"CAPTIONFORGE_TOKEN": TOKEN, "CAPTIONFORGE_SERVER__ALLOWED_FOLDERS": f"[{base / 'photos'}]"}
    server = start_server(base / "data", "--lan", env=env)
    yield server
    stop_server(server)


@pytest.mark.parametrize("path", ROUTE_FAMILIES)
def test_every_route_family_needs_the_token(lan_server: LiveServer, path: str):
    api = httpx.get(lan_server.url + path)
    assert api.status_code == 401, f"{path} answered {api.status_code} without a token"
    assert "token" in api.text.lower()
    browser = httpx.get(lan_server.url + path, headers={"accept": "text/html,*/*"})
    assert browser.status_code == 401
    if not path.startswith(("/api/", "/_nicegui", "/openapi.json")):
        assert 'name="token"' in browser.text, f"{path}: a browser gets the login form"
    with_token = httpx.get(lan_server.url + path, headers={"authorization": f"Bearer {TOKEN}"})
    assert with_token.status_code not in (401, 403, 429), f"{path} refused the right token"


def test_pages_and_api_answers_are_not_cached(lan_server: LiveServer):
    auth = {"authorization": f"Bearer {TOKEN}"}
    assert httpx.get(lan_server.url + "/", headers=auth).headers["cache-control"] == "no-store"
    assert (
        httpx.get(lan_server.url + "/api/system/stats", headers=auth).headers["cache-control"] == "no-store"
    )


def test_websocket_handshake_is_refused_without_the_cookie(lan_server: LiveServer):
    assert _websocket_status(lan_server, cookie=None) == 403
    cookie = _login_cookie(lan_server)
    assert _websocket_status(lan_server, cookie=cookie) == 101


def test_browser_sees_the_login_page_then_the_workspace_after_entering_the_token(browser, lan_server):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    response = page.goto(lan_server.url + "/?view=grid")
    assert response.status == 401
    page.fill("input[name=token]", "wrong")
    page.click("button[type=submit]")
    assert page.get_by_text("That token is not right").is_visible()
    page.fill("input[name=token]", TOKEN)
    page.click("button[type=submit]")
    page.wait_for_url(lan_server.url + "/?view=grid")
    wait_connected(page)
    assert page.get_by_text("CaptionForge").first.is_visible()
    assert "captionforge_access" not in page.evaluate("document.cookie"), "the access cookie is HttpOnly"
    context.close()


def test_thumbnails_and_images_load_in_a_signed_in_browser(browser, lan_server: LiveServer, make_image):
    photos = lan_server.data_dir.parent / "photos"
    for index in range(3):
        make_image(f"p{index}.png", folder=photos, color=(40 * index, 90, 160))
    api = httpx.Client(base_url=lan_server.url, headers={"authorization": f"Bearer {TOKEN}"}, timeout=60)
    folder = api.post("/api/folders", json={"path": str(photos), "scan": False}).json()
    assert api.post(f"/api/folders/{folder['id']}/scan", params={"wait": True}).status_code == 200
    assert (
        api.post("/api/datasets/from-folder", json={"folder_id": folder["id"], "name": "lan"}).status_code
        == 201
    )
    file_id = api.get(f"/api/folders/{folder['id']}/files").json()[0]["id"]
    assert httpx.get(f"{lan_server.url}/api/files/{file_id}/image").status_code == 401

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(f"{lan_server.url}/?token={TOKEN}")
    wait_connected(page)
    page.get_by_text("lan", exact=True).first.click()
    page.locator(".cf-tile img").first.wait_for()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.cf-tile img')].filter(i => i.complete && i.naturalWidth > 0).length === 3"
    )
    original = page.request.get(f"{lan_server.url}/api/files/{file_id}/image")
    assert original.status == 200 and original.headers["content-type"].startswith("image/")
    context.close()


def test_printed_link_opens_the_app_once_and_drops_the_token_from_the_address(browser, lan_server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{lan_server.url}/?token={TOKEN}")
    wait_connected(page)
    assert "token" not in page.url
    page.goto(lan_server.url + "/api/system/stats")
    assert '"counts"' in page.content(), "the cookie also opens the API in the browser"
    context.close()
    fresh = browser.new_context()
    other = fresh.new_page()
    assert other.goto(lan_server.url + "/").status == 401, "another browser still needs the token"
    fresh.close()


def test_lan_server_listens_on_every_interface_and_prints_links_with_the_token(lan_server: LiveServer):
    assert listen_addresses(lan_server) == {"0.0.0.0"}
    assert f"/?token={TOKEN}" in lan_server.log()
    assert f"token={TOKEN} HTTP" not in lan_server.log(), "the access log hides tokens"


def test_default_start_listens_on_loopback_only_and_needs_no_token(live_server: LiveServer):
    assert listen_addresses(live_server) == {"127.0.0.1"}
    assert httpx.get(live_server.url + "/api/system/stats").status_code == 200


def test_wrong_tokens_are_throttled(tmp_path: Path):
    server = start_server(tmp_path / "data", "--lan", env={"CAPTIONFORGE_TOKEN": TOKEN})
    try:
        codes = [
            httpx.get(server.url + "/api/system/stats", headers={"authorization": "Bearer guess"}).status_code
            for _ in range(6)
        ]
        assert codes == [401] * 5 + [429]
        right = httpx.get(server.url + "/api/system/stats", headers={"authorization": f"Bearer {TOKEN}"})
        assert right.status_code == 429 and int(right.headers["retry-after"]) > 0
    finally:
        stop_server(server)


def test_allow_list_and_host_only_settings_are_enforced_over_the_api(tmp_path: Path):
    allowed = tmp_path / "allowed"
    (allowed / "photos").mkdir(parents=True)
    (tmp_path / "private").mkdir()
    env = {"CAPTIONFORGE_TOKEN": TOKEN, "CAPTIONFORGE_SERVER__ALLOWED_FOLDERS": f"[{allowed}]"}
    server = start_server(tmp_path / "data", "--lan", env=env)
    auth = {"authorization": f"Bearer {TOKEN}"}
    try:
        widen = httpx.put(
            server.url + "/api/system/config", json={"server": {"allowed_folders": ["/"]}}, headers=auth
        )
        assert widen.status_code == 403 and "on the host" in widen.json()["detail"]
        if not any(r["path"] == "/api/folders" for r in _routes(server, auth)):
            pytest.skip("POST /api/folders does not exist yet")
        outside = httpx.post(
            server.url + "/api/folders", json={"path": str(tmp_path / "private")}, headers=auth
        )
        assert outside.status_code == 403, outside.text
        assert "allowed_folders" in outside.json()["detail"]
        inside = httpx.post(server.url + "/api/folders", json={"path": str(allowed / "photos")}, headers=auth)
        assert inside.status_code in (200, 201), inside.text
    finally:
        stop_server(server)


def _routes(server: LiveServer, auth: dict[str, str]) -> list[dict[str, str]]:
    paths = httpx.get(server.url + "/openapi.json", headers=auth).json()["paths"]
    return [{"path": p, "method": m.upper()} for p, methods in paths.items() for m in methods]


def _login_cookie(server: LiveServer) -> str:
    response = httpx.get(f"{server.url}/?token={TOKEN}")
    assert response.status_code == 303
    return response.headers["set-cookie"].split(";", 1)[0]


def _websocket_status(server: LiveServer, cookie: str | None) -> int:
    """The HTTP status of a raw websocket upgrade to NiceGUI's socket.io endpoint."""
    port = int(server.url.rsplit(":", 1)[1])
    lines = [
        "GET /_nicegui_ws/socket.io/?EIO=4&transport=websocket HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        f"Origin: http://127.0.0.1:{port}",
    ]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        status_line = conn.recv(4096).split(b"\r\n", 1)[0].decode()
    return int(status_line.split()[1])


def listen_addresses(server: LiveServer) -> set[str]:
    """Local addresses of the listening IPv4 sockets on the server's port, from /proc/net/tcp (Linux)."""
    proc = Path("/proc/net/tcp")
    if not proc.exists():
        pytest.skip("needs /proc/net/tcp (Linux) to see listening sockets")
    port = int(server.url.rsplit(":", 1)[1])
    found = set()
    for line in proc.read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, port_hex = local.split(":")
        if state == "0A" and int(port_hex, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_rotating_from_settings_keeps_this_browser_and_signs_out_the_others(browser, tmp_path: Path):
    server = start_server(tmp_path / "data", "--lan")
    old = (tmp_path / "data" / "access_token").read_text().strip()
    contexts = [browser.new_context(viewport={"width": 1366, "height": 900}) for _ in range(2)]
    try:
        admin, other = (context.new_page() for context in contexts)
        for page in (admin, other):
            page.goto(f"{server.url}/settings?token={old}")
            wait_connected(page)
        admin.get_by_role("button", name="Rotate token").click()
        admin.get_by_role("button", name="Rotate", exact=True).click()
        token_file = tmp_path / "data" / "access_token"
        admin.wait_for_function("() => true")  # a round trip to the page after the click
        deadline = time.monotonic() + 20
        while token_file.read_text().strip() == old and time.monotonic() < deadline:
            time.sleep(0.2)
        assert token_file.read_text().strip() != old
        other.locator("input[name=token]").wait_for(timeout=20_000)  # reloaded onto the login page
        for _ in range(3):  # the app itself may be navigating this page through ?token=<new> right now
            try:
                admin.reload()
                break
            except PlaywrightError:
                admin.wait_for_load_state()
        wait_connected(admin)
        assert admin.get_by_role("button", name="Rotate token").is_visible(), (
            "this browser got the new cookie"
        )
        stale = httpx.get(server.url + "/api/system/stats", headers={"authorization": f"Bearer {old}"})
        assert stale.status_code == 401
    finally:
        for context in contexts:
            context.close()
        stop_server(server)
