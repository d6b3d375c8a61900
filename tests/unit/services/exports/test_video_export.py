"""Video exports: each clip its own H.264 MP4 + .txt at the preset's frame rule, the trainer's config, frames
as images; every written clip is decoded back and counted."""

from __future__ import annotations

import json

import pytest
import tomllib
import yaml
from PIL import Image

from app.errors import Conflict, Invalid, NotFound
from app.services.captions import caption_sets, captions
from app.services.datasets import dataset_members, datasets
from app.services.exports.video_export import export_frames, export_video_dataset
from app.services.exports.video_export_presets import VIDEO_PRESETS, list_video_presets
from app.services.folders import folders
from app.services.folders.scanning import scan_folder
from app.services.video import video_clips
from app.services.video_probe import count_frames, probe_path
from tests.video_clips import make_clip


@pytest.fixture
def video_set(core, photos, executor, make_image):
    """A dataset of three videos (h264, vp9, mpeg4; the mpeg4 one has a hard cut), an image, captions."""
    make_clip(photos / "walk.mp4", "h264", seconds=3, fps=24, size=(96, 64))
    make_clip(photos / "wave.webm", "vp9", seconds=2, fps=30, size=(64, 48))
    make_clip(photos / "two_shots.avi", "mpeg4", seconds=4, fps=12, size=(80, 64), cut_at=2)
    make_image("still.jpg", folder=photos)
    folder = folders.add_folder(core.db, str(photos))
    scan_folder(core.db, core.settings, folder["id"], executor=executor)
    files = {f["filename"]: f for f in folders.list_folder_files(core.db, folder["id"])}
    dataset = datasets.create_dataset(core.db, "Moves")
    dataset_members.add_files(core.db, dataset.id, [f["id"] for f in files.values()])
    caption_set = caption_sets.create_caption_set(core.db, dataset.id, "Motion", "natural_simple")
    for name, text in [("walk.mp4", "a person walks\nto the left"), ("wave.webm", "a hand waves"),
                       ("two_shots.avi", "a room, then a checkerboard"), ("still.jpg", "a still")]:  # fmt: skip
        captions.save_caption(core.db, caption_set.id, files[name]["id"], text)
    return dataset.id, caption_set.id, files


def export(core, tmp_path, video_set, preset, **options):
    dataset_id, caption_set_id, _ = video_set
    target = tmp_path / f"out-{preset}"
    return export_video_dataset(
        core.db, core.settings, dataset_id, caption_set_id=caption_set_id, preset=preset,
        export_path=str(target), **options,
    )  # fmt: skip


@pytest.mark.parametrize("preset", list(VIDEO_PRESETS))
def test_every_clip_is_written_at_the_presets_frame_rule_and_decodes_back(core, tmp_path, video_set, preset):
    rule = VIDEO_PRESETS[preset]
    report = export(core, tmp_path, video_set, preset, fps=12, frames=33, resolution=64)
    root = tmp_path / f"out-{preset}"
    assert len(report["written"]) == 3 and report["skipped"] == []
    for clip in report["written"]:
        video = root / clip["video"]
        decoded = count_frames(video)
        info = probe_path(video)
        assert decoded == clip["frames"] and (decoded - 1) % rule.frame_step == 0, (preset, clip)
        assert info.codec == "h264" and info.fps == 12.0
        assert info.width % rule.size_multiple == 0 and info.height % rule.size_multiple == 0
        assert max(info.width, info.height) <= max(64, rule.size_multiple)
        assert video.with_suffix(".txt").read_text(encoding="utf-8").strip() == clip["caption"]
    by_source = {clip["source"].rsplit("/", 1)[1]: clip for clip in report["written"]}
    # 3 s at 12 fps holds 36 frames: the largest rule count within 33 and 36
    assert by_source["walk.mp4"]["frames"] == 33
    assert by_source["wave.webm"]["frames"] == (21 if rule.frame_step == 4 else 17)  # 2 s = 24 frames
    assert by_source["walk.mp4"]["caption"] == "a person walks to the left"  # one line
    assert not list(tmp_path.glob(".captionforge-export-*"))


