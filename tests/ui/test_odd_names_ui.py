"""The workspace grid and caption editor with files whose names are not UTF-8: shown readably, never a crash."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from nicegui.testing import User
from PIL import Image

from app.services.captions import caption_sets, captions
from app.services.datasets import dataset_members, datasets
from app.services.folders import folders
from app.services.folders.scanning import scan_folder
from app.ui.workspace.grid.thumb_grid import ThumbGrid
from tests.app_services import running
from tests.ui.test_workspace_grid import eventually

NAMES = [b"caf\xe9_\xff\xfe.jpg", b"\x80\x81.png"]


async def test_the_grid_and_the_editor_show_a_non_utf8_name_readably(user: User, tmp_path: Path) -> None:
    await user.open("/")
    core = running()
    photos = os.path.join(os.fsencode(tmp_path), b"photos")
    os.mkdir(photos)
    for index, name in enumerate(NAMES):
        Image.new("RGB", (48, 40 + index), (200, 60, 40 * index)).save(os.path.join(photos, name))
    with open(os.path.join(photos, b"caf\xe9_\xff\xfe.txt"), "wb") as handle:
        handle.write(b"an imported caption beside the odd name")
    folder = folders.add_folder(core.db, os.fsdecode(photos))
    with ThreadPoolExecutor(1) as pool:
        assert scan_folder(core.db, core.settings, folder["id"], executor=pool)["new"] == 2
    file_ids = [f["id"] for f in folders.list_folder_files(core.db, folder["id"])]
    dataset = datasets.create_dataset(core.db, "Odd names")
    dataset_members.add_files(core.db, dataset.id, file_ids)
    caption_set = caption_sets.create_caption_set(core.db, dataset.id, "Natural", "natural_simple")

    await user.open(f"/?dataset={dataset.id}&caption_set={caption_set.id}")
    grid = next(iter(user.find(marker="thumb-grid").elements))
    assert isinstance(grid, ThumbGrid)
    await eventually(lambda: len(grid.rows) == 2)
    shown = {row["filename"] for row in grid.rows.values()}
    assert shown == {"caf\ufffd_\ufffd\ufffd.jpg", "\ufffd\ufffd.png"}
    assert all(name.encode("utf-8") for name in shown)  # no lone surrogate reaches the browser
    odd = next(i for i, row in grid.rows.items() if row["filename"].startswith("caf"))
    user.find(marker="thumb-grid").trigger("tile_click", {"id": odd})
    await user.should_see("caf\ufffd_\ufffd\ufffd.jpg", marker="editor-filename", retries=50)
    await user.should_see("an imported caption beside the odd name", retries=50)
    user.find(marker="caption-input").type("a red square")
    user.find(marker="editor-save").click()
    await eventually(
        lambda: (
            (captions.get_caption(core.db, caption_set.id, odd)["caption"] or {}).get("caption_text")
            == "a red square"
        )
    )


async def test_the_file_details_name_a_non_utf8_twin_readably(user: User, tmp_path: Path) -> None:
    from app.ui.folders.folder_file_dialog import FileDetailsDialog

    await user.open("/folders")
    core = running()
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.new("RGB", (48, 40), "red").save(photos / "plain.png")
    with open(os.path.join(os.fsencode(photos), b"copy \xff.png"), "wb") as handle:
        handle.write((photos / "plain.png").read_bytes())  # the same bytes under a name that is not UTF-8
    folder = folders.add_folder(core.db, str(photos))
    with ThreadPoolExecutor(1) as pool:
        scan_folder(core.db, core.settings, folder["id"], executor=pool)
    plain = next(f for f in folders.list_folder_files(core.db, folder["id"]) if f["filename"] == "plain.png")
    with user.client:
        FileDetailsDialog(running().db, plain["id"]).open()
    await user.should_see(marker="file-duplicate", retries=50)
    (twin,) = [label.text for label in user.find(marker="file-duplicate").elements]
    assert twin.endswith("copy \ufffd.png") and twin.encode("utf-8")
