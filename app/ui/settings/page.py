"""The Settings page: a list of sections, each its own component (vision, access, ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from app.container import AppServices
from app.ui.layout import frame
from app.ui.page_services import with_services
from app.ui.settings.access_settings import AccessSettings
from app.ui.settings.vision_endpoints import VisionEndpoints
from app.ui.settings.vision_settings import VisionSettings
from app.ui.settings.workspace_settings import WorkspaceSettings


def register(services: AppServices) -> None:
    """Serve the Settings page."""
    ui.page("/settings", title="Settings · CaptionForge")(with_services(settings_page, services))


def settings_page(services: AppServices) -> None:
    with frame("Settings"):
        with ui.column().classes("w-full max-w-5xl mx-auto p-4 gap-4").mark("settings-sections"):
            for section in sections(services):
                with ui.card().classes("w-full"):
                    section()


def sections(services: AppServices) -> list[Callable[[], Any]]:
    """The page's sections in order, each a component that builds itself; add new sections here."""
    return [
        lambda: VisionSettings(services),
        lambda: VisionEndpoints(services.settings),
        lambda: WorkspaceSettings(services.settings),
        lambda: AccessSettings(services.access),
    ]
