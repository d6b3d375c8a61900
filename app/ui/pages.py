"""Pages: each page module's `register(services)` serves its routes, handing them the app's services."""

from __future__ import annotations

import importlib

from app.container import AppServices

PAGE_MODULES = (
    "app.ui.exports.page",
    "app.ui.folders.page",
    "app.ui.jobs.page",
    "app.ui.settings.page",
    "app.ui.workspace.page",
)


def register_pages(services: AppServices) -> None:
    """Register every page with the app's services (again on each start under the test plugin)."""
    for name in PAGE_MODULES:
        importlib.import_module(name).register(services)
