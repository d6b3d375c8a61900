"""Clips: time ranges of a tracked video, virtual like dataset membership; nothing is copied until export.

Scene detection (PySceneDetect, content detector over PyAV) proposes one clip per scene. The user accepts
or rejects each clip, and may remove a cut (the clip is merged with the next one). An export writes the
accepted clips of a video, or the whole video when it has no clips.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.db import Database
from app.errors import BackendUnavailable, Invalid, NotFound
from app.models import TrackedFile, VideoClip
from app.services.safe_paths import servable
from app.services.video.video_shapes import Clip

STATUSES = ("proposed", "accepted", "rejected")
MIN_SCENE_SECONDS = 0.5  # a "scene" shorter than this is a flash, not a clip
DEFAULT_THRESHOLD = 27.0  # PySceneDetect's ContentDetector default


class SceneDetectionUnavailable(BackendUnavailable):
    """OpenCV, which scene detection runs on, does not load on this machine."""


def detect_scenes(
    db: Database,
    file_id: str,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    min_seconds: float = MIN_SCENE_SECONDS,
) -> list[Clip]:
    """Split a video at its hard cuts: its detected clips replace the ones proposed before (accepted and
    rejected clips stay as the user left them). Returns every clip of the video, in time order.

    Raises NotFound for a file that is not a usable video, Invalid for a bad threshold.
    """
    if not 1 <= threshold <= 100:
        raise Invalid(f"The threshold is 1-100 (lower finds more cuts; {DEFAULT_THRESHOLD:g} is usual)")
    path, duration, fps = _video(db, file_id)
    scenes = _scenes(path, threshold, max(1, round(min_seconds * (fps or 24))))
    if not scenes:
        scenes = [(0.0, duration)]
    with db.session() as session:
        session.execute(delete(VideoClip).where(VideoClip.file_id == file_id, VideoClip.status == "proposed"))
        kept = session.scalars(select(VideoClip).where(VideoClip.file_id == file_id)).all()
        for start, end in scenes:
            if not any(_same_range(clip, start, end) for clip in kept):
                session.add(VideoClip(file_id=file_id, start_seconds=start, end_seconds=end, source="scene"))
    return list_clips(db, file_id)


def list_clips(db: Database, file_id: str) -> list[Clip]:
    """The video's clips in time order."""
    with db.session() as session:
        if session.get(TrackedFile, file_id) is None:
            raise NotFound(f"No tracked file with id {file_id}.")
        query = select(VideoClip).where(VideoClip.file_id == file_id).order_by(VideoClip.start_seconds)
        return [Clip.of(clip) for clip in session.scalars(query)]


def add_clip(db: Database, file_id: str, start: float, end: float) -> Clip:
    """A clip the user marks by hand (accepted at once). Raises Invalid for a range outside the video."""
    _, duration, _ = _video(db, file_id)
    if not (0 <= start < end <= duration + 1e-3):
        raise Invalid(f"A clip runs from 0 to {duration:g} s with start before end, got {start:g}-{end:g}")
    with db.session() as session:
        clip = VideoClip(
            file_id=file_id, start_seconds=start, end_seconds=end, status="accepted", source="manual"
        )
        session.add(clip)
        session.flush()
        return Clip.of(clip)


def set_status(db: Database, clip_id: str, status: str) -> Clip:
    """Accept or reject a clip (or put it back to proposed)."""
    if status not in STATUSES:
        raise Invalid(f"A clip's status is one of {', '.join(STATUSES)}, got {status!r}")

    def change(_: Session, clip: VideoClip) -> None:
        clip.status = status

    return _edit_clip(db, clip_id, change)


def remove_cut_after(db: Database, clip_id: str) -> Clip:
    """Reject the cut at this clip's end: it and the next clip become one (which keeps this one's status)."""
    return _edit_clip(db, clip_id, _merge_with_next)


def set_caption(db: Database, clip_id: str, text: str | None) -> Clip:
    """The clip's own caption (empty or None: it takes its video's caption again)."""

    def change(_: Session, clip: VideoClip) -> None:
        clip.caption_text = clip_caption_text(text)

    return _edit_clip(db, clip_id, change)


def get_clip(db: Database, clip_id: str) -> Clip:
    return _edit_clip(db, clip_id, lambda _session, _clip: None)


