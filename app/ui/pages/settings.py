"""The Settings page: a list of sections, each its own component (vision, access, ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from app.ui.components.access_settings import AccessSettings
from app.ui.components.vision_endpoints import VisionEndpoints
from app.ui.components.vision_settings import VisionSettings
from app.ui.components.workspace_settings import WorkspaceSettings
from app.ui.layout import frame

# Each section is a component class (or function) that builds itself; add new sections here.
SECTIONS: list[Callable[[], Any]] = [VisionSettings, VisionEndpoints, WorkspaceSettings, AccessSettings]


@ui.page("/settings", title="Settings · CaptionForge")
def settings_page() -> None:
    with frame("Settings"):
        with ui.column().classes("w-full max-w-5xl mx-auto p-4 gap-4").mark("settings-sections"):
            for section in SECTIONS:
                with ui.card().classes("w-full"):
                    section()