def test_musubi_toml_has_the_video_section(core, tmp_path, video_set):
    export(core, tmp_path, video_set, "musubi_tuner", fps=12, frames=33, resolution=64)
    root = tmp_path / "out-musubi_tuner"
    config = tomllib.loads((root / "dataset.toml").read_text())
    assert config["general"]["caption_extension"] == ".txt"
    (entry,) = config["datasets"]
    assert entry["video_directory"] == str(root / "videos") and entry["cache_directory"] == str(
        root / "cache"
    )
    assert all((n - 1) % 4 == 0 for n in entry["target_frames"]) and entry["frame_extraction"] == "head"
    assert len(config["general"]["resolution"]) == 2


def test_diffusion_pipe_toml_points_at_the_clips(core, tmp_path, video_set):
    export(core, tmp_path, video_set, "diffusion_pipe", fps=12, frames=33, resolution=64)
    root = tmp_path / "out-diffusion_pipe"
    config = tomllib.loads((root / "dataset.toml").read_text())
    assert config["directory"][0]["path"] == str(root / "videos")
    assert config["frame_buckets"] == [1, 33] and config["enable_ar_bucket"] is True
    assert len(list((root / "videos").glob("*.mp4"))) == len(list((root / "videos").glob("*.txt"))) == 3


def test_ai_toolkit_is_one_folder_with_its_dataset_entry(core, tmp_path, video_set):
    export(core, tmp_path, video_set, "ai_toolkit_wan", fps=16, frames=33, resolution=64)
    root = tmp_path / "out-ai_toolkit_wan"
    (entry,) = yaml.safe_load((root / "ai_toolkit_dataset.yaml").read_text())["datasets"]
    assert entry["folder_path"] == str(root) and entry["caption_ext"] == "txt"
    assert entry["num_frames"] == 33 and entry["shrink_video_to_frames"] is True
    assert len(list(root.glob("*.mp4"))) == 3


def test_ltx_dataset_json_and_buckets_follow_8k_plus_1_and_32(core, tmp_path, video_set):
    report = export(core, tmp_path, video_set, "ltx_video", fps=12, frames=49, resolution=96)
    root = tmp_path / "out-ltx_video"
    rows = json.loads((root / "dataset.json").read_text())
    assert [row["media_path"] for row in rows] == [clip["video"] for clip in report["written"]]
    assert {row["caption"] for row in rows} >= {"a hand waves"}
    for bucket in (root / "buckets.txt").read_text().strip().split(";"):
        width, height, frames = map(int, bucket.split("x"))
        assert width % 32 == 0 and height % 32 == 0 and (frames - 1) % 8 == 0


def test_accepted_clips_are_exported_and_rejected_ones_are_not(core, tmp_path, video_set):
    _, _, files = video_set
    clips = video_clips.detect_scenes(core.db, files["two_shots.avi"]["id"])
    assert [(c.start, c.end) for c in clips] == [(0.0, 2.0), (2.0, 4.0)]
    report = export(core, tmp_path, video_set, "musubi_tuner", fps=12, frames=17, resolution=64)
    assert {"file": "two_shots.avi", "reason": "2 clip(s) not accepted or rejected yet"} in report["skipped"]
    video_clips.set_status(core.db, clips[0].id, "accepted")
    video_clips.set_status(core.db, clips[1].id, "rejected")
    (tmp_path / "out-musubi_tuner").rename(tmp_path / "first")
    report = export(core, tmp_path, video_set, "musubi_tuner", fps=12, frames=33, resolution=64)
    (clip,) = [c for c in report["written"] if c["source"].endswith("two_shots.avi")]
    assert (clip["start"], clip["end"]) == (0.0, 2.0) and clip["frames"] == 21  # 24 frames in 2 s -> 4k+1
    assert count_frames(tmp_path / "out-musubi_tuner" / clip["video"]) == 21
    with Image.open(_first_frame(tmp_path / "out-musubi_tuner" / clip["video"])) as picture:
        assert picture.convert("RGB").getpixel((5, 5))[1] < 200  # the dark first shot, not the checkerboard


