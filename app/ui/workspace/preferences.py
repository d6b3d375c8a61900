"""What this browser remembers of the workspace (app.storage.user): sort order, tile size, the last dataset."""

from __future__ import annotations

from typing import Any

from nicegui import app, context, storage
from nicegui.persistence import PersistentDict

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
    return _user_storage().get(key, default)


def remember(key: str, value: Any) -> None:
    _user_storage()[key] = value


def _user_storage() -> PersistentDict:
    """This browser's storage; a page's event handler (run for a change made elsewhere) carries no request of
    its own, so it reads the one its client was opened with."""
    if storage.request_contextvar.get() is None:
        storage.request_contextvar.set(context.client.request)
    return app.storage.user
