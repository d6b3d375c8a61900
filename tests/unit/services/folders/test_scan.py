"""Folder scans: what is tracked, what is skipped and why, and incremental rescans."""

from __future__ import annotations

import os
import sys

import pytest
from PIL import Image

from app.services.folders import folders, scan_walk
from app.services.folders.scanning import scan_folder
from app.services.thumbnails import thumbnail_path


def scan(core, folder_id, executor, events=None):
    return scan_folder(core.db, core.settings, folder_id, executor=executor, on_progress=events)


def by_name(core, folder_id):
    return {f["filename"]: f for f in folders.list_folder_files(core.db, folder_id)}


def test_first_scan_tracks_images_with_thumbnails_hashes_and_progress(core, photos, make_image, executor):
    make_image("a.jpg", folder=photos)
    make_image("b.png", size=(300, 500), folder=photos)
    make_image("c.webp", folder=photos)
    folder = folders.add_folder(core.db, str(photos))
    events = []
    result = scan(core, folder["id"], executor, events.append)
    assert (result["seen"], result["new"], result["broken"], result["phase"]) == (3, 3, 0, "done")
    assert events[0]["phase"] == "processing" and events[-1]["phase"] == "done"
    files = by_name(core, folder["id"])
    assert files["b.png"]["width"] == 300 and files["b.png"]["height"] == 500
    assert files["a.jpg"]["file_type"] == "jpg" and files["a.jpg"]["mime_type"] == "image/jpeg"
    for file in files.values():
        assert len(file["file_hash"]) == 64
        assert len(file["phash"]) == 16
        assert 0 <= file["quality_score"] <= 1
        assert set(file["quality_details"]["measured"]) >= {"sharpness", "exposure", "contrast", "resolution"}
        thumb = thumbnail_path(core.settings.thumbnails_dir, file["thumbnail_key"])
        with Image.open(thumb) as image:
            assert image.format == "WEBP" and max(image.size) == 256
    assert folders.get_folder(core.db, folder["id"])["file_count"] == 3


def test_bad_files_are_tracked_with_a_reason_and_junk_is_ignored(core, photos, make_image, executor):
    good = make_image("good.jpg", size=(800, 600), folder=photos)
    (photos / "notes.jpg").write_text("this is not an image")
    (photos / "cut.jpg").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    for junk in (".hidden.jpg", "._good.jpg", "Thumbs.db", ".DS_Store", "readme.md"):
        (photos / junk).write_bytes(good.read_bytes())
    folder = folders.add_folder(core.db, str(photos))
    result = scan(core, folder["id"], executor)
    files = by_name(core, folder["id"])
    assert set(files) == {"good.jpg", "notes.jpg", "cut.jpg"}
    assert result["broken"] == 2
    assert result["ignored"] == 5
    assert files["notes.jpg"]["scan_error"] == "not an image"
    assert files["cut.jpg"]["scan_error"] == "truncated JPEG"
    assert files["good.jpg"]["scan_error"] is None
    assert files["notes.jpg"]["thumbnail_url"] is None
    assert folders.get_folder(core.db, folder["id"])["broken_files"] == 2


def test_decompression_bomb_is_refused_with_a_clear_reason(core, photos, make_image, executor):
    make_image("huge.png", size=(3000, 3000), folder=photos)
    core.settings["image_processing"]["max_image_pixels"] = 1_000_000
    folder = folders.add_folder(core.db, str(photos))
    scan(core, folder["id"], executor)
    assert by_name(core, folder["id"])["huge.png"]["scan_error"] == "too large (decompression bomb guard)"


def test_content_decides_not_the_extension(core, photos, make_image, executor):
    make_image("really-png.JPG", folder=photos, format="PNG")
    folder = folders.add_folder(core.db, str(photos))
    scan(core, folder["id"], executor)
    file = by_name(core, folder["id"])["really-png.JPG"]
    assert file["scan_error"] is None and file["file_type"] == "png"


