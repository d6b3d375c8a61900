"""The running app's services in a test that started it (the `user` fixture or a live server)."""

from __future__ import annotations

from nicegui import app

from app.container import AppServices


def running() -> AppServices:
    """The services `register_api` attached to NiceGUI's app (settings, db and events among them)."""
    services = getattr(app.state, "services", None)
    if services is None:
        raise RuntimeError("CaptionForge is not started in this test: use the `user` fixture")
    return services
