"""Stop and start again: the same port at once after Ctrl+C or SIGTERM, with connections still open;
a caption job stopped by SIGTERM resumes on the next start; one server per data dir; nothing left running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.e2e import live_server
from tests.e2e.live_server import PROJECT_DIR, LiveServer, start_server, stop_server


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_stopped(server: LiveServer, timeout: float = 15) -> float:
    """Seconds until the server and every process of its group are gone."""
    start = time.monotonic()
    server.process.wait(timeout=timeout)
    while _group_alive(server.process.pid) and time.monotonic() - start < timeout:
        time.sleep(0.1)
    assert not _group_alive(server.process.pid), "a process of the stopped app is still running"
    return time.monotonic() - start


def _restart_on(server: LiveServer) -> LiveServer:
    """Start again on the same data dir and port (raises with the log when it cannot start)."""
    port = int(server.url.rsplit(":", 1)[1])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(live_server, "free_port", lambda: port)
        return start_server(server.data_dir)


def _attach(server: LiveServer):
    """A keep-alive HTTP connection that has been used, and an open websocket on NiceGUI's socket."""
    client = httpx.Client(base_url=server.url)
    assert client.get("/api/system/stats").status_code == 200
    ws_url = server.url.replace("http://", "ws://") + "/_nicegui_ws/socket.io/?EIO=4&transport=websocket"
    websocket = connect(ws_url, open_timeout=10, legacy=True)  # closed by the caller, not a with-block
    websocket.recv(timeout=10)  # engine.io's open packet: the socket is up
    return client, websocket


@pytest.mark.parametrize(
    "stop", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["ctrl-c", "sigterm", "kill-9"]
)
def test_restart_on_the_same_port_at_once_with_connections_open(tmp_path: Path, stop):
    first = start_server(tmp_path / "data")
    client, websocket = _attach(first)
    try:
        first.process.send_signal(stop)  # the app's own process only: what it started must end by itself
        seconds = _wait_stopped(first)
        if stop != signal.SIGKILL:
            assert seconds < 5, f"stopping took {seconds:.1f} s"
        second = _restart_on(first)  # start_server raises with the log if it cannot start
        try:
            assert httpx.get(second.url + "/api/system/identity").json()["app"] == "CaptionForge"
        finally:
            stop_server(second)
            _wait_stopped(second)
    finally:
        client.close()
        websocket.close()


def test_a_second_server_on_one_data_dir_is_refused(tmp_path: Path):
    first = start_server(tmp_path / "data")
    try:
        result = subprocess.run(
            [sys.executable, "main.py", "--no-browser", "--port", "auto", "--data-dir", str(first.data_dir)],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2
        assert "Another CaptionForge" in result.stderr and "already uses the data dir" in result.stderr
        assert str(first.process.pid) in result.stderr and "Traceback" not in result.stderr
        assert httpx.get(first.url + "/api/system/stats").status_code == 200, "the first one runs on"
    finally:
        stop_server(first)
        _wait_stopped(first)


def test_the_port_of_a_running_captionforge_is_named(tmp_path: Path):
    first = start_server(tmp_path / "one")
    try:
        port = first.url.rsplit(":", 1)[1]
        result = subprocess.run(
            [sys.executable, "main.py", "--no-browser", "--port", port, "--data-dir", str(tmp_path / "two")],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2
        assert f"in use by another CaptionForge (pid {first.process.pid}" in result.stderr
        assert "--port auto" in result.stderr
    finally:
        stop_server(first)
        _wait_stopped(first)


def test_sigterm_during_a_caption_job_then_a_restart_that_resumes_it(tmp_path: Path, fake_ollama):
    from tests.e2e.test_jobs_crash import IMAGES, _seed, _wait_job

    fake_ollama.latency, fake_ollama.parallel = 0.25, 2
    data_dir = tmp_path / "job-data"
    caption_set_id = _seed(data_dir, tmp_path / "images")
    env = {"CAPTIONFORGE_VISION__BASE_URL": fake_ollama.url}
    first = start_server(data_dir, env=env)
    client, websocket = _attach(first)
    try:
        job_id = httpx.post(
            f"{first.url}/api/caption-sets/{caption_set_id}/auto-generate", json={"parallel": 2}, timeout=30
        ).json()["job_id"]
        _wait_job(first.url, job_id, lambda j: j["completed_files"] >= 3)
        first.process.send_signal(signal.SIGTERM)
        assert _wait_stopped(first) < 5, "a stop with a running job takes under 5 s"
        wal = data_dir / "database.db-wal"
        assert not wal.exists() or wal.stat().st_size == 0, "the WAL was checkpointed into database.db"
    finally:
        client.close()
        websocket.close()
    port = int(first.url.rsplit(":", 1)[1])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(live_server, "free_port", lambda: port)
        second = start_server(data_dir, env=env)
    try:
        job = httpx.get(f"{second.url}/api/vision/jobs/{job_id}", timeout=10).json()
        assert job["status"] == "interrupted", "kept as in crash recovery"
        assert httpx.post(f"{second.url}/api/vision/jobs/{job_id}/resume", timeout=10).status_code == 200
        done = _wait_job(second.url, job_id, lambda j: j["status"] in ("completed", "failed", "paused"))
        assert (done["status"], done["completed_files"], done["failed_files"]) == ("completed", IMAGES, 0)
    finally:
        stop_server(second)
        _wait_stopped(second)


@pytest.mark.e2e
def test_an_open_tab_says_stopped_then_reconnects_by_itself(tmp_path: Path, browser):
    from tests.e2e.live_server import wait_connected

    first = start_server(tmp_path / "data")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(first.url + "/")
        wait_connected(page)
        first.process.send_signal(signal.SIGINT)
        _wait_stopped(first)
        notice = page.locator("#popup")
        notice.get_by_text("CaptionForge stopped").wait_for(state="visible", timeout=20_000)
        second = _restart_on(first)
        try:
            wait_connected(page)
            page.wait_for_function(
                "() => document.getElementById('popup').ariaHidden === 'true'", timeout=30_000
            )
        finally:
            stop_server(second)
            _wait_stopped(second)
    finally:
        context.close()
