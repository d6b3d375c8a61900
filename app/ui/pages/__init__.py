"""Pages: every module here registers its `@ui.page` routes when imported."""

from __future__ import annotations

import importlib
import pkgutil


def register_pages() -> None:
    """Import every page module so its routes exist (re-imported on each start under the test plugin)."""
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        importlib.import_module(f"{__name__}.{info.name}")
