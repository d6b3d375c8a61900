"""VideoClipsPanel: scene detection for the open video, and accept / reject / join for each proposed clip."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import run, ui

from app.core import Core
from app.errors import CaptionForgeError
from app.services.video import video_clips
from app.services.video.video_shapes import Clip
from app.ui.workspace.video.video_text import duration_text
from app.vision.single import generate_for_clip

STATUS_COLOURS = {
    "proposed": "text-slate-600",
    "accepted": "text-green-700",
    "rejected": "text-red-700 line-through",
}


class VideoClipsPanel(ui.column):
    """The clips of one video; `seek(seconds)` is called to play a clip from its start."""

    def __init__(self, core: Core, seek: Callable[[float], None]) -> None:
        super().__init__()
        self.core = core
        self.classes("w-full gap-1")
        self.file_id: str | None = None
        self.caption_set_id: str | None = None
        self._seek = seek
        with self:
            with ui.row().classes("w-full items-center gap-2 no-wrap"):
                ui.label("Clips").classes("text-xs uppercase text-gray-500 grow")
                ui.button("Find scenes", icon="content_cut", on_click=self.detect).props(
                    "flat dense size=sm no-caps"
                ).mark("clips-detect")
            self.rows = ui.column().classes("w-full gap-0").mark("clips-list")

    async def show(self, file_id: str, caption_set_id: str | None = None) -> None:
        """Load the clips of this video (none yet: the whole video is one clip for exports)."""
        self.file_id, self.caption_set_id = file_id, caption_set_id
        await self._load(lambda: video_clips.list_clips(self.core.db, file_id))

    async def detect(self) -> None:
        if self.file_id:
            file_id = self.file_id
            await self._load(lambda: video_clips.detect_scenes(self.core.db, file_id), busy="Finding scenes…")

    async def _generate(self, clip_id: str) -> None:
        try:
            await generate_for_clip(self.core, clip_id, self.caption_set_id)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative")
        await self.show(self.file_id, self.caption_set_id)

    async def _act(self, work: Callable[[], Any]) -> None:
        file_id = self.file_id
        await self._load(lambda: (work(), video_clips.list_clips(self.core.db, file_id))[1])

    async def _load(self, work: Callable[[], list[Clip]], busy: str | None = None) -> None:
        if busy:
            self.rows.clear()
            with self.rows:
                ui.label(busy).classes("text-xs text-gray-500")
        try:
            clips = await run.io_bound(work)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative")
            clips = []
        self._render(clips)

    def _render(self, clips: list[Clip]) -> None:
        self.rows.clear()
        with self.rows:
            if not clips:
                ui.label("No clips: an export writes the whole video. Find scenes to split it.").classes(
                    "text-xs text-gray-500"
                ).mark("clips-none")
            for index, clip in enumerate(clips):
                self._row(clip, index, last=index == len(clips) - 1)

    def _row(self, clip: Clip, index: int, last: bool) -> None:
        db = self.core.db
        span = f"{duration_text(clip.start)}–{duration_text(clip.end)} ({clip.duration:g} s)"
        with ui.row().classes("w-full items-center gap-1 no-wrap").mark(f"clip-{clip.status}"):
            ui.button(icon="play_arrow", on_click=lambda c=clip: self._seek(c.start)).props(
                "flat dense size=sm"
            )
            ui.label(span).classes(f"text-xs grow {STATUS_COLOURS[clip.status]}").mark("clip-span")
            for status, icon in (("accepted", "check"), ("rejected", "close")):
                ui.button(
                    icon=icon,
                    on_click=lambda c=clip, s=status: self._act(lambda: video_clips.set_status(db, c.id, s)),
                ).props(f"flat dense size=sm {'color=primary' if clip.status == status else ''}").mark(
                    f"clip-{status[:-2]}-{index}"
                ).tooltip("Accept this clip" if status == "accepted" else "Leave this clip out")
            if self.caption_set_id:
                ui.button(icon="auto_awesome", on_click=lambda c=clip: self._generate(c.id)).props(
                    "flat dense size=sm"
                ).mark(f"clip-generate-{index}").tooltip("Caption this clip from its own frames")
            if not last:
                ui.button(
                    icon="link",
                    on_click=lambda c=clip: self._act(lambda: video_clips.remove_cut_after(db, c.id)),
                ).props("flat dense size=sm").mark(f"clip-join-{index}").tooltip(
                    "Remove the cut: join with the next clip"
                )
        if clip.caption_text:  # the clip's own caption (else exports use the video's)
            ui.label(clip.caption_text).classes("text-xs text-gray-700 pl-8 w-full").mark(
                f"clip-caption-{index}"
            )
