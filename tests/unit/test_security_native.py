"""Run-mode decisions for the native window: when it can open, and its remembered geometry."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

from app.ui import native


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display check is Linux-only")
def test_no_display_means_no_native_window(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(native.importlib.util, "find_spec", lambda name: object())
    assert "no display" in native.native_unavailable_reason({})
    assert native.native_unavailable_reason({"DISPLAY": ":0"}, probe_qt=False) is None
    assert native.native_unavailable_reason({"WAYLAND_DISPLAY": "wayland-0"}, probe_qt=False) is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Qt probe runs on Linux")
def test_a_qt_that_cannot_open_a_window_is_reported_with_the_libraries_to_install(monkeypatch):
    monkeypatch.setattr(native.importlib.util, "find_spec", lambda name: object())
    failed = native.subprocess.CompletedProcess([], 134, "", "could not load the Qt platform plugin xcb")
    monkeypatch.setattr(native.subprocess, "run", lambda *a, **k: failed)
    reason = native.native_unavailable_reason({"DISPLAY": ":0"})
    assert "Qt cannot open a window" in reason and "libxcb-cursor0" in reason


def test_missing_extra_is_named_with_the_fix(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(native.importlib.util, "find_spec", lambda name: None)
    assert "native extra" in native.native_unavailable_reason({"DISPLAY": ":0"}, probe_qt=False)


def test_geometry_is_merged_and_remembered(tmp_path: Path):
    assert native.load_geometry(tmp_path) == {}
    native.save_geometry(tmp_path, width=1200, height=800)
    native.save_geometry(tmp_path, x=10, y=-20)
    assert native.load_geometry(tmp_path) == {"width": 1200, "height": 800, "x": 10, "y": -20}


@pytest.mark.parametrize(
    "content", ["not json", "[1, 2]", '{"width": "big", "x": true}', '{"width": 10, "height": 10}']
)
def test_unreadable_or_tiny_geometry_falls_back_to_defaults(tmp_path: Path, content: str):
    (tmp_path / native.WINDOW_FILE).write_text(content)
    geometry = native.load_geometry(tmp_path)
    assert "width" not in geometry and "x" not in geometry


def test_geometry_file_is_plain_json(tmp_path: Path):
    native.save_geometry(tmp_path, width=900, height=700)
    assert json.loads((tmp_path / native.WINDOW_FILE).read_text()) == {"width": 900, "height": 700}


async def test_dropping_a_folder_onto_the_window_tracks_it(user, tmp_path: Path, make_image) -> None:
    from nicegui.events import NativeEventArguments

    from app.services.folders import folders
    from tests.app_services import running

    make_image("a.png", folder=tmp_path / "dropped" / "sub")
    await user.open("/")
    drop = NativeEventArguments(
        type="drop", args={"files": [str(tmp_path / "dropped"), str(tmp_path / "x.png")]}
    )
    await native._on_drop(running(), drop)
    tracked = folders.list_folders(running().db)
    assert [f["path"] for f in tracked] == [str((tmp_path / "dropped").resolve())]
    assert tracked[0]["recursive"] is True
    await user.should_see("scanning it now")
    await native._on_drop(running(), drop)
    await user.should_see("already tracked")
    scan = running().scans.tasks[tracked[0]["id"]]
    await asyncio.wait_for(asyncio.shield(scan), timeout=120)
    assert running().scans.scan_status(tracked[0]["id"])["new"] == 1, "the dropped folder's image was scanned"
