"""Playwright fixtures: main.py on a free port in a subprocess, driven by the system's Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    """The Chromium the tests drive: $CHROMIUM_PATH, else chromium on PATH."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    data_dir: Path
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_server(data_dir: Path, *extra: str, env: dict[str, str] | None = None) -> LiveServer:
    """Start main.py and wait until it answers; the server's output goes to <data_dir>/../server.log."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    environment.update(env or {})
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir.parent / f"server-{port}.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "main.py",
                "--port",
                str(port),
                "--no-browser",
                "--data-dir",
                str(data_dir),
                *extra,
            ],
            cwd=PROJECT_DIR,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop_server ends pool workers and Qt helpers too
        )
    server = LiveServer(f"http://127.0.0.1:{port}", data_dir, process, log_path)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.log()}")
        try:
            if httpx.get(server.url + "/api/system/stats", timeout=2).status_code in (200, 401):
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server did not answer in time:\n{server.log()}")


def stop_server(server: LiveServer) -> None:
    """Stop the app like a user would (SIGTERM), then whatever it left behind in its process group."""
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.process.pid, signal.SIGKILL)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_server(tmp_path / "live-data")
    yield server
    stop_server(server)


@pytest.fixture
def fake_vision_server(tmp_path: Path, fake_ollama) -> Iterator[LiveServer]:
    """main.py captioning with the fake Ollama, allowed only <tmp>/root (empty photos/ in it, data dir too);
    `.root` and `.vision_url` say where."""
    fake_ollama.latency = 0.0
    root = tmp_path / "root"
    (root / "photos").mkdir(parents=True)
    env = {
        "CAPTIONFORGE_VISION__BASE_URL": fake_ollama.url,
        "CAPTIONFORGE_SERVER__ALLOWED_FOLDERS": f"[{root}]",
    }
    live = start_server(root / "data", env=env)
    live.root = root  # type: ignore[attr-defined]
    live.vision_url = fake_ollama.url  # type: ignore[attr-defined]
    yield live
    stop_server(live)


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module (a sync Playwright loop must not outlive it: async tests follow)."""
    path = chromium_path()
    if not path:
        pytest.skip("No Chromium found: install Debian's chromium or set CHROMIUM_PATH to a Chromium binary")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server: LiveServer):
    """A Chromium page on the live server's workspace, with the websocket connected."""
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(live_server.url + "/")
    wait_connected(page)
    yield page
    context.close()


def wait_connected(page) -> None:
    page.wait_for_function("() => window.socket && window.socket.connected", timeout=20_000)
