"""The composition root's base: settings, database and events, built once per start."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.config import Settings
from app.db import Database, migrate
from app.events import Events


class InstanceLock(Protocol):
    """The data-dir lock of a running server (app.lifecycle.DataDirLock)."""

    def note(self, url: str = "") -> None: ...


@dataclass
class Core:
    """Settings, database and events, shared by the jobs, the API and the pages (app.container holds the rest)."""

    settings: Settings
    db: Database
    events: Events = field(default_factory=Events)
    startup_hooks: list[Callable[[], Any]] = field(default_factory=list)
    shutdown_hooks: list[Callable[[], Any]] = field(default_factory=list)
    instance_lock: InstanceLock | None = None


_current: Core | None = None


def build_core(settings: Settings) -> Core:
    """Open and migrate the database, connect its change events to the event bus, and make the Core current."""
    global _current
    if _current is not None:
        _current.db.dispose()
    db = Database(settings.database_url)
    migrate(db)
    _current = Core(settings=settings, db=db)
    db.publish = _current.events.publish
    return _current


def current() -> Core:
    """The running app's Core."""
    if _current is None:
        raise RuntimeError("CaptionForge is not started: build_core() was not called")
    return _current
