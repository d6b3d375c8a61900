"""A .txt beside an image edited on disk after the set imported it: marked after a rescan, and taken back."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from app.api import _domain_error
from app.api import captions as captions_api
from app.container import attach, build_services
from app.errors import CaptionForgeError, Invalid
from app.services.captions import caption_sets, captions
from app.services.captions.caption_file_changes import (
    caption_file_change,
    changed_caption_files,
    take_file_text,
)
from app.services.datasets import dataset_members, datasets
from app.services.folders import folders
from app.services.folders.scanning import scan_folder


def _edit(path: Path, text: str | bytes) -> None:
    """Write the caption file with an mtime clearly after the last scan."""
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000_000))


@pytest.fixture
def imported(core, tmp_path, make_image):
    """Three images with .txt files, scanned, in a dataset whose set (trigger "ohwx") imported them."""
    photos = tmp_path / "photos"
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        make_image(name, folder=photos)
        (photos / f"{name[0]}.txt").write_text(f"first {name[0]}", encoding="utf-8")
    folder = folders.add_folder(core.db, str(photos))
    pool = ThreadPoolExecutor(1)
    scan_folder(core.db, core.settings, folder["id"], executor=pool)
    ids = {f["filename"]: f["id"] for f in folders.list_folder_files(core.db, folder["id"])}
    dataset = datasets.create_dataset(core.db, "Shapes")
    dataset_members.add_files(core.db, dataset.id, list(ids.values()))
    caption_set = caption_sets.create_caption_set(
        core.db, dataset.id, "main", style="natural_simple", trigger_phrase="ohwx", init_from_imported=True
    )

    def rescan():
        return scan_folder(core.db, core.settings, folder["id"], executor=pool)

    yield {"photos": photos, "ids": ids, "set_id": caption_set.id, "rescan": rescan}
    pool.shutdown()


def test_nothing_is_marked_right_after_the_import(core, imported):
    assert changed_caption_files(core.db, imported["set_id"]) == []


def test_an_edited_txt_is_marked_after_a_rescan_and_its_text_can_be_taken(core, imported):
    photos, ids, set_id = imported["photos"], imported["ids"], imported["set_id"]
    _edit(photos / "b.txt", "a blue triangle, edited on disk")
    assert imported["rescan"]()["captions_changed"] == 1
    changed = changed_caption_files(core.db, set_id)
    assert [row.filename for row in changed] == ["b.jpg"]
    assert changed[0].file_text == "a blue triangle, edited on disk"
    assert changed[0].caption_text == "ohwx, first b"  # the caption is untouched until the user acts

    saved = take_file_text(core.db, set_id, ids["b.jpg"])
    assert saved.caption_text == "ohwx, a blue triangle, edited on disk"  # the trigger guarantee holds
    assert saved.source == "imported" and saved.manually_edited is False
    assert changed_caption_files(core.db, set_id) == []
    history = captions.list_revisions(core.db, saved.id)
    assert history[0].previous_text == "ohwx, first b"
    assert history[0].new_text == saved.caption_text
    # Undo through History: the earlier text comes back; the file's text counts as seen (not marked again).
    captions.revert_caption(core.db, saved.id, history[1].id)
    assert captions.get_caption(core.db, set_id, ids["b.jpg"])["caption"]["caption_text"] == "ohwx, first b"
    assert changed_caption_files(core.db, set_id) == []
    _edit(photos / "b.txt", "edited once more")  # a further edit on disk is marked again
    imported["rescan"]()
    assert [row.file_text for row in changed_caption_files(core.db, set_id)] == ["edited once more"]


def test_a_hand_edit_is_not_a_file_change(core, imported):
    set_id, ids = imported["set_id"], imported["ids"]
    captions.save_caption(core.db, set_id, ids["a.jpg"], "ohwx, my own words")
    imported["rescan"]()
    assert changed_caption_files(core.db, set_id) == []


def test_a_file_edited_to_the_captions_text_is_not_marked(core, imported):
    _edit(imported["photos"] / "c.txt", "ohwx, first c")  # the trigger is added on import anyway
    _edit(imported["photos"] / "a.txt", "first a  \r\n")  # only whitespace and line endings changed
    imported["rescan"]()
    assert changed_caption_files(core.db, imported["set_id"]) == []


@pytest.mark.parametrize(
    "text",
    [
        "<b>bold</b> <script>alert(1)</script>",
        "line one\nline two",
        "ünïcödé “quotes” 🐱",
        "{{ braces }} ${x} %s \\n",
    ],
)
def test_hostile_file_text_is_taken_verbatim(core, imported, text):
    _edit(imported["photos"] / "a.txt", text)
    imported["rescan"]()
    assert caption_file_change(core.db, imported["set_id"], imported["ids"]["a.jpg"]).file_text == text
    saved = take_file_text(core.db, imported["set_id"], imported["ids"]["a.jpg"])
    assert saved.caption_text == f"ohwx, {text}"


def test_take_reads_the_file_as_it_is_now(core, imported):
    """Edited again after the rescan: the user takes what is on disk, not the older scanned text."""
    _edit(imported["photos"] / "a.txt", "second")
    imported["rescan"]()
    _edit(imported["photos"] / "a.txt", "third")
    assert take_file_text(core.db, imported["set_id"], imported["ids"]["a.jpg"]).caption_text == "ohwx, third"
    assert changed_caption_files(core.db, imported["set_id"]) == []


def test_take_fails_clearly_when_the_file_is_gone_or_empty(core, imported):
    set_id, ids = imported["set_id"], imported["ids"]
    (imported["photos"] / "a.txt").unlink()
    with pytest.raises(Invalid, match="cannot be read"):
        take_file_text(core.db, set_id, ids["a.jpg"])
    _edit(imported["photos"] / "b.txt", b"  \r\n")
    with pytest.raises(Invalid, match="empty"):
        take_file_text(core.db, set_id, ids["b.jpg"])


def test_api_lists_and_takes(core, imported):
    api = FastAPI()
    attach(api, build_services(core))
    api.include_router(captions_api.router)
    api.add_exception_handler(CaptionForgeError, _domain_error)
    client = TestClient(api)
    set_id, ids = imported["set_id"], imported["ids"]
    _edit(imported["photos"] / "c.txt", "a green circle")
    imported["rescan"]()
    listed = client.get(f"/api/caption-sets/{set_id}/changed-caption-files")
    assert listed.status_code == 200
    assert [(row["filename"], row["file_text"]) for row in listed.json()] == [("c.jpg", "a green circle")]
    taken = client.post(f"/api/caption-sets/{set_id}/take-file-text", json={"file_id": ids["c.jpg"]})
    assert taken.status_code == 200 and taken.json()["caption_text"] == "ohwx, a green circle"
    assert client.get(f"/api/caption-sets/{set_id}/changed-caption-files").json() == []
    assert client.get("/api/caption-sets/nope/changed-caption-files").status_code == 404
    assert client.post(f"/api/caption-sets/{set_id}/take-file-text", json={}).status_code == 422
    assert (
        client.post(f"/api/caption-sets/{set_id}/take-file-text", json={"file_id": "ghost"}).status_code
        == 404
    )
