"""Video dataset exports: each clip re-encoded to its own H.264 MP4 with a .txt caption, plus the trainer's
config; and "frames as images", which writes chosen frames of each clip as an image dataset.

Both write into a temp folder beside the target and put it in place at the end (export_target), so a failed
export leaves nothing half-written. Clips come from video_clips.export_ranges.
"""

from __future__ import annotations

import errno
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.config import Settings
from app.db import Database
from app.errors import Invalid, StorageFull
from app.models import new_id
from app.services.datasets.dataset_members import list_dataset_files, require_dataset
from app.services.exports.export_target import (
    commit,
    discard,
    require_confirmation,
    resolve_target,
    temp_folder,
)
from app.services.exports.video_export_presets import VideoPreset, config_files, video_dir, video_preset
from app.services.folders.folders import file_source
from app.services.safe_paths import servable
from app.services.video import video_clips
from app.services.video.video_encode import frames_available, snap_frames, snap_size, write_clip
from app.services.video.video_frames import even_frames
from app.services.video_probe import VideoDecodeError

FRAME_FORMATS = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}
MAX_FPS, MAX_FRAMES, MAX_SIDE = 120.0, 1025, 4096


@dataclass
class _Clip:
    row: Mapping[str, Any]
    path: str
    start: float
    end: float
    caption: str


def export_video_dataset(
    db: Database,
    settings: Settings,
    dataset_id: str,
    *,
    caption_set_id: str,
    preset: str,
    export_path: str = "",
    overwrite: bool = False,
    fps: float | None = None,
    frames: int | None = None,
    resolution: int | None = None,
) -> dict[str, Any]:
    """Write every accepted clip of the dataset's videos for the preset's trainer; returns the report
    {path, preset, written: [...], skipped: [{file, reason}], config_files: [...]}. Raises Invalid/Conflict."""
    chosen = video_preset(preset)
    fps, frames, resolution = _clip_settings(chosen, fps, frames, resolution)
    clips, skipped = _clips(db, dataset_id, caption_set_id)
    folder = video_dir(chosen)
    written: list[dict[str, Any]] = []
    with _export_folder(db, settings, dataset_id, export_path, overwrite, "videos") as (temp, target):
        (temp / folder).mkdir(parents=True, exist_ok=True)
        for clip in clips:
            entry = _write_one_clip(clip, chosen, temp, folder, len(written) + 1, fps, frames, resolution)
            if "reason" in entry:
                skipped.append(entry)
            else:
                written.append(entry)
        if not written:
            raise Invalid(_nothing_message(skipped))
        configs = config_files(chosen, str(target), written, fps)
        for name, text in configs.items():
            (temp / name).write_text(text, encoding="utf-8")
        _manifest(temp, written, skipped)
    return {
        "path": str(target),
        "preset": chosen.name,
        "rule": chosen.description,
        "fps": fps,
        "written": written,
        "skipped": skipped,
        "config_files": sorted(configs),
    }


def _clip_settings(
    chosen: VideoPreset, fps: float | None, frames: int | None, resolution: int | None
) -> tuple[float, int, int]:
    """(fps, frames, resolution): the values asked, else the preset's, checked. Raises Invalid."""
    fps = _number(fps if fps is not None else chosen.fps, "fps", 1.0, MAX_FPS)
    frames = int(_number(frames if frames is not None else chosen.frames, "frames", 1, MAX_FRAMES))
    resolution = int(
        _number(resolution if resolution is not None else chosen.resolution, "resolution", 32, MAX_SIDE)
    )
    if snap_frames(frames, frames, chosen.frame_step) < chosen.frame_step + 1:
        raise Invalid(
            f"{chosen.label} needs clips of {chosen.frame_step + 1} frames or more (frames {frames})"
        )
    return fps, frames, resolution


def _write_one_clip(
    clip: _Clip,
    chosen: VideoPreset,
    temp: Path,
    folder: str,
    number: int,
    fps: float,
    frames: int,
    resolution: int,
) -> dict[str, Any]:
    """Encode one clip as NNNNNN.mp4 with its .txt caption; the written entry, or a skip (with a reason)."""
    count = snap_frames(frames_available(clip.start, clip.end, fps), frames, chosen.frame_step)
    if count < chosen.frame_step + 1:
        return _skip(clip, f"shorter than {chosen.frame_step + 1} frames at {fps:g} fps")
    size = snap_size(clip.row["width"], clip.row["height"], resolution, chosen.size_multiple)
    stem = f"{number:06d}"
    relative = f"{folder}/{stem}.mp4" if folder else f"{stem}.mp4"
    try:
        write_clip(clip.path, temp / relative, start=clip.start, frames=count, fps=fps, size=size)
    except VideoDecodeError as exc:
        (temp / relative).unlink(missing_ok=True)
        return _skip(clip, str(exc))
    (temp / relative).with_suffix(".txt").write_text(clip.caption + "\n", encoding="utf-8")
    return {
        "video": relative,
        "caption": clip.caption,
        "frames": count,
        "width": size[0],
        "height": size[1],
        "source": clip.row["file_path"],
        "start": clip.start,
        "end": clip.end,
    }  # fmt: skip


