"""VideoPreview: the editor's player for a video (HTML5, served with range requests) and its strip of frames."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.core import Core
from app.ui.workspace.video.video_clips_panel import VideoClipsPanel
from app.ui.workspace.video.video_text import video_summary

STRIP_FRAMES = 8


class VideoPreview(ui.column):
    """A <video controls> of the clip with its poster, a duration line and a strip of evenly spaced frames."""

    def __init__(self, core: Core) -> None:
        super().__init__()
        self.classes("w-full gap-1")
        with self:
            self.player = (
                ui.element("video")
                .props("controls preload=metadata playsinline")
                .classes("cf-editor-video w-full max-h-[30vh] 2xl:max-h-[42vh] rounded bg-black")
                .mark("editor-video")
            )
            self.summary = ui.label().classes("text-xs text-gray-600").mark("editor-video-facts")
            self.strip = (
                ui.element("img")
                .props('alt="frames of the clip"')
                .classes("w-full h-12 object-contain bg-black rounded")
                .mark("editor-video-strip")
            )
            self.clips = VideoClipsPanel(core, seek=self.seek)

    async def show(self, file: dict[str, Any], caption_set_id: str | None = None) -> None:
        """Play this video file (a get_caption file dict with video_url); the strip and clips follow."""
        self.player.props(f'src="{file["video_url"]}" poster="{file.get("thumbnail_url") or ""}"')
        self.strip.props(f'src="/api/files/{file["id"]}/strip?frames={STRIP_FRAMES}"')
        self.summary.text = video_summary(file)
        await self.clips.show(file["id"], caption_set_id)

    def seek(self, seconds: float) -> None:
        """Play the clip from `seconds`."""
        ui.run_javascript(
            f"const v = getHtmlElement({self.player.id}); v.currentTime = {float(seconds)}; v.play();"
        )
