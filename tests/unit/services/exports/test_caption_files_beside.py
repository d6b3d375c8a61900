"""Writing a caption set beside the originals: the plan, the backup, atomic writes and the undo."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest

from app.errors import Invalid, NotFound, ReadOnlyStorage, StorageFull
from app.services.captions import caption_sets, captions
from app.services.datasets import dataset_members, datasets
from app.services.exports import caption_files_beside as beside
from tests.factories import make_tracked_files


def seed(core, root: Path, texts: list[str | None]) -> dict:
    """Images on disk under root (one per text) in a dataset with a set "Tags" (trigger "ohwx")."""
    root.mkdir(parents=True, exist_ok=True)
    ids = make_tracked_files(core.db, len(texts), folder=str(root))
    images = sorted(root.glob("*.jpg")) or [root / f"img_{i + 1:04d}.jpg" for i in range(len(texts))]
    for image in images:
        image.write_bytes(b"\xff\xd8 not really a jpeg")
    dataset = datasets.create_dataset(core.db, "Portraits")
    dataset_members.add_files(core.db, dataset.id, ids)
    made = caption_sets.create_caption_set(core.db, dataset.id, "Tags", "tags", trigger_phrase="ohwx")
    for file_id, text in zip(ids, texts, strict=True):
        if text:
            captions.save_caption(core.db, made.id, file_id, text)
    return {"id": made.id, "file_ids": ids, "images": images}


def test_the_plan_lists_what_it_overwrites_and_what_it_skips(core, tmp_path) -> None:
    root = tmp_path / "photos"
    seeded = seed(core, root, ["ohwx, red dress", "ohwx, hat", None])
    (root / "img_0001.txt").write_text("old caption by hand", encoding="utf-8")
    plan = beside.plan_write_beside(core.db, seeded["id"])
    assert plan.counts.model_dump() == {"write": 2, "overwrite": 1, "create": 1, "skipped": 1}
    first = next(w for w in plan.writes if w.filename == "img_0001.jpg")
    assert first.exists and first.current_text == "old caption by hand"
    assert first.target == str(root / "img_0001.txt")
    assert [item.model_dump() for item in plan.skipped] == [
        {"file_id": seeded["file_ids"][2], "filename": "img_0003.jpg", "reason": "no caption in this set"}
    ]
    assert (root / "img_0001.txt").read_text() == "old caption by hand"  # a plan writes nothing
    assert not (root / "img_0002.txt").exists()


def test_writing_backs_up_first_and_undo_puts_everything_back(core, tmp_path) -> None:
    root = tmp_path / "photos"
    seeded = seed(core, root, ["ohwx, red dress", "ohwx, hat"])
    (root / "img_0001.txt").write_bytes(b"old caption\r\n")
    result = beside.write_beside(core.db, core.settings.data_dir, seeded["id"])
    assert (result.written, result.overwritten, result.created) == (2, 1, 1)
    assert (root / "img_0001.txt").read_text() == "ohwx, red dress"
    assert (root / "img_0002.txt").read_text() == "ohwx, hat"
    assert not list(root.glob(".*.tmp"))
    backup = core.settings.data_dir / "caption-backups" / result.backup_id
    manifest = (backup / "manifest.json").read_text()
    assert str(root / "img_0001.txt") in manifest and "ohwx, hat" in manifest
    assert [p.read_bytes() for p in backup.glob("*.txt")] == [b"old caption\r\n"]

    undone = beside.undo_write_beside(core.settings.data_dir, result.backup_id)
    assert (undone.restored, undone.removed, undone.kept) == (1, 1, [])
    assert (root / "img_0001.txt").read_bytes() == b"old caption\r\n"
    assert not (root / "img_0002.txt").exists()
    with pytest.raises(Exception, match="already undone"):
        beside.undo_write_beside(core.settings.data_dir, result.backup_id)


def test_undo_never_touches_a_file_changed_since(core, tmp_path) -> None:
    root = tmp_path / "photos"
    seeded = seed(core, root, ["ohwx, red dress", "ohwx, hat"])
    (root / "img_0001.txt").write_text("old", encoding="utf-8")
    result = beside.write_beside(core.db, core.settings.data_dir, seeded["id"])
    (root / "img_0001.txt").write_text("my later edit", encoding="utf-8")
    (root / "img_0002.txt").write_text("ohwx, hat, and more", encoding="utf-8")
    undone = beside.undo_write_beside(core.settings.data_dir, result.backup_id)
    assert (undone.restored, undone.removed) == (0, 0)
    assert len(undone.kept) == 2 and all("changed since" in k.reason for k in undone.kept)
    assert (root / "img_0001.txt").read_text() == "my later edit"
    assert (root / "img_0002.txt").read_text() == "ohwx, hat, and more"


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX permissions, not root")
def test_a_read_only_folder_is_skipped_with_a_reason(core, tmp_path) -> None:
    locked = tmp_path / "locked"
    seeded = seed(core, locked, ["ohwx, red dress"])
    locked.chmod(0o555)
    try:
        plan = beside.plan_write_beside(core.db, seeded["id"])
        assert plan.counts.write == 0
        assert "not writable" in plan.skipped[0].reason
        with pytest.raises(Invalid, match="not writable"):
            beside.write_beside(core.db, core.settings.data_dir, seeded["id"])
    finally:
        locked.chmod(0o755)
    assert not (locked / "img_0001.txt").exists()


def test_missing_images_excluded_ones_and_unchanged_files_are_skipped(core, tmp_path) -> None:
    root = tmp_path / "photos"
    seeded = seed(core, root, ["ohwx, a", "ohwx, b", "ohwx, c"])
    seeded["images"][0].unlink()
    (root / "img_0002.txt").write_text("ohwx, b\n", encoding="utf-8")
    (root / "img_0003.txt").mkdir()
    reasons = {s.filename: s.reason for s in beside.plan_write_beside(core.db, seeded["id"]).skipped}
    assert reasons["img_0001.jpg"] == "the image is missing on disk"
    assert "already holds this caption" in reasons["img_0002.jpg"]
    assert "in the way" in reasons["img_0003.jpg"]


def test_a_full_disk_leaves_every_file_as_it_was(core, tmp_path, monkeypatch) -> None:
    root = tmp_path / "photos"
    seeded = seed(core, root, ["ohwx, a", "ohwx, b", "ohwx, c"])
    (root / "img_0001.txt").write_text("old one", encoding="utf-8")
    real_replace, calls = os.replace, []

    def full_on_third(src, dst):
        calls.append(dst)
        if str(dst).endswith("img_0003.txt"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full_on_third)
    with pytest.raises(StorageFull, match="is full"):
        beside.write_beside(core.db, core.settings.data_dir, seeded["id"])
    monkeypatch.setattr(os, "replace", real_replace)
    assert (root / "img_0001.txt").read_text() == "old one"
    assert sorted(p.name for p in root.iterdir()) == [
        "img_0001.jpg",
        "img_0001.txt",
        "img_0002.jpg",
        "img_0003.jpg",
    ]
    assert not list((core.settings.data_dir / "caption-backups").iterdir())


@pytest.mark.parametrize("backup_id", ["../../etc", "", "20261203-120000-000000/../x", "nope"])
def test_undo_of_an_unknown_backup_is_not_found(core, backup_id) -> None:
    with pytest.raises(NotFound):
        beside.undo_write_beside(core.settings.data_dir, backup_id)


@pytest.mark.parametrize("extension", [".jpg", "../x", "", ".TXT/.."])
def test_only_caption_extensions_are_written(core, tmp_path, extension) -> None:
    seeded = seed(core, tmp_path / "photos", ["ohwx, a"])
    with pytest.raises(Invalid, match="extension"):
        beside.plan_write_beside(core.db, seeded["id"], extension)


def test_a_folder_the_app_may_not_write_is_skipped_even_when_running_as_root(
    core, tmp_path, monkeypatch
) -> None:
    locked = tmp_path / "locked"
    seeded = seed(core, locked, ["ohwx, red dress"])
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if str(p) == str(locked) else real_access(p, mode)
    )
    plan = beside.plan_write_beside(core.db, seeded["id"])
    assert plan.counts.write == 0 and "not writable" in plan.skipped[0].reason


def test_excluded_images_and_linked_caption_files_are_left_alone(core, tmp_path) -> None:
    root = tmp_path / "photos"
    seeded = seed(core, root, ["ohwx, a", "ohwx, b"])
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not yours", encoding="utf-8")
    (root / "img_0002.txt").symlink_to(elsewhere)
    dataset_id = caption_sets.get_caption_set(core.db, seeded["id"]).dataset_id
    dataset_members.set_excluded(core.db, dataset_id, [seeded["file_ids"][0]], True)
    reasons = {s.filename: s.reason for s in beside.plan_write_beside(core.db, seeded["id"]).skipped}
    assert reasons == {
        "img_0001.jpg": "excluded from the dataset",
        "img_0002.jpg": "img_0002.txt is a link; left alone",
    }
    assert elsewhere.read_text() == "not yours"


def test_unicode_names_and_multi_line_captions_are_written_as_utf8(core, tmp_path) -> None:
    root = tmp_path / "fotos é 写真"
    root.mkdir()
    ids = make_tracked_files(core.db, 1, folder=str(root), prefix="café 猫")
    (root / "café 猫_0001.jpg").write_bytes(b"img")
    dataset = datasets.create_dataset(core.db, "Uni")
    dataset_members.add_files(core.db, dataset.id, ids)
    made = caption_sets.create_caption_set(core.db, dataset.id, "N", "natural_simple", ensure_trigger=False)
    captions.save_caption(core.db, made.id, ids[0], "première ligne 😀\nzweite Zeile")
    result = beside.write_beside(core.db, core.settings.data_dir, made.id)
    assert result.created == 1
    assert (root / "café 猫_0001.txt").read_bytes() == "première ligne 😀\nzweite Zeile".encode()


def test_a_tampered_manifest_is_refused_not_followed(core, tmp_path) -> None:
    root = tmp_path / "photos"
    seeded = seed(core, root, ["ohwx, a"])
    result = beside.write_beside(core.db, core.settings.data_dir, seeded["id"])
    manifest = core.settings.data_dir / "caption-backups" / result.backup_id / "manifest.json"
    manifest.write_text('{"files": [{"original": "/etc/passwd", "text": "x", "backup": "../../x"}]}')
    with pytest.raises(Invalid, match="no readable manifest"):
        beside.undo_write_beside(core.settings.data_dir, result.backup_id)
    assert (root / "img_0001.txt").read_text() == "ohwx, a"


def test_an_undo_stopped_by_a_full_disk_can_be_finished_later(core, tmp_path, monkeypatch) -> None:
    root = tmp_path / "photos"
    seeded = seed(core, root, ["ohwx, a", "ohwx, b"])
    (root / "img_0001.txt").write_text("old a", encoding="utf-8")
    (root / "img_0002.txt").write_text("old b", encoding="utf-8")
    result = beside.write_beside(core.db, core.settings.data_dir, seeded["id"])
    real_replace = os.replace

    def full_for_b(src, dst):
        if str(dst).endswith("img_0002.txt"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", full_for_b)
    with pytest.raises(StorageFull):
        beside.undo_write_beside(core.settings.data_dir, result.backup_id)
    monkeypatch.setattr(os, "replace", real_replace)
    assert (root / "img_0001.txt").read_text() == "old a"
    assert (root / "img_0002.txt").read_text() == "ohwx, b"  # not half-written
    finished = beside.undo_write_beside(core.settings.data_dir, result.backup_id)
    assert (finished.restored, finished.kept) == (1, [])
    assert (root / "img_0002.txt").read_text() == "old b"


@pytest.mark.parametrize(
    ("code", "error", "words"),
    [(errno.EROFS, ReadOnlyStorage, "read-only"), (errno.EACCES, ReadOnlyStorage, "read-only")],
)
def test_a_folder_that_refuses_the_write_leaves_every_file_as_it_was(
    core, tmp_path, monkeypatch, code, error, words
) -> None:
    root = tmp_path / "photos"
    seeded = seed(core, root, ["ohwx, a", "ohwx, b"])
    (root / "img_0002.txt").write_text("old b", encoding="utf-8")
    real_replace = os.replace

    def refuse_b(src, dst):
        if str(dst).endswith("img_0002.txt"):
            raise OSError(code, os.strerror(code))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", refuse_b)
    with pytest.raises(error, match=words):
        beside.write_beside(core.db, core.settings.data_dir, seeded["id"])
    monkeypatch.setattr(os, "replace", real_replace)
    assert (root / "img_0002.txt").read_text() == "old b" and not (root / "img_0001.txt").exists()


def test_a_full_data_dir_stops_before_any_caption_is_written(core, tmp_path, monkeypatch) -> None:
    root = tmp_path / "photos"
    seeded = seed(core, root, ["ohwx, a", "ohwx, b"])
    (root / "img_0002.txt").write_text("old b", encoding="utf-8")

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(beside.shutil, "copy2", full)
    with pytest.raises(StorageFull, match="caption backup"):
        beside.write_beside(core.db, core.settings.data_dir, seeded["id"])
    assert (root / "img_0002.txt").read_text() == "old b" and not (root / "img_0001.txt").exists()
    assert not list((core.settings.data_dir / "caption-backups").iterdir())
