"""The clips of a caption job: a video with accepted clips is captioned clip by clip, each from frames of
its own time range, and each caption is kept on its clip (as the clip list's ✨ button does).

A job's `remaining` list holds file ids and, for clips, "clip:<clip id>" keys. Clip captions keep no
revisions and no hand-edit mark, so a job treats an existing clip caption like a hand-edited image
caption: it is redone only when both overwrite switches are on.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import DatasetFile, TrackedFile, VideoClip
from app.services.video.video_clips import clip_caption_text, clip_dict

CLIP_PREFIX = "clip:"
SKIP_CLIP_CAPTION = "clip has a caption"


def clip_key(clip_id: str) -> str:
    return f"{CLIP_PREFIX}{clip_id}"


def clip_id_of(key: str) -> str | None:
    """The clip id of a remaining-list key, or None for a file id."""
    return key[len(CLIP_PREFIX) :] if key.startswith(CLIP_PREFIX) else None


def accepted_clips(session: Session, dataset_id: str) -> dict[str, list[VideoClip]]:
    """file id -> the accepted clips (in time order) of every video of the dataset that has some."""
    query = (
        select(VideoClip)
        .join(DatasetFile, DatasetFile.file_id == VideoClip.file_id)
        .where(DatasetFile.dataset_id == dataset_id, VideoClip.status == "accepted")
        .order_by(VideoClip.file_id, VideoClip.start_seconds)
    )
    found: dict[str, list[VideoClip]] = {}
    for clip in session.scalars(query):
        found.setdefault(clip.file_id, []).append(clip)
    return found


def clip_skip_reason(clip: VideoClip, *, overwrite_existing: bool, overwrite_manual: bool) -> str | None:
    """Why a job leaves this clip's caption alone, or None when it (re)generates it."""
    if not (clip.caption_text or "").strip():
        return None
    return None if overwrite_existing and overwrite_manual else SKIP_CLIP_CAPTION


def clip_label(filename: str, clip: VideoClip) -> str:
    """How a clip is named in a job's progress and failures: "walk.mp4 [2-4 s]"."""
    return f"{filename} [{clip.start_seconds:g}-{clip.end_seconds:g} s]"


def load_clip_items(session: Session, keys: list[str]) -> dict[str, dict[str, Any]]:
    """key -> {file, clip} for the clip keys among `keys` whose clip is still there and accepted."""
    ids = [clip_id for key in keys if (clip_id := clip_id_of(key))]
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):  # bounded IN lists for every database
        rows = session.execute(
            select(VideoClip, TrackedFile)
            .join(TrackedFile, TrackedFile.id == VideoClip.file_id)
            .where(VideoClip.id.in_(ids[start : start + 500]), VideoClip.status == "accepted")
        )
        found.update((clip_key(clip.id), {"clip": clip, "file": file}) for clip, file in rows)
    return found


def save_clip_caption(session: Session, key: str, text: str, options: dict[str, Any], overwrite: bool):
    """Write a generated caption onto its clip, the way the single-clip path stores it.

    Returns (clip dict, None), or (None, reason) when the clip is gone or now has a caption to keep.
    """
    clip = session.get(VideoClip, clip_id_of(key))
    if clip is None:
        return None, "the clip was deleted or merged into another"
    reason = clip_skip_reason(
        clip, overwrite_existing=overwrite, overwrite_manual=bool(options.get("overwrite_manual"))
    )
    if reason:
        return None, reason
    clip.caption_text = clip_caption_text(text)
    return clip_dict(clip), None