def export_frames(
    db: Database,
    settings: Settings,
    dataset_id: str,
    *,
    caption_set_id: str,
    per_clip: int = 4,
    image_format: str = "png",
    export_path: str = "",
    overwrite: bool = False,
) -> dict[str, Any]:
    """Write `per_clip` evenly spaced frames of every exported clip as NNNNNN.<ext> + NNNNNN.txt (the clip's
    caption): an image dataset. Returns {path, written: [...], skipped: [...]}."""
    per_clip = int(_number(per_clip, "frames per clip", 1, 64))
    if image_format not in FRAME_FORMATS:
        raise Invalid(f"Frames are written as {', '.join(FRAME_FORMATS)}, got {image_format!r}")
    clips, skipped = _clips(db, dataset_id, caption_set_id)
    written: list[dict[str, Any]] = []
    with _export_folder(db, settings, dataset_id, export_path, overwrite, "frames") as (temp, target):
        for clip in clips:
            try:
                pictures = even_frames(clip.path, per_clip, start=clip.start, end=clip.end)
            except VideoDecodeError as exc:
                skipped.append(_skip(clip, str(exc)))
                continue
            for picture in pictures:
                stem = f"{len(written) + 1:06d}"
                name = f"{stem}.{image_format}"
                picture.convert("RGB").save(temp / name, FRAME_FORMATS[image_format])
                (temp / f"{stem}.txt").write_text(clip.caption + "\n", encoding="utf-8")
                written.append({"image": name, "caption": clip.caption, "source": clip.row["file_path"]})
        if not written:
            raise Invalid(_nothing_message(skipped))
        _manifest(temp, written, skipped)
    return {"path": str(target), "written": written, "skipped": skipped}


def _clips(db: Database, dataset_id: str, caption_set_id: str) -> tuple[list[_Clip], list[dict[str, Any]]]:
    """The clips to write (accepted ranges of each included, captioned video) and what was left out, why."""
    clips: list[_Clip] = []
    skipped: list[dict[str, Any]] = []
    for row in list_dataset_files(db, dataset_id, caption_set_id):
        if not row["is_video"] or row["excluded"]:
            continue
        caption = " ".join((row["caption_text"] or "").split())  # one line: trainers read the first
        path = _source_path(db, row["file_id"])
        if path is None:
            skipped.append({"file": row["filename"], "reason": "missing, or a link outside its folder"})
            continue
        ranges, waiting = video_clips.export_ranges(db, row["file_id"], row["duration_seconds"])
        if waiting:
            skipped.append(
                {"file": row["filename"], "reason": f"{waiting} clip(s) not accepted or rejected yet"}
            )
        if not ranges and not waiting:
            skipped.append({"file": row["filename"], "reason": "every clip was rejected"})
        for part in ranges:
            text = part["caption"] or caption  # a clip's own caption, else its video's
            if text:
                clips.append(_Clip(row, path, part["start"], part["end"], text))
            else:
                skipped.append({"file": row["filename"], "start": part["start"], "end": part["end"],
                                "reason": "no caption in this caption set"})  # fmt: skip
    return clips, skipped


@contextmanager
def _export_folder(
    db: Database, settings: Settings, dataset_id: str, export_path: str, overwrite: bool, kind: str
) -> Iterator[tuple[Path, Path]]:
    """(temp folder to write into, final target): the temp takes the target's place when the block ends,
    and is removed when it fails. A target that cannot be written is an Invalid (a full disk StorageFull)."""
    target = resolve_target(db, settings, "folder", export_path, f"{_slug(db, dataset_id)}-{kind}")
    require_confirmation(target, overwrite)
    temp = temp_folder(target.path, new_id())
    try:
        temp.mkdir(parents=True)
        yield temp, target.path
        commit(temp, target.path)
    except OSError as exc:
        discard(temp)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise StorageFull(f"The disk holding {target.path} is full: nothing was written.") from None
        raise Invalid(f"The export cannot be written to {target.path} ({exc.strerror or exc}).") from None
    except BaseException:
        discard(temp)
        raise


def _slug(db: Database, dataset_id: str) -> str:
    with db.session() as session:
        return require_dataset(session, dataset_id).name_filesystem_safe


def _source_path(db: Database, file_id: str) -> str | None:
    source = file_source(db, file_id)
    if not source["exists"] or source["scan_error"]:
        return None
    return servable(source["path"], source["root"], source["follow_links"])


def _manifest(temp: Path, written: list[dict[str, Any]], skipped: list[dict[str, Any]]) -> None:
    text = json.dumps({"written": written, "skipped": skipped}, indent=2, ensure_ascii=False) + "\n"
    (temp / "captionforge_manifest.json").write_text(text, encoding="utf-8")


def _skip(clip: _Clip, reason: str) -> dict[str, Any]:
    return {"file": clip.row["filename"], "start": clip.start, "end": clip.end, "reason": reason}


def _number(value: Any, what: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Invalid(f"{what} must be a number, got {value!r}") from None
    if not low <= number <= high:
        raise Invalid(f"{what} must be between {low:g} and {high:g}, got {number:g}")
    return number


def _nothing_message(skipped: list[dict[str, Any]]) -> str:
    if not skipped:
        return "The dataset has no videos to export (add video files, or include the excluded ones)."
    first = skipped[0]
    return f"No clip could be written: {first['file']}: {first['reason']} ({len(skipped)} left out in all)."