def test_frames_as_images_write_an_image_dataset(core, tmp_path, video_set):
    dataset_id, caption_set_id, _ = video_set
    target = tmp_path / "frames"
    report = export_frames(
        core.db, core.settings, dataset_id, caption_set_id=caption_set_id, per_clip=3, image_format="jpg",
        export_path=str(target),
    )  # fmt: skip
    assert len(report["written"]) == 9
    images = sorted(target.glob("*.jpg"))
    assert [p.stem for p in images] == [f"{i:06d}" for i in range(1, 10)]
    for image in images:
        assert image.with_suffix(".txt").exists()
        with Image.open(image) as opened:
            assert opened.format == "JPEG"
    for item in report["written"]:
        assert (target / item["image"]).with_suffix(".txt").read_text().strip() == item["caption"]
    walk = [item for item in report["written"] if item["source"].endswith("walk.mp4")]
    assert len(walk) == 3 and walk[0]["caption"] == "a person walks to the left"


def test_bad_requests_get_clear_errors(core, tmp_path, video_set):
    with pytest.raises(NotFound, match="known: musubi_tuner"):
        export(core, tmp_path, video_set, "nope")
    for options, message in [({"fps": 0}, "fps"), ({"fps": "fast"}, "fps must be a number"),
                             ({"frames": 3}, "5 frames or more"), ({"resolution": 10_000}, "resolution")]:  # fmt: skip
        with pytest.raises(Invalid, match=message):
            export(core, tmp_path, video_set, "musubi_tuner", **options)
    export(core, tmp_path, video_set, "diffusion_pipe", fps=12, frames=17, resolution=64)
    with pytest.raises(Conflict, match="not empty"):
        export(core, tmp_path, video_set, "diffusion_pipe", fps=12, frames=17, resolution=64)
    with pytest.raises(Invalid, match="No clip could be written"):
        export(
            core, tmp_path, video_set, "ltx_video", fps=1, frames=9, resolution=64
        )  # every clip is too short


def test_every_preset_names_its_rule():
    for preset in list_video_presets():
        assert f"{preset['frame_step']}k+1" in preset["description"]
        assert f"multiples of {preset['size_multiple']}" in preset["description"]


def _first_frame(path):
    import io

    from app.services.video_probe import frames_at

    buffer = io.BytesIO()
    frames_at(path, [0.0])[0].save(buffer, "PNG")
    buffer.seek(0)
    return buffer


def test_an_image_export_leaves_the_videos_out_and_says_why(core, tmp_path, video_set):
    from app.services.exports import exports

    dataset_id, caption_set_id, _ = video_set
    request = {"caption_set_id": caption_set_id, "export_path": str(tmp_path / "images")}
    started = exports.start_export(core.db, core.settings, dataset_id, request)
    done = exports.run_export(core.db, core.settings, started.export_id)
    written = sorted(p.suffix for p in (tmp_path / "images").iterdir() if p.suffix != ".json")
    assert written == [".jpg", ".txt"], done
    reasons = {s["filename"]: s["reason"] for s in done.report["skipped"]}
    assert set(reasons) == {"walk.mp4", "wave.webm", "two_shots.avi"}
    assert all("video preset" in reason for reason in reasons.values())


def test_a_target_that_cannot_be_written_is_a_clear_error_and_leaves_nothing(core, tmp_path, video_set):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    dataset_id, caption_set_id, _ = video_set
    with pytest.raises(Invalid, match="cannot be written"):
        export_video_dataset(
            core.db, core.settings, dataset_id, caption_set_id=caption_set_id, preset="diffusion_pipe",
            export_path=str(blocker / "out"), fps=12, frames=17, resolution=64,
        )  # fmt: skip
    with pytest.raises(Invalid, match="cannot be written"):
        export_frames(
            core.db, core.settings, dataset_id, caption_set_id=caption_set_id, export_path=str(blocker / "f")
        )
    assert (
        blocker.read_text() == "not a folder"
        and sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    )
