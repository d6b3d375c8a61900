"""Videos are tracked beside images: metadata from one pass, a poster thumbnail, broken files as their own error."""

from __future__ import annotations

import hashlib
import io

import av
import pytest
from fastapi import FastAPI
from PIL import Image
from starlette.testclient import TestClient

from app.api import _domain_error
from app.api import files as files_api
from app.container import attach, build_services
from app.errors import CaptionForgeError
from app.services.folders import folders
from app.services.folders.scanning import scan_folder
from app.services.thumbnails import thumbnail_path
from app.services.video import video_scan
from tests.video_clips import make_clip, truncate


def scan(core, folder_id, executor):
    return scan_folder(core.db, core.settings, folder_id, executor=executor)


def files_client(core) -> TestClient:
    api = FastAPI()
    attach(api, build_services(core))
    api.include_router(files_api.router)
    api.add_exception_handler(CaptionForgeError, _domain_error)
    return TestClient(api)


def by_name(core, folder_id):
    return {f["filename"]: f for f in folders.list_folder_files(core.db, folder_id)}


@pytest.mark.parametrize(
    ("name", "codec", "audio"), [("a.mp4", "h264", True), ("b.webm", "vp9", False), ("c.avi", "mpeg4", True)]
)
def test_a_video_is_tracked_with_its_metadata_and_a_poster(core, photos, executor, name, codec, audio):
    clip = make_clip(photos / name, codec, seconds=2, fps=12, size=(64, 48), audio=audio)
    folder = folders.add_folder(core.db, str(photos))
    result = scan(core, folder["id"], executor)
    assert (result["new"], result["broken"]) == (1, 0)
    file = by_name(core, folder["id"])[name]
    assert file["scan_error"] is None and file["is_video"] is True
    assert (file["width"], file["height"], file["fps"], file["frame_count"]) == (64, 48, 12.0, 24)
    assert file["duration_seconds"] == pytest.approx(2.0, abs=0.1)
    assert file["video_codec"] == codec and file["has_audio"] is audio
    assert file["mime_type"].startswith("video/") and file["file_type"] == name.rsplit(".", 1)[1]
    assert file["file_hash"] == hashlib.sha256(clip.read_bytes()).hexdigest()
    with Image.open(thumbnail_path(core.settings.thumbnails_dir, file["thumbnail_key"])) as poster:
        assert poster.format == "WEBP" and poster.size == (64, 48)
        red = poster.convert("RGB").getpixel((60, 5))[0]
    assert 40 <= red <= 90  # a frame near the start of the ramp (the poster is a tenth in), not black


def test_a_broken_video_is_its_own_error_and_the_rest_of_the_scan_goes_on(core, photos, executor, make_image):
    truncate(make_clip(photos / "cut.mp4", "h264", seconds=2))
    (photos / "text.webm").write_text("not a video at all")
    (photos / "empty.mkv").write_bytes(b"")
    make_clip(photos / "good.mp4", "h264")
    make_image("still.jpg", folder=photos)
    folder = folders.add_folder(core.db, str(photos))
    result = scan(core, folder["id"], executor)
    files = by_name(core, folder["id"])
    assert result["phase"] == "done" and result["broken"] == 3
    for name in ("cut.mp4", "text.webm", "empty.mkv"):
        assert "video" in files[name]["scan_error"], files[name]["scan_error"]
        assert files[name]["thumbnail_url"] is None and files[name]["is_video"] is False
    assert files["cut.mp4"]["file_hash"] == hashlib.sha256((photos / "cut.mp4").read_bytes()).hexdigest()
    assert files["good.mp4"]["scan_error"] is None and files["still.jpg"]["is_video"] is False
    assert files["still.jpg"]["duration_seconds"] is None


def test_a_video_that_breaks_later_loses_its_old_metadata(core, photos, executor):
    clip = make_clip(photos / "a.mp4", "h264", seconds=2)
    folder = folders.add_folder(core.db, str(photos))
    scan(core, folder["id"], executor)
    truncate(clip)
    scan(core, folder["id"], executor)
    file = by_name(core, folder["id"])["a.mp4"]
    assert file["scan_error"] and file["duration_seconds"] is None and file["frame_count"] is None


