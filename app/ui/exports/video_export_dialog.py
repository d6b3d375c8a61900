"""Export a dataset's videos: a video trainer preset (each clip re-encoded with its .txt) or frames as images.

Awaited, the dialog returns the export's report, or None when closed without exporting.
"""

from __future__ import annotations

from typing import Any

from nicegui import run, ui

from app.container import AppServices
from app.errors import CaptionForgeError
from app.services.exports import video_export
from app.services.exports.video_export_presets import VIDEO_PRESETS, video_preset

FRAMES_MODE = "frames"


class VideoExportDialog(ui.dialog):
    def __init__(self, services: AppServices, dataset_id: str, caption_set_id: str | None) -> None:
        super().__init__()
        self.services = services
        self.dataset_id, self.caption_set_id = dataset_id, caption_set_id
        choices = {name: preset.label for name, preset in VIDEO_PRESETS.items()}
        choices[FRAMES_MODE] = "Frames as images (an image dataset)"
        with self, ui.card().classes("w-[640px] max-w-[96vw]").mark("video-export-dialog"):
            ui.label("Export videos").classes("text-lg font-semibold")
            self.preset = ui.select(
                choices, label="Trainer", value="musubi_tuner", on_change=self._preset_changed
            )
            self.preset.classes("w-full").mark("video-export-preset")
            self.rule = ui.label().classes("text-xs text-gray-600").mark("video-export-rule")
            with ui.row().classes("w-full gap-2") as self.video_fields:
                self.fps = (
                    ui.number("Frames per second", min=1, max=120, step=1).classes("w-36").mark("video-fps")
                )
                self.frames = ui.number("Most frames per clip", min=1, max=1025, step=1).classes("w-40")
                self.frames.mark("video-frames")
                self.resolution = ui.number("Long side (px)", min=32, max=4096, step=16).classes("w-36")
                self.resolution.mark("video-resolution")
            with ui.row().classes("w-full gap-2") as self.frame_fields:
                self.per_clip = ui.number("Frames per clip", value=4, min=1, max=64, step=1).mark(
                    "frames-per-clip"
                )
                self.image_format = ui.select(["png", "jpg", "webp"], value="png", label="Format").classes(
                    "w-28"
                )
            self.path = (
                ui.input("Target folder (empty: the exports folder)").classes("w-full").mark("video-path")
            )
            self.overwrite = ui.checkbox("Replace what is in the target").mark("video-overwrite")
            self.result = ui.column().classes("w-full gap-0").mark("video-export-result")
            with ui.row().classes("w-full justify-end"):
                ui.button("Close", on_click=lambda: self.submit(None)).props("flat")
                self.start = ui.button("Export", icon="ios_share", on_click=self._export).mark(
                    "video-export-start"
                )
        self._preset_changed()

    def _preset_changed(self, _event: Any = None) -> None:
        frames_mode = self.preset.value == FRAMES_MODE
        self.video_fields.set_visibility(not frames_mode)
        self.frame_fields.set_visibility(frames_mode)
        if frames_mode:
            self.rule.text = "Evenly spaced frames of each accepted clip, each with the clip's caption."
            return
        chosen = video_preset(self.preset.value)
        self.rule.text = chosen.description
        self.fps.value, self.frames.value, self.resolution.value = (
            chosen.fps,
            chosen.frames,
            chosen.resolution,
        )

    async def _export(self) -> None:
        if not self.caption_set_id:
            ui.notify("Choose a caption set first: the clips' captions come from it.", type="warning")
            return
        core = self.services
        common = {
            "caption_set_id": self.caption_set_id,
            "export_path": (self.path.value or "").strip(),
            "overwrite": bool(self.overwrite.value),
        }
        self.start.disable()
        self.result.clear()
        with self.result:
            ui.spinner()
        try:
            if self.preset.value == FRAMES_MODE:
                report = await run.io_bound(
                    video_export.export_frames, core.db, core.settings, self.dataset_id,
                    per_clip=int(self.per_clip.value or 4), image_format=self.image_format.value, **common,
                )  # fmt: skip
            else:
                report = await run.io_bound(
                    video_export.export_video_dataset, core.db, core.settings, self.dataset_id,
                    preset=self.preset.value, fps=self.fps.value, frames=self.frames.value,
                    resolution=self.resolution.value, **common,
                )  # fmt: skip
        except CaptionForgeError as exc:
            self._show_error(str(exc))
            return
        finally:
            self.start.enable()
        self._show(report)

    def _show_error(self, message: str) -> None:
        self.result.clear()
        with self.result:
            ui.label(message).classes("text-sm text-red-700").mark("video-export-error")

    def _show(self, report: dict[str, Any]) -> None:
        self.result.clear()
        with self.result:
            ui.label(f"{len(report['written'])} written to {report['path']}").classes(
                "text-sm text-green-800"
            ).mark("video-export-done")
            for skipped in report["skipped"][:20]:
                ui.label(f"Left out {skipped['file']}: {skipped['reason']}").classes("text-xs text-gray-600")
