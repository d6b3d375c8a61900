"""A video in the workspace: the grid tile carries its duration, the editor plays it and shows its frames."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from nicegui.testing import User

from app.services.captions import caption_sets, captions
from app.services.datasets import dataset_members, datasets
from app.services.folders import folders
from app.services.folders.scanning import scan_folder
from app.services.video import video_clips
from app.ui.workspace.grid.thumb_grid import ThumbGrid, compact_item
from app.ui.workspace.video.video_text import duration_text, video_summary
from tests.app_services import running
from tests.ui.test_workspace_grid import eventually
from tests.video_clips import make_clip


async def test_the_editor_plays_a_video_and_shows_its_strip(user: User, tmp_path, make_image) -> None:
    await user.open("/")
    core = running()
    folder_path = tmp_path / "clips"
    make_clip(folder_path / "walk.mp4", "h264", seconds=2.5, fps=12, audio=True)
    make_image("still.jpg", folder=folder_path)
    folder = folders.add_folder(core.db, str(folder_path))
    with ThreadPoolExecutor(1) as pool:
        scan_folder(core.db, core.settings, folder["id"], executor=pool)
    files = {f["filename"]: f for f in folders.list_folder_files(core.db, folder["id"])}
    dataset = datasets.create_dataset(core.db, "Clips")
    dataset_members.add_files(core.db, dataset.id, [files["walk.mp4"]["id"], files["still.jpg"]["id"]])
    caption_set = caption_sets.create_caption_set(core.db, dataset.id, "Natural", "natural_simple")
    await user.open(f"/?dataset={dataset.id}&caption_set={caption_set.id}")
    grid = next(iter(user.find(marker="thumb-grid").elements))
    assert isinstance(grid, ThumbGrid)
    await eventually(lambda: len(grid.rows) == 2)
    video_id = files["walk.mp4"]["id"]
    assert compact_item(grid.rows[video_id])[7] == 2.5  # the tile's duration badge
    assert compact_item(grid.rows[files["still.jpg"]["id"]])[7] is None  # an image has none

    user.find(marker="thumb-grid").trigger("tile_click", {"id": video_id})
    await user.should_see("walk.mp4", marker="editor-filename", retries=50)
    player = user.find(marker="editor-video").elements.pop()
    assert player.props["src"] == f"/api/files/{video_id}/video" and "controls" in player.props
    assert (
        user.find(marker="editor-video-strip")
        .elements.pop()
        .props["src"]
        .startswith(f"/api/files/{video_id}/strip")
    )
    await user.should_see("0:02.5 · 12 fps · 30 frames · h264 · audio", marker="editor-video-facts")
    await user.should_not_see(marker="editor-preview")

    user.find(marker="thumb-grid").trigger("tile_click", {"id": files["still.jpg"]["id"]})
    await user.should_see("still.jpg", marker="editor-filename", retries=50)
    await user.should_see(marker="editor-preview")
    await user.should_not_see(marker="editor-video")


def test_durations_read_as_a_person_expects():
    assert duration_text(None) == "—"
    assert duration_text(4.04) == "0:04.0"
    assert duration_text(75.5) == "1:15.5"
    assert duration_text(3725) == "1:02:05"
    assert (
        video_summary({"duration_seconds": 1, "fps": 29.97, "frame_count": 30})
        == "0:01.0 · 29.97 fps · 30 frames · no audio"
    )


async def test_the_user_finds_scenes_and_accepts_rejects_and_joins_clips(user: User, tmp_path) -> None:
    await user.open("/")
    core = running()
    video, dataset, caption_set = _one_video_dataset(tmp_path, "two.mp4", seconds=4, fps=12, cut_at=2)
    await user.open(f"/?dataset={dataset.id}&caption_set={caption_set.id}")
    grid = next(iter(user.find(marker="thumb-grid").elements))
    await eventually(lambda: len(grid.rows) == 1)
    user.find(marker="thumb-grid").trigger("tile_click", {"id": video["id"]})
    await user.should_see(marker="clips-none", retries=50)
    user.find(marker="clips-detect").click()
    await user.should_see("0:00.0–0:02.0 (2 s)", marker="clip-span", retries=100)
    await user.should_see("0:02.0–0:04.0 (2 s)", marker="clip-span")
    assert [c.status for c in video_clips.list_clips(core.db, video["id"])] == ["proposed", "proposed"]
    user.find(marker="clip-accept-0").click()
    await eventually(lambda: video_clips.list_clips(core.db, video["id"])[0].status == "accepted")
    user.find(marker="clip-reject-1").click()
    await eventually(lambda: video_clips.list_clips(core.db, video["id"])[1].status == "rejected")
    user.find(marker="clip-join-0").click()
    await eventually(lambda: len(video_clips.list_clips(core.db, video["id"])) == 1)
    await user.should_see("0:00.0–0:04.0 (4 s)", marker="clip-span", retries=50)


async def test_a_clip_is_captioned_from_the_editor(user: User, tmp_path, fake_ollama) -> None:
    await user.open("/")
    core = running()
    core.settings["vision"].update(base_url=fake_ollama.url, retry_backoff=0.01)
    video, dataset, caption_set = _one_video_dataset(tmp_path, "two.mp4", seconds=4, fps=12, cut_at=2)
    video_clips.detect_scenes(core.db, video["id"])
    await user.open(f"/?dataset={dataset.id}&caption_set={caption_set.id}")
    grid = next(iter(user.find(marker="thumb-grid").elements))
    await eventually(lambda: len(grid.rows) == 1)
    user.find(marker="thumb-grid").trigger("tile_click", {"id": video["id"]})
    await user.should_see(marker="clip-generate-1", retries=50)
    user.find(marker="clip-generate-1").click()
    await user.should_see("red square", marker="clip-caption-1", retries=100)
    await user.should_not_see(marker="clip-caption-0")
    assert len(fake_ollama.chat_requests()[0]["images"]) == 8


async def test_the_video_export_dialog_names_the_rule_and_writes_the_clips(user: User, tmp_path) -> None:
    from nicegui import ui

    from app.services.video_probe import count_frames
    from app.ui.exports.video_export_dialog import VideoExportDialog

    await user.open("/")
    core = running()
    video, dataset, caption_set = _one_video_dataset(tmp_path, "walk.mp4", seconds=3, fps=12)
    captions.save_caption(core.db, caption_set.id, video["id"], "a person walks")

    @ui.page("/video-export-test")
    def _page() -> None:
        VideoExportDialog(running(), dataset.id, caption_set.id).open()

    await user.open("/video-export-test")
    await user.should_see("frame counts are 4k+1", marker="video-export-rule")
    user.find(marker="video-export-preset").elements.pop().set_value("ltx_video")
    await user.should_see("frame counts are 8k+1", marker="video-export-rule")
    assert user.find(marker="video-frames").elements.pop().value == 49
    user.find(marker="video-fps").elements.pop().set_value(12)
    user.find(marker="video-resolution").elements.pop().set_value(64)
    target = tmp_path / "ltx"
    user.find(marker="video-path").type(str(target))
    user.find(marker="video-export-start").click()
    await user.should_see(f"1 written to {target}", marker="video-export-done", retries=100)
    assert count_frames(target / "videos" / "000001.mp4") == 33  # 36 frames in 3 s at 12 fps -> 8k+1
    user.find(marker="video-export-start").click()
    await user.should_see("not empty", marker="video-export-error", retries=100)


def _one_video_dataset(tmp_path, name: str, **clip):
    """A scanned h264 clip in its own dataset with an empty caption set: (file, dataset, caption set)."""
    core = running()
    folder_path = tmp_path / "clips"
    make_clip(folder_path / name, "h264", **clip)
    folder = folders.add_folder(core.db, str(folder_path))
    with ThreadPoolExecutor(1) as pool:
        scan_folder(core.db, core.settings, folder["id"], executor=pool)
    (video,) = folders.list_folder_files(core.db, folder["id"])
    dataset = datasets.create_dataset(core.db, "Clips")
    dataset_members.add_files(core.db, dataset.id, [video["id"]])
    return video, dataset, caption_sets.create_caption_set(core.db, dataset.id, "Natural", "natural_simple")
