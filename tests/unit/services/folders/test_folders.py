"""Tracked folders: add, edit, remove (forget only), allowed roots and the server-side folder browser."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.services.folders import browse, folders
from app.services.folders.scanning import scan_folder
from app.services.paths import allowed_roots


def test_add_list_update_remove_keeps_files_on_disk(core, tmp_path, make_image):
    photos = tmp_path / "photos"
    image = make_image("a.jpg", folder=photos)
    added = folders.add_folder(core.db, str(photos), recursive=True, max_depth=2, notes="  cats ")
    assert (added["name"], added["recursive"], added["max_depth"], added["notes"]) == (
        "photos",
        True,
        2,
        "cats",
    )
    with pytest.raises(Conflict):
        folders.add_folder(core.db, str(photos) + "/")
    with ThreadPoolExecutor(1) as pool:
        scan_folder(core.db, core.settings, added["id"], executor=pool)
    assert [f["file_count"] for f in folders.list_folders(core.db)] == [1]
    changed = folders.update_folder(core.db, added["id"], enabled=False, name="Cats", notes="")
    assert (changed["enabled"], changed["name"], changed["notes"]) == (False, "Cats", None)
    with pytest.raises(Invalid):
        folders.update_folder(core.db, added["id"], max_depth=-1)
    with pytest.raises(Invalid):
        folders.update_folder(core.db, added["id"], path="/etc")
    removed = folders.remove_folder(core.db, added["id"])
    assert removed.files_forgotten == 1
    assert image.exists()
    assert folders.list_folders(core.db) == []
    with pytest.raises(NotFound):
        folders.get_folder(core.db, added["id"])


def test_a_path_outside_the_allowed_roots_is_refused(core, tmp_path):
    inside = tmp_path / "allowed" / "photos"
    inside.mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    core.settings["server"]["allowed_folders"] = [str(tmp_path / "allowed")]
    roots = allowed_roots(core.settings)
    assert folders.add_folder(core.db, str(inside), allowed_roots=roots)["path"] == str(inside.resolve())
    with pytest.raises(Forbidden, match="outside the folders CaptionForge"):
        folders.add_folder(core.db, str(outside), allowed_roots=roots)
    with pytest.raises(Forbidden, match="outside the folders CaptionForge"):
        folders.add_folder(core.db, str(inside / ".." / ".." / "elsewhere"), allowed_roots=roots)
    (inside / "escape").symlink_to(outside, target_is_directory=True)
    with pytest.raises(Forbidden, match="outside the folders CaptionForge"):
        browse.list_directory(str(inside / "escape"), roots)
    with pytest.raises(Invalid, match="full path"):
        browse.check_folder("relative/path", roots)
    with pytest.raises(NotFound):
        browse.check_folder(str(inside / "nope"), roots)


def test_browser_lists_subfolders_and_counts_images(tmp_path, make_image):
    root = tmp_path / "root"
    make_image("x.jpg", folder=root / "b")
    make_image("y.png", folder=root / "a")
    (root / ".hidden").mkdir()
    make_image("z.jpg", folder=root)
    roots = [root.resolve()]
    top = browse.list_directory(None, roots)
    assert [e.name for e in top.entries] == ["a", "b"]
    assert top.parent is None and top.images == 1
    below = browse.list_directory(top.entries[0].path, roots)
    assert below.parent == str(root.resolve()) and below.entries == []


def test_recent_folders_remembered_newest_first(tmp_path, settings):
    data_dir = settings.data_dir
    roots = [tmp_path.resolve()]
    for name in ("one", "two", "one"):
        (tmp_path / name).mkdir(exist_ok=True)
        browse.remember_folder(data_dir, str(tmp_path / name))
    assert browse.recent_folders(data_dir, roots) == [str(tmp_path / "one"), str(tmp_path / "two")]
    (tmp_path / "two").rmdir()
    assert browse.recent_folders(data_dir, roots) == [str(tmp_path / "one")]