def test_exif_orientation_6_gives_portrait_size(core, photos, executor):
    image = Image.new("RGB", (400, 300), (90, 120, 30))
    exif = Image.Exif()
    exif[0x0112] = 6
    image.save(photos / "phone.jpg", exif=exif)
    folder = folders.add_folder(core.db, str(photos))
    scan(core, folder["id"], executor)
    file = by_name(core, folder["id"])["phone.jpg"]
    assert (file["width"], file["height"]) == (300, 400)
    with Image.open(thumbnail_path(core.settings.thumbnails_dir, file["thumbnail_key"])) as thumb:
        assert thumb.height > thumb.width


def test_rescan_skips_unchanged_and_handles_touch_delete_restore_modify(core, photos, make_image, executor):
    a = make_image("a.jpg", folder=photos)
    b = make_image("b.jpg", color=(10, 200, 10), folder=photos)
    folder = folders.add_folder(core.db, str(photos))
    scan(core, folder["id"], executor)
    first = by_name(core, folder["id"])

    again = scan(core, folder["id"], executor)
    assert (again["unchanged"], again["new"], again["changed"], again["processed"]) == (2, 0, 0, 0)

    os.utime(a, ns=(a.stat().st_atime_ns, a.stat().st_mtime_ns + 5_000_000_000))
    touched = scan(core, folder["id"], executor)
    assert touched["changed"] == 1
    assert by_name(core, folder["id"])["a.jpg"]["file_hash"] == first["a.jpg"]["file_hash"]

    saved = b.read_bytes()
    stat = b.stat()
    b.unlink()
    gone = scan(core, folder["id"], executor)
    assert gone["missing"] == 1
    assert by_name(core, folder["id"])["b.jpg"]["exists"] is False
    assert by_name(core, folder["id"])["b.jpg"]["id"] == first["b.jpg"]["id"]

    b.write_bytes(saved)
    os.utime(b, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    back = scan(core, folder["id"], executor)
    assert (back["restored"], back["missing"]) == (1, 0)
    assert by_name(core, folder["id"])["b.jpg"]["exists"] is True

    make_image("a.jpg", color=(20, 20, 220), folder=photos)
    os.utime(a, ns=(a.stat().st_atime_ns, a.stat().st_mtime_ns + 9_000_000_000))
    modified = scan(core, folder["id"], executor)
    assert modified["changed"] == 1
    after = by_name(core, folder["id"])["a.jpg"]
    assert after["id"] == first["a.jpg"]["id"]
    assert after["file_hash"] != first["a.jpg"]["file_hash"]
    assert after["thumbnail_key"] != first["a.jpg"]["thumbnail_key"]
    assert thumbnail_path(core.settings.thumbnails_dir, after["thumbnail_key"]).exists()


def test_a_renamed_file_keeps_its_row(core, photos, make_image, executor):
    make_image("old-name.jpg", folder=photos)
    folder = folders.add_folder(core.db, str(photos))
    scan(core, folder["id"], executor)
    before = by_name(core, folder["id"])["old-name.jpg"]
    (photos / "old-name.jpg").rename(photos / "new-name.jpg")
    result = scan(core, folder["id"], executor)
    assert (result["moved"], result["new"], result["missing"]) == (1, 0, 0)
    assert by_name(core, folder["id"])["new-name.jpg"]["id"] == before["id"]


def test_duplicates_by_hash(core, photos, make_image, executor):
    original = make_image("one.jpg", folder=photos)
    (photos / "copy.jpg").write_bytes(original.read_bytes())
    make_image("other.jpg", color=(1, 2, 3), folder=photos)
    folder = folders.add_folder(core.db, str(photos))
    scan(core, folder["id"], executor)
    files = by_name(core, folder["id"])
    assert files["one.jpg"]["duplicate_count"] == 1 and files["other.jpg"]["duplicate_count"] == 0
    detail = folders.get_file(core.db, files["copy.jpg"]["id"])
    assert [d["id"] for d in detail["duplicates"]] == [files["one.jpg"]["id"]]


def test_depth_limit_and_unreadable_folder_reported_while_the_scan_goes_on(
    core, photos, make_image, executor, monkeypatch
):
    make_image("top.jpg", folder=photos)
    make_image("one.jpg", folder=photos / "d1")
    make_image("two.jpg", folder=photos / "d1" / "d2")
    make_image("secret.jpg", folder=photos / "locked")
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):  # chmod 0 does not stop root, so refuse like the OS would
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(scan_walk.os, "scandir", scandir)
    folder = folders.add_folder(core.db, str(photos), recursive=True, max_depth=1)
    result = scan(core, folder["id"], executor)
    assert set(by_name(core, folder["id"])) == {"top.jpg", "one.jpg"}
    assert "locked" in result["error"] and "Permission denied" in result["error"]
    assert "unreadable" in folders.get_folder(core.db, folder["id"])["last_scan_error"]


