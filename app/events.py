"""Events that pages subscribe to. A subscription made inside a page is dropped with its client."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from nicegui import Event


@dataclass
class Events:
    """One NiceGUI Event per kind of change; payloads are plain dicts (the SSE shapes where the seed has them)."""

    scan_progress: Event = field(
        default_factory=Event
    )  # {folder_id, seen, new, changed, unchanged, broken, ...}
    job_progress: Event = field(default_factory=Event)  # {job_id, status, completed_files, total_files, ...}
    caption_changed: Event = field(default_factory=Event)  # {caption_set_id, file_id, caption, source, ...}
    export_progress: Event = field(default_factory=Event)  # {export_id, status, done, total, ...}
    datasets_changed: Event = field(default_factory=Event)  # {dataset_id} after create/edit/delete/membership
    loop: asyncio.AbstractEventLoop | None = None

    def emit_threadsafe(self, event: Event, payload: dict[str, Any]) -> None:
        """Emit from a worker thread: hands the call to the event loop."""
        if self.loop is None or self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(event.emit, payload)
