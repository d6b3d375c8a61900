"""The frame every page shares: a header with the app name and the ways to each page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui

NAV = (
    ("Workspace", "/", "dashboard"),
    ("Folders", "/folders", "folder"),
    ("Exports", "/exports", "ios_share"),
    ("Jobs", "/jobs", "pending_actions"),
    ("Settings", "/settings", "settings"),
)


@contextmanager
def frame(active: str) -> Iterator[None]:
    """Header plus a full-height content area; `active` is the NAV label to highlight."""
    with ui.header().classes("items-center gap-2 px-4 py-1 bg-slate-800").mark("header"):
        ui.icon("auto_awesome").classes("text-2xl text-amber-300")
        ui.label("CaptionForge").classes("text-lg font-semibold tracking-wide").mark("app-name")
        ui.space()
        for label, target, icon in NAV:
            button = ui.button(label, icon=icon, on_click=lambda t=target: ui.navigate.to(t)).props(
                "flat no-caps"
            )
            button.classes("text-white" + (" bg-slate-600" if label == active else "")).mark(
                f"nav-{label.lower()}"
            )
    yield