def test_symlink_loop_is_read_once(core, photos, make_image, executor):
    make_image("one.jpg", folder=photos / "d1")
    (photos / "d1" / "loop").symlink_to(photos, target_is_directory=True)
    folder = folders.add_folder(core.db, str(photos), recursive=True, max_depth=30)
    result = scan(core, folder["id"], executor)
    assert result["seen"] == 1


def test_non_recursive_folder_ignores_subfolders(core, photos, make_image, executor):
    make_image("top.jpg", folder=photos)
    make_image("below.jpg", folder=photos / "sub")
    folder = folders.add_folder(core.db, str(photos), recursive=False)
    assert scan(core, folder["id"], executor)["seen"] == 1


def test_a_vanished_folder_marks_its_files_missing(core, photos, make_image, executor):
    make_image("a.jpg", folder=photos)
    folder = folders.add_folder(core.db, str(photos))
    scan(core, folder["id"], executor)
    photos.rename(photos.with_name("moved-away"))
    result = scan(core, folder["id"], executor)
    assert result["phase"] == "error" and "not there" in result["error"]
    assert by_name(core, folder["id"])["a.jpg"]["exists"] is False


def test_a_stopped_scan_keeps_what_it_did_and_marks_nothing_missing(core, photos, make_image, executor):
    for index in range(20):
        make_image(f"p{index}.jpg", color=(index * 10, 50, 50), folder=photos)
    folder = folders.add_folder(core.db, str(photos))
    scan(core, folder["id"], executor)
    (photos / "p0.jpg").unlink()
    make_image("new.jpg", folder=photos)
    result = scan_folder(core.db, core.settings, folder["id"], executor=executor, should_stop=lambda: True)
    assert result["phase"] == "cancelled"
    assert by_name(core, folder["id"])["p0.jpg"]["exists"] is True


def test_huge_progressive_jpegs_are_decoded_one_at_a_time(tmp_path, make_image, monkeypatch):
    from app.services.folders import decode_memory
    from app.services.folders.scan_worker import ScanOptions, process_file

    progressive = make_image("prog.jpg", size=(800, 600), progressive=True, subsampling=0)
    baseline = make_image("base.jpg", size=(800, 600))
    with Image.open(progressive) as header:
        assert decode_memory.coefficient_bytes(header) == 800 * 600 * 3 * 2
    with Image.open(baseline) as header:
        assert decode_memory.coefficient_bytes(header) == 0
    monkeypatch.setattr(decode_memory, "BIG_DECODE_BYTES", 1000)
    options = ScanOptions(thumbnails_dir=str(tmp_path / "thumbs"))
    assert process_file(str(progressive), options)["scan_error"] is None
    assert (tmp_path / "thumbs" / decode_memory.LOCK_NAME).exists()


