"""The composition root's base: settings, database and the event bus pages subscribe to, built once per start.

A subscription made inside a page is dropped with its client."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from nicegui import Event

from app.config import Settings
from app.db import Database, migrate


@dataclass
class Events:
    """One NiceGUI Event per kind of change; payloads are plain dicts, in the shapes the API's live updates use."""

    scan_progress: Event = field(
        default_factory=Event
    )  # {folder_id, seen, new, changed, unchanged, broken, ...}
    job_progress: Event = field(default_factory=Event)  # {job_id, status, completed_files, total_files, ...}
    caption_changed: Event = field(default_factory=Event)  # {caption_set_id, file_id, caption, source, ...}
    export_progress: Event = field(default_factory=Event)  # {export_id, status, done, total, ...}
    datasets_changed: Event = field(default_factory=Event)  # {dataset_id} after create/edit/delete/membership
    loop: asyncio.AbstractEventLoop | None = None

    def publish(self, kind: str, payload: Mapping[str, Any]) -> None:
        """Emit the event named `kind` (a field above) from any thread: on the loop directly, else handed to it."""
        event: Event = getattr(self, kind)
        try:
            on_loop = asyncio.get_running_loop() is self.loop
        except RuntimeError:  # no loop in this thread: a worker thread
            on_loop = False
        if on_loop:
            event.emit(dict(payload))
        else:
            self.emit_threadsafe(event, dict(payload))

    def emit_threadsafe(self, event: Event, payload: dict[str, Any]) -> None:
        """Emit from a worker thread: hands the call to the event loop."""
        if self.loop is None or self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(event.emit, payload)


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


_last_database: list[Database] = []  # the database of the Core built last in this process


def build_core(settings: Settings) -> Core:
    """Open and migrate the database and connect its change events to the event bus.

    A Core built again in the same process (tests, a restart in place) closes the previous one's database."""
    while _last_database:
        _last_database.pop().dispose()
    db = Database(settings.database_url)
    migrate(db)
    core = Core(settings=settings, db=db)
    db.publish = core.events.publish
    _last_database.append(db)
    return core
