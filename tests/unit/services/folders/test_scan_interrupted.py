"""What a full disk or a crash leaves behind: true counts, and a folder that says its scan was interrupted."""

from __future__ import annotations

import errno
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from app.errors import StorageFull
from app.services.folders import folders, scan_worker, scanning
from app.services.folders.scanning import recover_interrupted, scan_folder


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    for index in range(30):
        Image.new("RGB", (20 + index, 20), (index * 8, 90, 120)).save(folder / f"p{index:02}.png")
    return folder


def test_a_scan_on_a_full_disk_keeps_true_counts(core, photos, monkeypatch):
    real, calls = scan_worker.save_thumbnail, []

    def save_thumbnail(image, target, quality):
        calls.append(target)
        if len(calls) > 10:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(image, target, quality)

    monkeypatch.setattr(scan_worker, "save_thumbnail", save_thumbnail)
    monkeypatch.setattr(scanning, "CHUNK", 1)
    folder = folders.add_folder(core.db, str(photos))
    with ThreadPoolExecutor(1) as pool, pytest.raises(StorageFull) as raised:
        scan_folder(core.db, core.settings, folder["id"], executor=pool)
    counts = raised.value.counts
    assert counts["seen"] == 30 and counts["phase"] == "error"
    saved = folders.list_folder_files(core.db, folder["id"])
    assert counts["processed"] == len(saved) == 10
    after = folders.get_folder(core.db, folder["id"])
    assert after["file_count"] == 10 and "full" in after["last_scan_error"]


def test_a_scan_the_app_died_in_says_so_on_the_next_start(core, photos):
    folder = folders.add_folder(core.db, str(photos))
    scanning._mark_started(core.db, folder["id"])  # as a scan does, then the process is killed
    assert recover_interrupted(core.db) == 1
    after = folders.get_folder(core.db, folder["id"])
    assert "interrupted" in after["last_scan_error"] and "0 files were saved" in after["last_scan_error"]
    assert recover_interrupted(core.db) == 0  # said once


def test_a_finished_scan_leaves_no_interrupted_mark(core, photos):
    folder = folders.add_folder(core.db, str(photos))
    with ThreadPoolExecutor(2) as pool:
        scan_folder(core.db, core.settings, folder["id"], executor=pool)
    assert recover_interrupted(core.db) == 0
    assert folders.get_folder(core.db, folder["id"])["last_scan_error"] is None
