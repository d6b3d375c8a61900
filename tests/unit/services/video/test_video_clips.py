"""Clips of a video: scene detection finds the hard cut, the user accepts, rejects or merges; all virtual."""

from __future__ import annotations

import sys

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from app.api import _domain_error
from app.api import videos as videos_api
from app.container import attach, build_services
from app.errors import CaptionForgeError, Invalid, NotFound
from app.services.folders import folders
from app.services.folders.scanning import scan_folder
from app.services.video import video_clips
from tests.video_clips import make_clip


def scanned(core, photos, executor):
    folder = folders.add_folder(core.db, str(photos))
    scan_folder(core.db, core.settings, folder["id"], executor=executor)
    return {f["filename"]: f for f in folders.list_folder_files(core.db, folder["id"])}


@pytest.mark.parametrize(("name", "codec"), [("cut.mp4", "h264"), ("cut.webm", "vp9"), ("cut.avi", "mpeg4")])
def test_scene_detection_finds_the_hard_cut(core, photos, executor, name, codec):
    make_clip(photos / name, codec, seconds=3, fps=12, cut_at=1.5)
    files = scanned(core, photos, executor)
    before = (photos / name).read_bytes()
    clips = video_clips.detect_scenes(core.db, files[name]["id"])
    assert [(c.start, c.end, c.status) for c in clips] == [
        (0.0, 1.5, "proposed"),
        (1.5, 3.0, "proposed"),
    ]
    assert (photos / name).read_bytes() == before and sorted(p.name for p in photos.iterdir()) == [name]


def test_a_video_without_a_cut_is_one_clip(core, photos, executor):
    make_clip(photos / "calm.mp4", "h264", seconds=2, fps=12)
    files = scanned(core, photos, executor)
    clips = video_clips.detect_scenes(core.db, files["calm.mp4"]["id"])
    assert [(c.start, c.end) for c in clips] == [(0.0, 2.0)]


def test_without_opencv_find_scenes_says_what_to_install(core, photos, executor, monkeypatch):
    """opencv-python needs the system's libGL: where it does not load, the user is told what to install."""
    make_clip(photos / "cut.mp4", "h264", seconds=2, fps=12, cut_at=1.0)
    files = scanned(core, photos, executor)
    monkeypatch.setitem(sys.modules, "scenedetect", None)  # import fails, as with libGL.so.1 missing
    with pytest.raises(video_clips.SceneDetectionUnavailable, match="libgl1") as caught:
        video_clips.detect_scenes(core.db, files["cut.mp4"]["id"])
    assert caught.value.http_status == 503
    assert video_clips.list_clips(core.db, files["cut.mp4"]["id"]) == []


def test_decisions_survive_a_second_detection_and_a_cut_can_be_removed(core, photos, executor):
    make_clip(photos / "cut.mp4", "h264", seconds=4, fps=12, cut_at=2)
    file_id = scanned(core, photos, executor)["cut.mp4"]["id"]
    first, second = video_clips.detect_scenes(core.db, file_id)
    video_clips.set_status(core.db, first.id, "accepted")
    video_clips.set_status(core.db, second.id, "rejected")
    again = video_clips.detect_scenes(core.db, file_id)
    assert [(c.id, c.status) for c in again] == [(first.id, "accepted"), (second.id, "rejected")]
    merged = video_clips.remove_cut_after(core.db, first.id)
    assert (merged.start, merged.end, merged.status) == (0.0, 4.0, "accepted")
    assert [c.id for c in video_clips.list_clips(core.db, file_id)] == [first.id]
    with pytest.raises(Invalid, match="no cut after it"):
        video_clips.remove_cut_after(core.db, first.id)
    manual = video_clips.add_clip(core.db, file_id, 0.5, 1.25)
    assert manual.status == "accepted" and manual.source == "manual" and manual.duration == 0.75
    ranges, waiting = video_clips.export_ranges(core.db, file_id, 4.0)
    assert [(r["start"], r["end"]) for r in ranges] == [(0.0, 4.0), (0.5, 1.25)] and waiting == 0


def test_clip_errors_are_clear(core, photos, executor, make_image):
    make_clip(photos / "a.mp4", "h264", seconds=2)
    make_image("b.jpg", folder=photos)
    files = scanned(core, photos, executor)
    video = files["a.mp4"]["id"]
    for start, end in [(-1, 1), (1, 1), (1.5, 0.5), (0, 9)]:
        with pytest.raises(Invalid, match="A clip runs from 0 to 2 s"):
            video_clips.add_clip(core.db, video, start, end)
    with pytest.raises(NotFound, match="not a usable video"):
        video_clips.detect_scenes(core.db, files["b.jpg"]["id"])
    with pytest.raises(Invalid, match="threshold"):
        video_clips.detect_scenes(core.db, video, threshold=0)
    with pytest.raises(Invalid, match="status is one of"):
        video_clips.set_status(core.db, video_clips.add_clip(core.db, video, 0, 1).id, "maybe")
    with pytest.raises(NotFound, match="No clip"):
        video_clips.set_status(core.db, "ghost", "accepted")


def test_the_clip_routes(core, photos, executor):
    make_clip(photos / "cut.mp4", "h264", seconds=3, fps=12, cut_at=1.5)
    video = scanned(core, photos, executor)["cut.mp4"]["id"]
    api = FastAPI()
    attach(api, build_services(core))
    api.include_router(videos_api.router)
    api.add_exception_handler(CaptionForgeError, _domain_error)
    client = TestClient(api)
    found = client.post(f"/api/files/{video}/clips/detect", json={})
    assert found.status_code == 200 and len(found.json()) == 2
    clip_id = found.json()[0]["id"]
    assert (
        client.put(f"/api/clips/{clip_id}/status", json={"status": "accepted"}).json()["status"] == "accepted"
    )
    assert client.put(f"/api/clips/{clip_id}/status", json={"status": "maybe"}).status_code == 422
    assert client.post(f"/api/files/{video}/clips", json={"start": 2, "end": 1}).status_code == 422
    captioned = client.put(f"/api/clips/{clip_id}/caption", json={"caption_text": " a  walk "})
    assert captioned.json()["caption_text"] == "a walk"
    assert (
        client.put(f"/api/clips/{clip_id}/caption", json={"caption_text": ""}).json()["caption_text"] is None
    )
    assert client.post("/api/clips/ghost/generate", json={"caption_set_id": "x"}).status_code == 404
    assert client.post(f"/api/clips/{clip_id}/remove-cut").json()["end"] == 3.0
    assert client.delete(f"/api/clips/{clip_id}").status_code == 204
    assert client.get(f"/api/files/{video}/clips").json() == []
    assert client.get("/api/files/ghost/clips").status_code == 404
    presets = client.get("/api/video-export-presets").json()
    assert {p["name"] for p in presets} == {"musubi_tuner", "diffusion_pipe", "ai_toolkit_wan", "ltx_video"}
    assert (
        client.post(
            "/api/datasets/ghost/video-export", json={"caption_set_id": "x", "preset": "ltx_video"}
        ).status_code
        == 404
    )
