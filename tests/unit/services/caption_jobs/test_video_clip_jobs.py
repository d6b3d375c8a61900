"""Auto-Caption jobs over videos with clips: each accepted clip is an item, captioned from frames of its
own time range and kept on the clip; a video without clips is captioned whole; images as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.jobs.runner import JobRunner
from app.services.captions import caption_sets
from app.services.datasets import dataset_members, datasets
from app.services.exports.video_export import export_video_dataset
from app.services.folders import folders
from app.services.folders.scanning import scan_folder
from app.services.video import video_clips
from app.services.video.video_shapes import Clip
from tests.fakes.behaviour import CAPTION
from tests.job_seed import captions_of, write_images
from tests.unit.jobs_support import nicegui_loop, wait_for_status, wait_until  # noqa: F401
from tests.video_clips import make_clip

FRAMES = 3


@pytest.fixture
def shots(core, tmp_path: Path, executor, fake_ollama):
    """An image, a video cut at 2 s with clips 0-2 (dark) and 2-4 (checkerboard) accepted and 1-3
    rejected, and a video without clips, in one dataset with a caption set (trigger "ohwx", 60 chars)."""
    core.settings["vision"].update(base_url=fake_ollama.url, backend="ollama", retry_backoff=0.01)
    core.settings["vision"]["video_frames"] = FRAMES
    folder_path = tmp_path / "shots"
    write_images(folder_path, 1)
    make_clip(folder_path / "cut.mp4", "h264", seconds=4, fps=12, size=(64, 48), cut_at=2)
    make_clip(folder_path / "whole.mp4", "h264", seconds=2, fps=12, size=(64, 48))
    folder = folders.add_folder(core.db, str(folder_path))
    scan_folder(core.db, core.settings, folder["id"], executor=executor)
    files = {f["filename"]: f for f in folders.list_folder_files(core.db, folder["id"])}
    dataset = datasets.create_dataset(core.db, "Shots")
    ids = [files[name]["id"] for name in ("img_00000.jpg", "cut.mp4", "whole.mp4")]
    dataset_members.add_files(core.db, dataset.id, ids)
    caption_set = caption_sets.create_caption_set(
        core.db, dataset.id, "Motion", "natural_simple", trigger_phrase="ohwx", max_length=60
    )
    cut = files["cut.mp4"]["id"]
    dark = video_clips.add_clip(core.db, cut, 0.0, 2.0)
    bright = video_clips.add_clip(core.db, cut, 2.0, 4.0)
    rejected = video_clips.add_clip(core.db, cut, 1.0, 3.0)
    video_clips.set_status(core.db, rejected.id, "rejected")
    return {
        "dataset": dataset.id,
        "set": caption_set.id,
        "image": ids[0],
        "cut": cut,
        "whole": ids[2],
        "dark": dark.id,
        "bright": bright.id,
        "rejected": rejected.id,
    }


def _blues(request) -> list[float]:
    return [image["mean_rgb"][2] for image in request["images"]]


def _clip(core, clip_id: str) -> Clip:
    return video_clips.get_clip(core.db, clip_id)


async def _started(core, shots, **options) -> tuple[JobRunner, dict]:
    """A running job runner and a job it was given over the caption set (one request at a time)."""
    runner = JobRunner(core)
    runner.start()
    return runner, await runner.submit(shots["set"], parallel=1, **options)


@pytest.mark.usefixtures("nicegui_loop")
async def test_a_job_captions_the_image_each_accepted_clip_from_its_range_and_the_clipless_video(
    core, shots, fake_ollama
):
    runner, job = await _started(core, shots)
    assert job.total_files == 4  # the image, two accepted clips, the video without clips
    done = await wait_for_status(core, job.id, "completed", timeout=60)
    await runner.shutdown()
    assert (done.completed_files, done.failed_files, done.skipped_files) == (4, 0, 0)
    image, dark, bright, whole = fake_ollama.chat_requests()  # one slot: dataset order, clips by time
    assert len(image["images"]) == 1
    assert [len(r["images"]) for r in (dark, bright, whole)] == [FRAMES] * 3
    assert all(blue < 100 for blue in _blues(dark)), _blues(dark)  # only the dark first half
    assert all(blue > 150 for blue in _blues(bright)), _blues(bright)  # only the checkerboard half
    assert all(blue < 100 for blue in _blues(whole))
    assert f"The {FRAMES} images are frames" in bright["body"]["messages"][0]["content"]
    for clip_id in ("dark", "bright"):
        text = _clip(core, shots[clip_id]).caption_text
        assert text.startswith("ohwx, ") and CAPTION.startswith(text[6:].lower()) and len(text) <= 60, text
    assert _clip(core, shots["rejected"]).caption_text is None
    stored = captions_of(core.db, shots["set"])
    assert set(stored) == {shots["image"], shots["whole"]}  # clip captions live on the clips


@pytest.mark.usefixtures("nicegui_loop")
async def test_a_paused_and_resumed_job_does_not_send_done_clips_again(core, shots, fake_ollama):
    fake_ollama.latency = 0.4
    runner, job = await _started(core, shots)

    def two_done() -> bool:
        from app.services.caption_jobs.caption_jobs import get_job

        return get_job(core.db, job.id).completed_files >= 2

    await wait_until(two_done, timeout=60)
    await runner.pause(job.id)
    paused = await wait_for_status(core, job.id, "paused", timeout=60)
    assert paused.remaining_files >= 1
    sent_before = len(fake_ollama.chat_requests())
    fake_ollama.latency = 0.0
    await runner.resume(job.id)
    done = await wait_for_status(core, job.id, "completed", timeout=60)
    await runner.shutdown()
    requests = fake_ollama.chat_requests()
    assert len(requests) == 4 and sent_before < 4  # every item once, none again after the resume
    assert (done.completed_files, done.total_files) == (4, 4)
    bright = [r for r in requests if len(r["images"]) == FRAMES and min(_blues(r)) > 150]
    assert len(bright) == 1


@pytest.mark.usefixtures("nicegui_loop")
async def test_existing_clip_captions_are_kept_unless_both_overwrite_switches_are_on(
    core, shots, fake_ollama
):
    video_clips.set_caption(core.db, shots["dark"], "written by hand")
    runner, job = await _started(core, shots)
    done = await wait_for_status(core, job.id, "completed", timeout=60)
    assert (done.completed_files, done.skipped_files) == (3, 1)
    assert _clip(core, shots["dark"]).caption_text == "written by hand"
    again = await runner.submit(shots["set"], parallel=1, overwrite_existing=True)
    done = await wait_for_status(core, again.id, "completed", timeout=60)
    assert _clip(core, shots["dark"]).caption_text == "written by hand"  # overwrite alone keeps it
    last = await runner.submit(shots["set"], parallel=1, overwrite_existing=True, overwrite_manual=True)
    await wait_for_status(core, last.id, "completed", timeout=60)
    await runner.shutdown()
    assert _clip(core, shots["dark"]).caption_text.startswith("ohwx")


@pytest.mark.usefixtures("nicegui_loop")
async def test_exported_clip_texts_carry_the_jobs_captions(core, shots, tmp_path, fake_ollama):
    words = ["a red photo", "a dark room", "a bright checkerboard", "a slow fade"]
    fake_ollama.script(*({"content": json.dumps({"caption": w, "flags": []})} for w in words))
    runner, job = await _started(core, shots)
    await wait_for_status(core, job.id, "completed", timeout=60)
    await runner.shutdown()
    report = export_video_dataset(
        core.db, core.settings, shots["dataset"], caption_set_id=shots["set"], preset="musubi_tuner",
        export_path=str(tmp_path / "out"), fps=12, frames=17, resolution=64,
    )  # fmt: skip
    texts = {
        c["video"]: (tmp_path / "out" / c["video"]).with_suffix(".txt").read_text().strip()
        for c in report["written"]
    }
    assert sorted(texts.values()) == ["ohwx, a bright checkerboard", "ohwx, a dark room", "ohwx, a slow fade"]
    assert _clip(core, shots["bright"]).caption_text == "ohwx, a bright checkerboard"


@pytest.mark.usefixtures("nicegui_loop")
async def test_a_job_interrupted_by_a_stop_resumes_without_sending_done_clips_again(core, shots, fake_ollama):
    from app.services.caption_jobs.caption_jobs import get_job

    fake_ollama.latency = 0.4
    runner, job = await _started(core, shots)
    await wait_until(lambda: get_job(core.db, job.id).completed_files >= 2, timeout=60)
    await runner.shutdown()  # the app stops: the job is left "interrupted" with its finished items kept
    stopped = get_job(core.db, job.id)
    assert stopped.status == "interrupted" and stopped.remaining_files >= 1
    fake_ollama.latency = 0.0
    core.settings["vision"]["auto_resume_jobs"] = True
    again = JobRunner(core)
    again.start()
    done = await wait_for_status(core, job.id, "completed", timeout=60)
    await again.shutdown()
    assert len(fake_ollama.chat_requests()) == 4 and done.completed_files == 4
    assert all(_clip(core, shots[k]).caption_text for k in ("dark", "bright"))


@pytest.mark.usefixtures("nicegui_loop")
async def test_a_failed_clip_is_named_and_retry_failed_captions_only_that_clip(core, shots, fake_ollama):
    fake_ollama.script("ok", "thinking_only")  # the dark clip (second item) gets no caption back
    runner, job = await _started(core, shots)
    done = await wait_for_status(core, job.id, "completed", timeout=60)
    assert done.failed_files == 1, done
    (failed,) = done.failed
    assert failed.filename == "cut.mp4 [0-2 s]" and _clip(core, shots["dark"]).caption_text is None
    sent = len(fake_ollama.chat_requests())
    await runner.retry_failed(job.id)
    done = await wait_for_status(core, job.id, "completed", timeout=60)
    await runner.shutdown()
    (retried,) = fake_ollama.chat_requests()[sent:]
    assert all(blue < 100 for blue in _blues(retried)) and len(retried["images"]) == FRAMES
    assert (done.completed_files, done.failed_files) == (4, 0)
    assert _clip(core, shots["dark"]).caption_text.startswith("ohwx")


def test_the_plan_counts_each_accepted_clip_as_an_item_and_the_dialog_says_so(core, shots):
    from app.services.caption_jobs.caption_job_plan import plan_job
    from app.ui.jobs.auto_caption_dialog import _summary

    plan = plan_job(core.db, shots["set"])
    assert (plan.total, plan.clips) == (4, 2)
    assert plan.to_caption == [
        shots["image"],
        f"clip:{shots['dark']}",
        f"clip:{shots['bright']}",
        shots["whole"],
    ]
    assert "2 of the items are clips of videos" in _summary(plan, 20)
    chosen = plan_job(core.db, shots["set"], file_ids=[shots["cut"]])  # a selected video: its clips
    assert chosen.to_caption == [f"clip:{shots['dark']}", f"clip:{shots['bright']}"]
