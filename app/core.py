"""The composition root: settings, database and the long-lived services, built once per start."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.config import Settings
from app.db import Database, migrate
from app.events import Events


@dataclass
class Core:
    """Everything the pages and the API share. Built by `build_core`, reachable through `current()`."""

    settings: Settings
    db: Database
    events: Events = field(default_factory=Events)
    # Long-lived services attach here (job runner, event hub, vision client cache) under a name.
    services: dict[str, Any] = field(default_factory=dict)


_current: Core | None = None


def build_core(settings: Settings) -> Core:
    """Open and migrate the database and make the Core current."""
    global _current
    if _current is not None:
        _current.db.dispose()
    db = Database(settings.database_url)
    migrate(db)
    _current = Core(settings=settings, db=db)
    return _current


def current() -> Core:
    """The running app's Core."""
    if _current is None:
        raise RuntimeError("CaptionForge is not started: build_core() was not called")
    return _current