def test_remeasure_recomputes_quality_after_the_training_resolution_changes(
    core, photos, make_image, executor
):
    make_image("a.jpg", size=(1200, 1200), folder=photos)
    folder = folders.add_folder(core.db, str(photos))
    scan(core, folder["id"], executor)
    before = by_name(core, folder["id"])["a.jpg"]
    assert "low_resolution" not in before["quality_flags"]
    core.settings["image_processing"]["training_resolution"] = 4096
    assert scan(core, folder["id"], executor)["unchanged"] == 1, "a plain rescan reads nothing"
    assert by_name(core, folder["id"])["a.jpg"]["quality_details"] == before["quality_details"]
    scan_folder(core.db, core.settings, folder["id"], executor=executor, remeasure=True)
    after = by_name(core, folder["id"])["a.jpg"]
    assert (
        after["quality_details"]["measured"]["resolution"]
        < before["quality_details"]["measured"]["resolution"]
    )
    assert "low_resolution" in after["quality_flags"]
    assert after["id"] == before["id"] and after["file_hash"] == before["file_hash"]


@pytest.mark.skipif(sys.platform == "win32", reason="the decode lock is POSIX flock")
def test_a_huge_decode_runs_alone_while_ordinary_decodes_run_side_by_side(tmp_path, make_image, monkeypatch):
    """What another worker process finds while this one decodes: an ordinary progressive decode lets it
    decode too but holds back a huge one; a huge decode holds back every other locked decode; a baseline
    JPEG streams through a few MB and holds back nothing."""
    import fcntl

    from app.services.folders import decode_memory

    monkeypatch.setattr(decode_memory, "BIG_DECODE_BYTES", 2 * 2**20)
    lock_dir = str(tmp_path / "thumbs")
    ordinary = make_image("o.jpg", size=(800, 600), progressive=True)  # 4:2:0: 1.4 MB of coefficients
    huge = make_image("p.jpg", size=(800, 600), progressive=True, subsampling=0)  # 4:4:4: 2.9 MB
    baseline = make_image("base.jpg", size=(800, 600))

    def other_worker_may(mode: int) -> bool:
        with open(os.path.join(lock_dir, decode_memory.LOCK_NAME), "a") as handle:
            try:
                fcntl.flock(handle, mode | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(handle, fcntl.LOCK_UN)
            return True

    os.makedirs(lock_dir)
    with Image.open(ordinary) as header, decode_memory.big_decode_guard(header, lock_dir):
        assert other_worker_may(fcntl.LOCK_SH), "two ordinary decodes run side by side"
        assert not other_worker_may(fcntl.LOCK_EX), "a huge decode waits for the ordinary one"
    with Image.open(huge) as header, decode_memory.big_decode_guard(header, lock_dir):
        assert not other_worker_may(fcntl.LOCK_SH), "nothing else decodes beside a huge one"
    with Image.open(baseline) as header, decode_memory.big_decode_guard(header, lock_dir):
        assert other_worker_may(fcntl.LOCK_EX), "a huge decode runs beside a baseline one"
    assert other_worker_may(fcntl.LOCK_EX), "the lock is free once the decodes are done"


def test_a_full_thumbnail_disk_stops_the_scan_with_a_clear_error_and_keeps_what_was_measured(
    core, photos, make_image, executor, monkeypatch
):
    import errno

    from app.errors import StorageFull
    from app.services.folders import scan_worker

    for index in range(30):
        size = (64, 50) if index == 29 else (64, 48)  # the one the full disk refuses
        make_image(f"p{index:02d}.jpg", size=size, color=(index * 8, 90, 40), folder=photos)
    folder = folders.add_folder(core.db, str(photos))
    real_save = scan_worker.save_thumbnail

    def save(image, path, quality):
        if image.height == 50:  # the disk filled up just before p29's thumbnail
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_save(image, path, quality)

    monkeypatch.setattr(scan_worker, "save_thumbnail", save)
    with pytest.raises(StorageFull, match="disk holding the thumbnails .* is full") as raised:
        scan_folder(core.db, core.settings, folder["id"], executor=executor)
    kept = len(by_name(core, folder["id"]))
    assert kept >= 30 - 8 and f"{kept} files were measured and kept" in str(raised.value)

    monkeypatch.setattr(scan_worker, "save_thumbnail", real_save)  # space was freed
    again = scan_folder(core.db, core.settings, folder["id"], executor=executor)
    assert len(by_name(core, folder["id"])) == 30 and again["new"] == 30 - kept, "the rest, nothing twice"
