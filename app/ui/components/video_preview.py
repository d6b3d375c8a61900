"""VideoPreview: the editor's player for a video (HTML5, served with range requests) and its strip of frames."""

from __future__ import annotations

from typing import Any

from nicegui import ui

STRIP_FRAMES = 8


class VideoPreview(ui.column):
    """A <video controls> of the clip with its poster, a duration line and a strip of evenly spaced frames."""

    def __init__(self) -> None:
        super().__init__()
        self.classes("w-full gap-1")
        with self:
            self.player = (
                ui.element("video")
                .props("controls preload=metadata playsinline")
                .classes("w-full max-h-[30vh] 2xl:max-h-[42vh] rounded bg-black")
                .mark("editor-video")
            )
            self.summary = ui.label().classes("text-xs text-gray-600").mark("editor-video-facts")
            self.strip = (
                ui.element("img")
                .props('alt="frames of the clip"')
                .classes("w-full h-12 object-contain bg-black rounded")
                .mark("editor-video-strip")
            )

    def show(self, file: dict[str, Any]) -> None:
        """Play this video file (a get_caption file dict with video_url); the strip follows."""
        self.player.props(f'src="{file["video_url"]}" poster="{file.get("thumbnail_url") or ""}"')
        self.strip.props(f'src="/api/files/{file["id"]}/strip?frames={STRIP_FRAMES}"')
        self.summary.text = video_summary(file)


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
