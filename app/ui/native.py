"""The native window (pywebview through NiceGUI): can it open, its remembered geometry, folder drops and
the native folder dialog that the folder picker uses instead of the server-side browser."""

from __future__ import annotations

import functools
import importlib.util
import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nicegui import app, events, run, ui

from app.errors import CaptionForgeError
from app.services.folders import folders as tracked_folders
from app.services.paths import allowed_roots

if TYPE_CHECKING:  # the container imports the jobs and vision layers; the window needs only its type
    from app.container import AppServices

log = logging.getLogger("app.native")
WINDOW_FILE = "window.json"
DEFAULT_SIZE = (1366, 860)
MIN_SIZE = (640, 480)
QT_LIBRARIES_HINT = (
    "Debian/Ubuntu: sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 "
    "libnss3 libxcomposite1 libxdamage1 libxrandr2 libxtst6"
)


def native_unavailable_reason(
    environ: dict[str, str] | os._Environ | None = None, probe_qt: bool = True
) -> str | None:
    """Why a native window cannot open here (one phrase), or None when it can."""
    environ = os.environ if environ is None else environ
    if importlib.util.find_spec("webview") is None:
        return 'the native extra is not installed (./start.sh --native installs it; or pip install -e ".[native]")'
    if sys.platform.startswith("linux"):
        if not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
            return "there is no display (DISPLAY and WAYLAND_DISPLAY are not set)"
        if probe_qt and environ.get("PYWEBVIEW_GUI", "qt") == "qt" and importlib.util.find_spec("PyQt6"):
            return _qt_problem(environ)
    return None


def is_native() -> bool:
    """True when the app runs in its own window (the folder picker then uses the native dialog)."""
    return app.native.main_window is not None


async def native_folder_dialog(directory: str = "") -> str | None:
    """Ask for a folder with the operating system's dialog; None when cancelled or not in native mode."""
    window = app.native.main_window
    if window is None:
        return None
    import webview  # only importable with the native extra, which native mode requires

    chosen = await window.create_file_dialog(webview.FileDialog.FOLDER, directory=directory)
    return str(chosen[0]) if chosen else None


def prepare_window(services: AppServices) -> tuple[int, int]:
    """Restore the remembered position, keep remembering it, handle folder drops; returns the window size.

    Must run before ui.run: window arguments are handed to the window process when it is spawned.
    """
    data_dir = services.settings.data_dir
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # Qt WebEngine's sandbox refuses to run as root
        os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
    geometry = load_geometry(data_dir)
    if "x" in geometry and "y" in geometry:
        app.native.window_args.update(x=geometry["x"], y=geometry["y"])
    app.native.window_args.setdefault("min_size", MIN_SIZE)
    app.native.settings["ALLOW_DOWNLOADS"] = True  # export ZIP downloads save to disk
    app.native.on("resized", lambda e: _remember(data_dir, width=e.args["width"], height=e.args["height"]))
    app.native.on("moved", lambda e: _remember(data_dir, x=e.args["x"], y=e.args["y"]))
    app.native.on("drop", functools.partial(_on_drop, services))
    return geometry.get("width", DEFAULT_SIZE[0]), geometry.get("height", DEFAULT_SIZE[1])


def load_geometry(data_dir: Path) -> dict[str, int]:
    """The last window geometry {width, height, x, y} (any subset); {} when none was saved or it is unreadable."""
    try:
        raw = json.loads((data_dir / WINDOW_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    geometry = {k: int(v) for k, v in raw.items() if k in ("width", "height", "x", "y") and _is_int(v)}
    if geometry.get("width", MIN_SIZE[0]) < MIN_SIZE[0] or geometry.get("height", MIN_SIZE[1]) < MIN_SIZE[1]:
        geometry.pop("width", None)
        geometry.pop("height", None)
    return geometry


def save_geometry(data_dir: Path, **changes: int) -> None:
    """Merge size/position changes into the saved geometry (atomic write)."""
    geometry = {**load_geometry(data_dir), **{k: int(v) for k, v in changes.items()}}
    tmp = data_dir / (WINDOW_FILE + ".tmp")
    tmp.write_text(json.dumps(geometry), encoding="utf-8")
    os.replace(tmp, data_dir / WINDOW_FILE)


def _qt_problem(environ: dict[str, str] | os._Environ) -> str | None:
    """Start a bare Qt application in a child process (on the display `environ` names): a missing system
    library would otherwise kill the window process (and with it the app) after the server started."""
    probe = "import sys; from PyQt6.QtWidgets import QApplication; QApplication(sys.argv)"
    env = {**os.environ, **environ}
    try:
        result = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=30, env=env
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"Qt could not be started ({exc})"
    if result.returncode == 0:
        return None
    return f"Qt cannot open a window (missing system libraries? {QT_LIBRARIES_HINT})"


def _remember(data_dir: Path, **changes: int) -> None:
    try:
        save_geometry(data_dir, **changes)
    except OSError as exc:
        log.warning("Could not remember the window geometry in %s: %s", data_dir, exc)


async def _on_drop(services: AppServices, event: events.NativeEventArguments) -> None:
    """Folders dropped onto the window are tracked (recursively) and scanned; single files are ignored."""
    folders = [Path(p) for p in event.args.get("files", []) if p and Path(p).is_dir()]
    if not folders:
        _notify_all("Drop a folder (not single files) onto the window to track it.", "warning")
        return
    for folder in folders:
        try:
            added = await run.io_bound(_add_folder, services, folder)
        except CaptionForgeError as exc:  # outside the allow-list, already tracked, unreadable...
            _notify_all(f"{folder}: {exc}", "negative")
            continue
        services.scans.start_scan(added["id"])
        _notify_all(f"Tracking {added['path']}: scanning it now.", "positive")


def _add_folder(services: AppServices, folder: Path) -> dict[str, Any]:
    roots = allowed_roots(services.settings)
    return tracked_folders.add_folder(services.db, str(folder), True, 3, None, roots)


def _notify_all(message: str, kind: str) -> None:
    for client in list(app.clients()):
        with client:
            ui.notify(message, type=kind)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
