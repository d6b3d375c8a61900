"""The frame every page shares: a header with the app name and the ways to each page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nicegui import ui

NAV = (
    ("Workspace", "/", "dashboard"),
    ("Folders", "/folders", "folder"),
    ("Exports", "/exports", "ios_share"),
    ("Jobs", "/jobs", "pending_actions"),
    ("Settings", "/settings", "settings"),
)
# Tablet and phone widths: media queries for every page (the workspace's panels, dialogs, the header).
RESPONSIVE_CSS = (Path(__file__).parent / "responsive.css").read_text()


@contextmanager
def frame(active: str) -> Iterator[None]:
    """Header plus a full-height content area; `active` is the NAV label to highlight."""
    ui.add_css(RESPONSIVE_CSS)
    with ui.header().classes("items-center no-wrap gap-2 px-4 py-1 bg-slate-800").mark("header"):
        ui.icon("auto_awesome").classes("text-2xl text-amber-300")
        ui.label("CaptionForge").classes("text-lg font-semibold tracking-wide cf-app-name").mark("app-name")
        ui.space()
        for label, target, icon in NAV:
            # Below 1000 px only the icon shows; the label stays for screen readers (no aria-label: a
            # field labelled "Folder" must not find this button).
            with ui.button(icon=icon, on_click=lambda t=target: ui.navigate.to(t)).props(
                "flat no-caps"
            ) as button:
                ui.label(label).classes("ml-2 cf-nav-label")
            button.classes("text-white cf-nav" + (" bg-slate-600" if label == active else "")).mark(
                f"nav-{label.lower()}"
            )
    yield
