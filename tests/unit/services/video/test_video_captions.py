"""Captioning a video: N evenly spaced frames, in time order, in one request to Ollama or an OpenAI server."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.jobs.runner import JobRunner
from app.services.captions import caption_sets
from app.vision.client import generate_caption
from app.vision.prompts import build_prompt
from tests.fakes.behaviour import CAPTION
from tests.job_seed import captions_of, seed_caption_set, write_images
from tests.unit.jobs_support import nicegui_loop, wait_for_status  # noqa: F401
from tests.video_clips import make_clip


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    # A brightening ramp: later frames are redder, so the order of what was sent shows in the colours.
    return make_clip(tmp_path / "clips" / "walk.mp4", "h264", seconds=4, fps=12, size=(320, 240))


def _point(core, fake, backend: str):
    core.settings["vision"].update(base_url=fake.url, backend=backend, retry_backoff=0.01)
    return fake


@pytest.mark.parametrize("backend", ["ollama", "openai"])
async def test_a_video_is_sent_as_evenly_spaced_frames_in_time_order(core, clip, backend, request):
    fake = _point(core, request.getfixturevalue(f"fake_{backend}"), backend)
    model = "qwen3-vl:4b-instruct" if backend == "ollama" else fake.models[0]
    result = await generate_caption(core.settings, clip, style="natural_simple", model=model)
    (sent,) = fake.chat_requests()
    assert len(sent["images"]) == 8  # the setting's default, all in one request
    assert all(image["format"] == "JPEG" and image["width"] >= 32 for image in sent["images"])
    reds = [image["mean_rgb"][0] for image in sent["images"]]
    assert reds == sorted(reds) and reds[-1] - reds[0] > 60, reds  # first to last, spread over the clip
    prompt = _prompt_text(sent["body"], backend)
    assert "8 images are frames of one video clip" in prompt and "in time order" in prompt
    assert "what moves" in prompt and "this video clip" in prompt
    assert result.raw["image"]["frames"] == 8 and result.caption.lower().rstrip(".") == CAPTION


async def test_the_frame_count_is_a_setting_and_trigger_and_length_apply(core, clip, fake_ollama):
    _point(core, fake_ollama, "ollama")
    core.settings["vision"]["video_frames"] = 3
    result = await generate_caption(
        core.settings, clip, style="natural_simple", trigger_phrase="ohwx walker", max_length=40
    )
    (sent,) = fake_ollama.chat_requests()
    assert len(sent["images"]) == 3 and "The 3 images are frames" in sent["body"]["messages"][0]["content"]
    assert result.caption.startswith("ohwx walker") and len(result.caption) <= 40


def test_the_image_prompt_is_unchanged_and_tags_ask_for_motion():
    assert "frames" not in build_prompt("natural_simple")
    tags = build_prompt("tags", video_frames=8)
    assert "Include tags for the motion" in tags and "in time order" in tags


@pytest.mark.usefixtures("nicegui_loop")
async def test_a_caption_job_captions_videos_from_frames_and_images_as_before(
    core, tmp_path, clip, fake_ollama
):
    _point(core, fake_ollama, "ollama")
    core.settings["vision"]["video_frames"] = 5
    seeded = seed_caption_set(core.db, [*write_images(tmp_path / "clips", 2), clip])
    runner = JobRunner(core)
    runner.start()
    job = await runner.submit(seeded.caption_set_id, parallel=1)
    done = await wait_for_status(core, job.id, "completed", timeout=60)
    assert (done.completed_files, done.failed_files) == (3, 0)
    counts = sorted(len(r["images"]) for r in fake_ollama.chat_requests())
    assert counts == [1, 1, 5]
    assert len(captions_of(core.db, seeded.caption_set_id)) == 3
    await runner.shutdown()


async def test_a_broken_video_is_a_clear_error(core, tmp_path, fake_ollama):
    from app.errors import Invalid

    _point(core, fake_ollama, "ollama")
    broken = tmp_path / "cut.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42 not really a video")
    with pytest.raises(Invalid, match="cut.mp4 cannot be sent to the model"):
        await generate_caption(core.settings, broken, style="natural_simple")
    assert fake_ollama.chat_requests() == []


def _prompt_text(body, backend: str) -> str:
    content = body["messages"][0]["content"]
    return content if backend == "ollama" else content[0]["text"]


async def test_a_clip_is_captioned_from_its_own_frames_and_exports_with_its_caption(
    core, tmp_path, fake_ollama, executor
):
    from app.services.datasets import dataset_members, datasets
    from app.services.exports.video_export import export_video_dataset
    from app.services.folders import folders
    from app.services.folders.scanning import scan_folder
    from app.services.video import video_clips
    from app.vision.single import generate_for_clip

    _point(core, fake_ollama, "ollama")
    core.settings["vision"]["video_frames"] = 4
    folder_path = tmp_path / "shots"
    make_clip(folder_path / "two.mp4", "h264", seconds=4, fps=12, size=(64, 48), cut_at=2)
    folder = folders.add_folder(core.db, str(folder_path))
    scan_folder(core.db, core.settings, folder["id"], executor=executor)
    (video,) = folders.list_folder_files(core.db, folder["id"])
    dataset = datasets.create_dataset(core.db, "Shots")
    dataset_members.add_files(core.db, dataset.id, [video["id"]])
    caption_set = caption_sets.create_caption_set(
        core.db, dataset.id, "Motion", "natural_simple", trigger_phrase="ohwx"
    )
    first, second = video_clips.detect_scenes(core.db, video["id"])
    clip = await generate_for_clip(core, second.id, caption_set.id)
    (sent,) = fake_ollama.chat_requests()
    assert len(sent["images"]) == 4
    assert all(image["mean_rgb"][2] > 150 for image in sent["images"]), sent[
        "images"
    ]  # the checkerboard shot
    assert clip["caption_text"].startswith("ohwx") and CAPTION in clip["caption_text"].lower()
    for each in (first, second):
        video_clips.set_status(core.db, each.id, "accepted")
    video_clips.set_caption(core.db, first.id, "  a dark   room  ")
    report = export_video_dataset(
        core.db, core.settings, dataset.id, caption_set_id=caption_set.id, preset="musubi_tuner",
        export_path=str(tmp_path / "out"), fps=12, frames=17, resolution=64,
    )  # fmt: skip
    texts = [
        (tmp_path / "out" / c["video"]).with_suffix(".txt").read_text().strip() for c in report["written"]
    ]
    assert texts == ["a dark room", clip["caption_text"]]  # the video itself has no caption in the set
