"""The scan over Pillow's own test images (broken, odd and regression files): it finishes, each file is
either usable or carries its own error. The images come from the sdist of the installed Pillow."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import PIL
import pytest

from app.services.folders import folders
from app.services.folders.scanning import scan_folder
from app.services.images import SUPPORTED_EXTENSIONS

pytestmark = pytest.mark.e2e


def _sdist(cache: Path) -> Path:
    found = sorted(cache.glob(f"pillow-{PIL.__version__}.tar.gz"))
    if found:
        return found[0]
    command = [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps"]
    done = subprocess.run(
        [*command, f"pillow=={PIL.__version__}", "-d", str(cache), "-q"], capture_output=True, timeout=300
    )
    found = sorted(cache.glob(f"pillow-{PIL.__version__}.tar.gz"))
    if done.returncode or not found:
        pytest.skip(
            f"offline? the Pillow {PIL.__version__} sdist could not be fetched: {done.stderr[-300:]!r}"
        )
    return found[0]


def test_the_scan_goes_through_pillows_test_images(core, tmp_path, pytestconfig):
    cache = getattr(pytestconfig, "cache", None)  # absent under -p no:cacheprovider
    sdist = _sdist(Path(cache.mkdir("pillow-sdist")) if cache else tmp_path / "sdist")
    photos = tmp_path / "pillow-images"
    photos.mkdir()
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            name = Path(member.name)
            if (
                member.isfile()
                and "Tests/images" in member.name
                and name.suffix.lower() in SUPPORTED_EXTENSIONS
            ):
                (photos / f"{name.parent.name}_{name.name}").write_bytes(archive.extractfile(member).read())
    count = len(list(photos.iterdir()))
    folder = folders.add_folder(core.db, str(photos))
    result = scan_folder(core.db, core.settings, folder["id"])  # the real process pool: crashes stay in it
    assert result["phase"] == "done" and result["seen"] == count == result["new"]
    files = folders.list_folder_files(core.db, folder["id"], limit=10_000)
    assert len(files) == count
    for file in files:
        assert file["scan_error"] or (file["phash"] and file["thumbnail_key"]), file["filename"]
    print(
        f"{count} Pillow test images: {result['broken']} broken with a reason, {count - result['broken']} usable"
    )
