"""How a video's facts read: durations as m:ss.s, the facts line under the player."""

from __future__ import annotations

from typing import Any


def video_summary(file: dict[str, Any]) -> str:
    """'0:04.0 · 24 fps · 96 frames · h264 · no audio' for the facts line."""
    parts = [duration_text(file.get("duration_seconds"))]
    if file.get("fps"):
        parts.append(f"{file['fps']:g} fps")
    if file.get("frame_count"):
        parts.append(f"{file['frame_count']} frames")
    if file.get("video_codec"):
        parts.append(file["video_codec"])
    parts.append("audio" if file.get("has_audio") else "no audio")
    return " · ".join(parts)


def duration_text(seconds: float | None) -> str:
    """m:ss.s (or h:mm:ss for an hour or more); a dash when unknown."""
    if seconds is None:
        return "—"
    minutes, rest = divmod(float(seconds), 60)
    if minutes >= 60:
        hours, minutes = divmod(int(minutes), 60)
        return f"{hours}:{minutes:02d}:{int(rest):02d}"
    return f"{int(minutes)}:{rest:04.1f}"
