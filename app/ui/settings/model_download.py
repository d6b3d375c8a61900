"""The model download dialog: percent, bytes, speed, status, Cancel; closes itself on success; says
what to do (and offers Retry) when the tag is unknown, the disk is full or the server went away."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.vision.downloads import Downloads, DownloadState


class ModelDownloadDialog(ui.dialog):
    """`await ModelDownloadDialog(downloads, settings_values, model)` -> "success" | "cancelled" | "error" | None."""

    def __init__(
        self, downloads: Downloads, settings_values: Any, model: str, close_after: float = 2.0
    ) -> None:
        super().__init__()
        self.props("persistent")
        self._settings = settings_values
        self.model = model
        self._close_after = close_after
        self._registry = downloads
        with self, ui.card().classes("w-[28rem] gap-2").mark("download-dialog"):
            ui.label(f"Downloading {model}").classes("text-lg font-semibold").mark("download-title")
            self._bar = ui.linear_progress(value=0, show_value=False).classes("h-3").mark("download-bar")
            self._percent = ui.label("0%").mark("download-percent")
            self._bytes = ui.label("").classes("text-sm").mark("download-bytes")
            self._speed = ui.label("").classes("text-sm").mark("download-speed")
            self._status = ui.label("Starting").classes("text-sm text-gray-600").mark("download-status")
            self._error = (
                ui.label("").classes("text-sm text-red-700 whitespace-pre-wrap").mark("download-error")
            )
            self._command = ui.label("").classes("font-mono text-sm bg-gray-100 p-1").mark("download-command")
            with ui.row().classes("w-full justify-end"):
                self._retry = ui.button("Retry", on_click=self._start).props("flat").mark("download-retry")
                self._close = ui.button("Close", on_click=lambda: self.submit("error")).props("flat")
                self._close.mark("download-close")
                self._cancel = ui.button("Cancel", on_click=self._cancel_download).props(
                    "flat color=negative"
                )
                self._cancel.mark("download-cancel")
            self._timer = ui.timer(0.3, self._refresh)
        self._start()

    def _start(self) -> None:
        self._registry.start(self._settings, self.model)
        self._timer.activate()
        self._show(self._registry.get(self.model))

    def _cancel_download(self) -> None:
        self._registry.cancel(self.model)
        self._timer.deactivate()
        self.submit("cancelled")

    def _refresh(self) -> None:
        state = self._registry.get(self.model)
        if state is None:
            return
        self._show(state)
        if state.state == "success":
            self._timer.deactivate()
            ui.timer(self._close_after, lambda: self.submit("success"), once=True)
        elif state.state != "running":
            self._timer.deactivate()

    def _show(self, state: DownloadState | None) -> None:
        if state is None:
            return
        self._bar.value = state.percent / 100
        self._percent.text = f"{state.percent:.0f}%"
        self._bytes.text = (
            f"Downloaded: {_size(state.completed)} / {_size(state.total)}" if state.total else ""
        )
        self._speed.text = (
            f"Speed: {_size(state.speed_bps)}/s" if state.speed_bps and state.state == "running" else ""
        )
        self._status.text = "Download complete" if state.state == "success" else f"Status: {state.status}"
        failed = state.state == "error"
        self._error.text = state.error or "" if failed else ""
        self._command.text = state.command or ""
        self._command.visible = bool(state.command)
        self._retry.visible = failed and state.error_kind != "unsupported"
        self._close.visible = failed
        self._cancel.visible = state.state == "running"


def _size(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.1f} {unit}" if unit != "B" else f"{count:.0f} B"
        count /= 1024
    return f"{count:.1f} GB"
