"""Paired caption files: found beside the image, decoded whatever the encoding, normalized, never modified."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from app.services.folders import folders
from app.services.folders.paired_captions import decode_caption, normalize_caption
from app.services.folders.scanning import scan_folder


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("a café, naïve".encode(), "a café, naïve"),
        (b"\xef\xbb\xbfwith bom", "with bom"),
        ("smart “quotes” – dash".encode("cp1252"), "smart “quotes” – dash"),
        (b"latin \x81 byte", "latin \x81 byte"),
        ("utf16 tag".encode("utf-16"), "utf16 tag"),
    ],
)
def test_encodings(data, text):
    assert decode_caption(data) == text


def test_normalize_line_endings_and_trailing_whitespace():
    assert normalize_caption("a photo  \r\nof a cat\t\r\rend   \n\n") == "a photo\nof a cat\n\nend"


def test_scan_imports_txt_and_caption_files_without_touching_them(core, tmp_path, make_image):
    photos = tmp_path / "photos"
    make_image("cat.jpg", folder=photos)
    make_image("dog.PNG", folder=photos, format="PNG")
    make_image("bird.jpg", folder=photos)
    (photos / "cat.txt").write_bytes(b"\xef\xbb\xbfa cat on a mat  \r\n")
    (photos / "dog.caption").write_bytes("a dog – running".encode("cp1252"))
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in photos.iterdir()}
    folder = folders.add_folder(core.db, str(photos))
    with ThreadPoolExecutor(1) as pool:
        scan_folder(core.db, core.settings, folder["id"], executor=pool)
        files = {f["filename"]: f for f in folders.list_folder_files(core.db, folder["id"])}
        assert files["cat.jpg"]["imported_caption"] == "a cat on a mat"
        assert files["cat.jpg"]["has_paired_caption"] is True
        assert files["dog.PNG"]["imported_caption"] == "a dog – running"
        assert files["bird.jpg"]["has_paired_caption"] is False
        assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in photos.iterdir()} == before

        # An edited caption beside an unchanged image is imported again on the next scan.
        caption = photos / "cat.txt"
        caption.write_text("a cat asleep", encoding="utf-8")
        os.utime(caption, ns=(caption.stat().st_atime_ns, caption.stat().st_mtime_ns + 10_000_000_000))
        (photos / "bird.txt").write_text("a bird", encoding="utf-8")
        scan_folder(core.db, core.settings, folder["id"], executor=pool)
    files = {f["filename"]: f for f in folders.list_folder_files(core.db, folder["id"])}
    assert files["cat.jpg"]["imported_caption"] == "a cat asleep"
    assert files["bird.jpg"]["imported_caption"] == "a bird"


def test_a_rescan_counts_the_caption_files_that_changed(core, tmp_path, make_image):
    photos = tmp_path / "photos"
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        make_image(name, folder=photos)
    (photos / "a.txt").write_text("first a", encoding="utf-8")
    (photos / "b.txt").write_text("first b", encoding="utf-8")
    folder = folders.add_folder(core.db, str(photos))
    with ThreadPoolExecutor(1) as pool:
        scan_folder(core.db, core.settings, folder["id"], executor=pool)
        for name in ("a.txt", "b.txt"):
            caption = photos / name
            caption.write_text(f"edited {name}", encoding="utf-8")
            os.utime(caption, ns=(caption.stat().st_atime_ns, caption.stat().st_mtime_ns + 10_000_000_000))
        summary = scan_folder(core.db, core.settings, folder["id"], executor=pool)
    assert summary["changed"] == 0 and summary["captions_changed"] == 2
    assert summary["captions_imported"] == 2
