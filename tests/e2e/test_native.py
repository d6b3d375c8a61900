"""Smoke test of the native window: main.py --native under a virtual X server, screenshotted.

Skips (with the reason) unless Linux, Xvfb, the `native` extra (pywebview + Qt) and a way to grab the
screen (Pillow with XCB, or ImageMagick's `import`) are all present; the regular run never needs them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageChops, features

from app.ui.native import native_unavailable_reason
from tests.e2e.live_server import LiveServer, start_server, stop_server
from tests.e2e.test_lan import listen_addresses

pytestmark = pytest.mark.e2e
HEADER_RGB = (30, 41, 59)  # Tailwind slate-800, the header of every page
SCREEN = (1600, 1000)


@dataclass
class VirtualScreen:
    """A running Xvfb: its DISPLAY name, the process, and the file its messages go to."""

    display: str
    process: subprocess.Popen
    log: Path

    def gone(self) -> str | None:
        """Why the X server is no longer there (None while it runs)."""
        if self.process.poll() is None:
            return None
        said = self.log.read_text(errors="replace")[-600:] if self.log.exists() else ""
        return f"Xvfb exited with code {self.process.returncode}: {said}"


@pytest.fixture
def display(tmp_path: Path) -> Iterator[VirtualScreen]:
    reason = _missing_requirement()
    if reason:
        pytest.skip(reason)
    log = tmp_path / "xvfb.log"
    # -noreset: the Qt probe is the first client; the server must not regenerate when it disconnects.
    command = ["Xvfb", "-displayfd", "1", "-noreset", "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24"]
    with log.open("w") as errors:
        xvfb = subprocess.Popen([*command, "-nolisten", "tcp"], stdout=subprocess.PIPE, stderr=errors)
    number = xvfb.stdout.readline().decode().strip()
    if not number.isdigit():
        xvfb.kill()
        pytest.skip("Xvfb did not start")
    screen = VirtualScreen(f":{number}", xvfb, log)
    qt_problem = native_unavailable_reason({"DISPLAY": screen.display})
    if qt_problem:  # the app would fall back to the browser: nothing to test here
        xvfb.terminate()
        pytest.skip(qt_problem)
    yield screen
    xvfb.terminate()
    xvfb.wait(timeout=10)


def test_native_window_opens_the_workspace_on_loopback_at_the_remembered_place(
    display: VirtualScreen, tmp_path: Path
):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "window.json").write_text(json.dumps({"width": 1100, "height": 720, "x": 40, "y": 30}))
    server = _start_native(data_dir, display.display)
    try:
        shot = _wait_for_header(display)
        shot.save(tmp_path / "native.png")
        assert listen_addresses(server) == {"127.0.0.1"}, "the native window serves on loopback only"
        assert _connected_pages(server) >= 1, "the page in the window connected its websocket"
        left, top, right, _ = _header_box(shot)
        assert abs(left - 40) <= 12 and abs(top - 30) <= 40, (
            f"window placed at the remembered spot: {left},{top}"
        )
        assert abs((right - left) - 1100) <= 24, f"window has the remembered width: {right - left}"
        content = shot.crop((left + 20, top + 80, right - 20, top + 300)).convert("RGB")
        assert (255, 255, 255) in {c for _, c in content.getcolors(1 << 16) or []}, (
            "the workspace body rendered"
        )
    finally:
        stop_server(server)


def _connected_pages(server: LiveServer) -> int:
    """How many pages hold a live websocket, as the server counts them (whatever NiceGUI's socket path)."""
    deadline = time.monotonic() + 20
    while True:
        count = httpx.get(server.url + "/api/system/identity", timeout=5).json()["connected_pages"]
        if count or time.monotonic() > deadline:
            return count
        time.sleep(0.3)


def _start_native(data_dir: Path, display: str) -> LiveServer:
    env = {
        "DISPLAY": display,
        "PYWEBVIEW_GUI": "qt",
        "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox --disable-gpu",  # Xvfb has no GPU; GLX there is fragile
        "QT_QPA_PLATFORM": "xcb",
    }
    return start_server(data_dir, "--native", env=env)


def _wait_for_header(screen: VirtualScreen) -> Image.Image:
    """Screenshot until the page's header shows (the window and Qt WebEngine take a while to start)."""
    deadline = time.monotonic() + 60
    problem = "no screenshot yet"
    while time.monotonic() < deadline:
        try:
            shot = _screenshot(screen.display)
        except OSError as exc:
            if gone := screen.gone():  # the virtual screen itself crashed: nothing of ours to judge
                pytest.skip(gone)
            problem = f"screenshot failed: {exc}"  # the X server is busy starting the window: try again
        else:
            if _header_box(shot)[2] > 0:
                return shot
            problem = "the header is not on the screen"
        time.sleep(1)
    pytest.fail(f"the native window never showed the CaptionForge header ({problem})")


def _header_box(shot: Image.Image) -> tuple[int, int, int, int]:
    """Bounding box of the header colour (0,0,0,0 when absent)."""
    bands = shot.convert("RGB").split()
    masks = [
        band.point(lambda v, target=target: 255 if abs(v - target) <= 3 else 0).convert("1")
        for band, target in zip(bands, HEADER_RGB, strict=True)
    ]
    hits = ImageChops.logical_and(ImageChops.logical_and(masks[0], masks[1]), masks[2])
    return hits.getbbox() or (0, 0, 0, 0)


def _screenshot(display: str) -> Image.Image:
    if features.check("xcb"):
        from PIL import ImageGrab

        return ImageGrab.grab(xdisplay=display)
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"captionforge-native-{os.getpid()}.png"
    subprocess.run(["import", "-display", display, "-window", "root", str(out)], check=True, timeout=30)
    return Image.open(out)


def _missing_requirement() -> str | None:
    if not sys.platform.startswith("linux"):
        return "the native smoke test runs on Linux under Xvfb"
    if not shutil.which("Xvfb"):
        return "Xvfb is not installed (Debian: apt-get install xvfb)"
    if importlib.util.find_spec("webview") is None or importlib.util.find_spec("PyQt6") is None:
        return 'the native extra is not installed (pip install -e ".[native]")'
    if not features.check("xcb") and not shutil.which("import"):
        return "no way to screenshot X: Pillow lacks XCB and ImageMagick's import is missing"
    return None


def test_without_a_display_native_mode_says_so_once_and_serves_the_browser(tmp_path: Path):
    server = start_server(tmp_path / "data", "--native", env={"DISPLAY": "", "WAYLAND_DISPLAY": ""})
    try:
        notes = [line for line in server.log().splitlines() if "no native window" in line]
        assert len(notes) == 1 and ("no display" in notes[0] or "native extra" in notes[0])
        assert listen_addresses(server) == {"127.0.0.1"}
        assert httpx.get(server.url + "/api/system/stats").status_code == 200
    finally:
        stop_server(server)
