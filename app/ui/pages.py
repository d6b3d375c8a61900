"""Pages: importing each page module registers its `@ui.page` routes."""

from __future__ import annotations

import importlib

PAGE_MODULES = (
    "app.ui.exports.page",
    "app.ui.folders.page",
    "app.ui.jobs.page",
    "app.ui.login_page",
    "app.ui.settings.page",
    "app.ui.workspace.page",
)


def register_pages() -> None:
    """Import every page module so its routes exist (re-imported on each start under the test plugin)."""
    for name in PAGE_MODULES:
        importlib.import_module(name)
