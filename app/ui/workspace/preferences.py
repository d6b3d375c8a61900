"""What this browser remembers of the workspace (app.storage.user): sort order, tile size, the last dataset."""

from __future__ import annotations

from typing import Any

from nicegui import app

from app.services.grid.grid_view import SORTS


def remembered_sort() -> dict[str, Any]:
    """The sort order used last in this browser (app.storage.user), checked: a stale value is dropped."""
    stored = preference("grid_sort", {})
    if not isinstance(stored, dict):
        return {}
    sort = stored.get("sort")
    return {
        "sort": sort if sort in SORTS else "order",
        "descending": stored.get("descending") is True,
    }


def preference(key: str, default: Any) -> Any:
    return app.storage.user.get(key, default)


def remember(key: str, value: Any) -> None:
    app.storage.user[key] = value