def clip_caption_text(text: str | None) -> str | None:
    """A clip caption as stored: whitespace runs made single spaces; empty is None."""
    return " ".join((text or "").split()) or None


def clip_dict(clip: VideoClip) -> dict[str, Any]:
    """A clip row as the plain mapping a caption job's results carry (the shape of `Clip`)."""
    return Clip.of(clip).model_dump()


def delete_clip(db: Database, clip_id: str) -> None:
    with db.session() as session:
        session.delete(_require(session, clip_id))


def export_ranges(db: Database, file_id: str, duration: float | None) -> tuple[list[dict[str, Any]], int]:
    """What an export writes of one video: its accepted clips, or the whole video when it has no clips.

    Returns (ranges as {start, end, clip_id}, clips still waiting to be accepted or rejected).
    """
    clips = list_clips(db, file_id)
    if not clips:
        return [{"start": 0.0, "end": float(duration or 0.0), "clip_id": None, "caption": None}], 0
    accepted = [
        {"start": c.start, "end": c.end, "clip_id": c.id, "caption": c.caption_text}
        for c in clips
        if c.status == "accepted"
    ]
    return accepted, sum(1 for c in clips if c.status == "proposed")


def _scenes(path: str, threshold: float, min_frames: int) -> list[tuple[float, float]]:
    try:  # OpenCV loads only when asked for
        from scenedetect import ContentDetector, SceneManager, open_video
        from scenedetect.video_stream import VideoOpenFailure
    except ImportError as exc:  # opencv-python needs the system's libGL and GLib
        raise SceneDetectionUnavailable(
            f"Scene detection cannot load OpenCV ({exc}). On Debian or Ubuntu install its system libraries: "
            "sudo apt-get install libgl1 libglib2.0-0"
        ) from None

    try:
        video = open_video(path, backend="pyav")
        manager = SceneManager()
        manager.add_detector(ContentDetector(threshold=threshold, min_scene_len=min_frames))
        manager.detect_scenes(video)
    except (VideoOpenFailure, OSError, ValueError) as exc:
        raise NotFound(f"The video cannot be read for scene detection ({exc}): rescan its folder.") from None
    return [
        (round(start.seconds, 3), round(end.seconds, 3))
        for start, end in manager.get_scene_list(start_in_scene=True)
    ]


def _video(db: Database, file_id: str) -> tuple[str, float, float | None]:
    with db.session() as session:
        file = session.get(TrackedFile, file_id)
        if file is None:
            raise NotFound(f"No tracked file with id {file_id}.")
        if not file.is_video or file.scan_error:
            raise NotFound(f"{file.filename} is not a usable video ({file.scan_error or 'an image'}).")
        real = servable(file.file_path, file.folder.path, file.folder.follow_links)
        if real is None or not file.file_exists:
            raise NotFound(f"{file.filename} is missing or leads outside its tracked folder: rescan it.")
        return real, float(file.duration_seconds or 0.0), file.fps


def _require(session: Session, clip_id: str) -> VideoClip:
    clip = session.get(VideoClip, clip_id)
    if clip is None:
        raise NotFound(f"No clip with id {clip_id} (deleted, or merged into the one before it?).")
    return clip


def _same_range(clip: VideoClip, start: float, end: float) -> bool:
    return abs(clip.start_seconds - start) < 0.05 and abs(clip.end_seconds - end) < 0.05


def _edit_clip(db: Database, clip_id: str, change: Callable[[Session, VideoClip], None]) -> Clip:
    """Apply `change` to the clip in one transaction and answer the clip as it then is."""
    with db.session() as session:
        clip = _require(session, clip_id)
        change(session, clip)
        return Clip.of(clip)


def _merge_with_next(session: Session, clip: VideoClip) -> None:
    following = session.scalars(
        select(VideoClip)
        .where(VideoClip.file_id == clip.file_id, VideoClip.start_seconds >= clip.end_seconds - 1e-3)
        .order_by(VideoClip.start_seconds)
    ).first()
    if following is None:
        raise Invalid("This is the last clip of the video: there is no cut after it")
    clip.end_seconds = max(clip.end_seconds, following.end_seconds)
    session.delete(following)