def test_hash_and_probe_read_the_file_about_once(photos, tmp_path, monkeypatch):
    clip = make_clip(photos / "a.mp4", "h264", seconds=3)
    read = []
    original = video_scan.HashingReader.read

    def counting(self, size=-1):
        data = original(self, size)
        read.append(len(data))
        return data

    monkeypatch.setattr(video_scan.HashingReader, "read", counting)
    result = {}
    options = type(
        "O", (), {"thumbnails_dir": str(tmp_path / "t"), "thumbnail_size": 64, "thumbnail_quality": 80}
    )
    video_scan.measure_video(str(clip), options, result)
    size = clip.stat().st_size
    assert result["file_hash"] == hashlib.sha256(clip.read_bytes()).hexdigest()
    assert (
        size <= sum(read) <= 2 * size
    )  # the demuxer's reads feed the hash; only skipped bytes are read again


def test_only_the_poster_frames_are_decoded(photos, tmp_path, monkeypatch):
    clip = make_clip(photos / "long.mp4", "h264", seconds=3, fps=24)
    decoded = []
    original = av.container.InputContainer.decode

    def counting(self, *args, **kwargs):
        for frame in original(self, *args, **kwargs):
            decoded.append(frame)
            yield frame

    monkeypatch.setattr(av.container.InputContainer, "decode", counting)
    options = type(
        "O", (), {"thumbnails_dir": str(tmp_path / "t"), "thumbnail_size": 64, "thumbnail_quality": 80}
    )
    video_scan.measure_video(str(clip), options, {})
    assert 1 <= len(decoded) <= 72 // 10 + 2  # up to the frame a tenth in, never the whole clip


def test_the_video_route_serves_ranges_and_only_tracked_videos(core, photos, executor, make_image):
    clip = make_clip(photos / "a.mp4", "h264", seconds=2)
    make_image("b.jpg", folder=photos)
    folder = folders.add_folder(core.db, str(photos))
    scan(core, folder["id"], executor)
    files = by_name(core, folder["id"])
    client = files_client(core)
    url = files["a.mp4"]["video_url"]
    whole = client.get(url)
    assert whole.status_code == 200 and whole.content == clip.read_bytes()
    assert whole.headers["content-type"] == "video/mp4" and whole.headers["accept-ranges"] == "bytes"
    part = client.get(url, headers={"Range": "bytes=10-99"})
    assert part.status_code == 206 and part.content == clip.read_bytes()[10:100]
    assert part.headers["content-range"] == f"bytes 10-99/{clip.stat().st_size}"
    assert client.get(url, headers={"Range": "bytes=999999-"}).status_code == 416
    assert client.get(f"/api/files/{files['b.jpg']['id']}/video").status_code == 404
    assert client.get("/api/files/..%2F..%2Fetc%2Fpasswd/video").status_code == 404
    thumb = client.get(files["a.mp4"]["thumbnail_url"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"


def test_a_lost_poster_thumbnail_is_made_again(core, photos, executor):
    make_clip(photos / "a.webm", "vp9")
    folder = folders.add_folder(core.db, str(photos))
    scan(core, folder["id"], executor)
    file = by_name(core, folder["id"])["a.webm"]
    thumbnail_path(core.settings.thumbnails_dir, file["thumbnail_key"]).unlink()
    response = files_client(core).get(file["thumbnail_url"])
    assert response.status_code == 200 and response.content[:4] == b"RIFF"


def test_the_strip_shows_evenly_spaced_frames_in_time_order(core, photos, executor, make_image):
    make_clip(photos / "a.mp4", "h264", seconds=2, fps=12)
    make_image("b.jpg", folder=photos)
    folder = folders.add_folder(core.db, str(photos))
    scan(core, folder["id"], executor)
    files = by_name(core, folder["id"])
    client = files_client(core)
    response = client.get(f"/api/files/{files['a.mp4']['id']}/strip?frames=4")
    assert response.status_code == 200 and response.headers["content-type"] == "image/webp"
    with Image.open(io.BytesIO(response.content)) as strip:
        assert strip.height == 96 and strip.width == 4 * 128 + 3 * 2
        reds = [strip.convert("RGB").getpixel((x * 130 + 120, 5))[0] for x in range(4)]
    assert reds == sorted(reds) and reds[-1] - reds[0] > 50  # the ramp brightens: later frames to the right
    assert client.get(f"/api/files/{files['b.jpg']['id']}/strip").status_code == 404
    assert client.get(f"/api/files/{files['a.mp4']['id']}/strip?frames=0").status_code == 422
    assert client.get(f"/api/files/{files['a.mp4']['id']}/strip?frames=999").status_code == 422
