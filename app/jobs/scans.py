"""Folder scans as background tasks: one per folder at a time, live progress, never on the event loop.

The scan itself (app.services.folders.scanning) runs in a thread and fans the per-file work out to the process
pool; progress goes to `core.events.scan_progress` and is kept here for pages that open mid-scan.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from nicegui import background_tasks

from app.core import Core
from app.errors import CaptionForgeError, Conflict
from app.services.folders import folders, scanning

log = logging.getLogger("app.jobs.scans")


@dataclass
class ScanRegistry:
    """Running scans of one Core and the latest progress payload per folder."""

    core: Core
    tasks: dict[str, asyncio.Task] = field(default_factory=dict)
    latest: dict[str, dict[str, Any]] = field(default_factory=dict)
    stops: dict[str, threading.Event] = field(default_factory=dict)
    executor: Any = None  # tests may set a thread pool; None = the shared process pool

    def recover_on_start(self) -> None:
        """Startup hook: a scan the app died in is reported as interrupted."""
        count = scanning.recover_interrupted(self.core.db)
        if count:
            log.info("%s folder scan(s) were interrupted by the last stop; marked so", count)

    def start_scan(self, folder_id: str, remeasure: bool = False) -> dict[str, Any]:
        """Start scanning a folder in the background (call on the event loop); a running scan is joined.

        Returns {"folder_id", "status": "started" | "running", "progress"}.
        """
        task = self.tasks.get(folder_id)
        if task is not None and not task.done():
            return {"folder_id": folder_id, "status": "running", "progress": self.latest.get(folder_id)}
        stop = threading.Event()
        self.stops[folder_id] = stop
        self.latest[folder_id] = {"folder_id": folder_id, "phase": "walking", "seen": 0, "processed": 0}
        self.tasks[folder_id] = background_tasks.create(
            _run(self, folder_id, stop, remeasure), name=f"scan {folder_id}"
        )
        self.core.events.scan_progress.emit(self.latest[folder_id])
        return {"folder_id": folder_id, "status": "started", "progress": self.latest[folder_id]}

    async def scan_and_wait(self, folder_id: str, remeasure: bool = False) -> dict[str, Any]:
        """Start (or join) a folder's scan and wait for its final counts."""
        await self._ensure_enabled(folder_id)
        self.start_scan(folder_id, remeasure)
        await asyncio.shield(self.tasks[folder_id])
        return self.latest[folder_id]

    async def request_scan(self, folder_id: str, remeasure: bool = False) -> dict[str, Any]:
        """start_scan for a folder that must exist and be enabled (NotFound / Conflict otherwise)."""
        await self._ensure_enabled(folder_id)
        return self.start_scan(folder_id, remeasure)

    def cancel_scan(self, folder_id: str) -> bool:
        """Ask a running scan to stop after the files in flight; True when one was running."""
        stop = self.stops.get(folder_id)
        task = self.tasks.get(folder_id)
        if stop is None or task is None or task.done():
            return False
        stop.set()
        return True

    async def stop_all(self, wait: float = 10.0) -> None:
        """Shutdown hook: every running scan stops after the files in flight and saves what it has measured."""
        for stop in self.stops.values():
            stop.set()
        running = [task for task in self.tasks.values() if not task.done()]
        if running:
            await asyncio.wait(running, timeout=wait)

    def scan_status(self, folder_id: str) -> dict[str, Any] | None:
        """The latest progress payload of the folder's current or last scan since the app started."""
        return self.latest.get(folder_id)

    def is_scanning(self, folder_id: str) -> bool:
        task = self.tasks.get(folder_id)
        return task is not None and not task.done()

    async def _ensure_enabled(self, folder_id: str) -> None:
        folder = await asyncio.to_thread(folders.get_folder, self.core.db, folder_id)
        if not folder["enabled"]:
            raise Conflict(f"The folder {folder['name']} is disabled: enable it before scanning.")


async def _run(scans: ScanRegistry, folder_id: str, stop: threading.Event, remeasure: bool = False) -> None:
    core = scans.core

    def progress(payload: dict[str, Any]) -> None:
        scans.latest[folder_id] = payload
        core.events.emit_threadsafe(core.events.scan_progress, payload)

    try:
        result = await asyncio.to_thread(
            scanning.scan_folder,
            core.db,
            core.settings,
            folder_id,
            on_progress=progress,
            executor=scans.executor,
            should_stop=stop.is_set,
            remeasure=remeasure,
        )
    except CaptionForgeError as exc:  # e.g. a full disk: the counts so far stay with the error
        result = {**getattr(exc, "counts", {}), "folder_id": folder_id, "phase": "error", "error": str(exc)}
    except Exception as exc:  # the user sees the scan failed and why; the details go to the log
        log.exception("Scan of folder %s failed", folder_id)
        result = {"folder_id": folder_id, "phase": "error", "error": f"The scan failed: {exc}"}
    scans.latest[folder_id] = result
    scans.stops.pop(folder_id, None)
    core.events.scan_progress.emit(result)
