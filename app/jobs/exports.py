"""Exports as background jobs: one export at a time in a thread, live progress on core.events.export_progress.

`install(core)` creates the runner and registers the start-up clean-up of exports a stop or crash
interrupted (their temporary folders and .zip.part files).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from app.core import Core
from app.services.exports import export_history, exports
from app.services.exports.export_shapes import ExportEntry, ExportProgress, ExportStarted

log = logging.getLogger("app.jobs.exports")


class ExportRunner:
    """Starts recorded exports in a worker thread, one after another; keeps the latest progress of each."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self._turn = threading.Lock()  # exports share the process pool: run them one at a time
        self._cancel: dict[str, threading.Event] = {}
        self.progress: dict[str, dict[str, Any]] = {}

    def start(self, dataset_id: str, request: dict[str, Any]) -> ExportStarted:
        """Check and record the export, then run it in the background; returns it as started (processing)."""
        started = exports.start_export(self.core.db, self.core.settings, dataset_id, request)
        export_id = started.export_id
        self._cancel[export_id] = threading.Event()
        self.progress[export_id] = {
            "export_id": export_id,
            "status": "pending",
            "done": 0,
            "total": started.estimated_files,
        }
        thread = threading.Thread(
            target=self._run, args=(export_id,), name=f"export-{export_id[:8]}", daemon=True
        )
        thread.start()
        return started.model_copy(update={"status": "processing"})

    def cancel(self, export_id: str) -> bool:
        """Ask a running export to stop; True when it was running here."""
        event = self._cancel.get(export_id)
        if event is None:
            return False
        event.set()
        return True

    def status(self, export_id: str) -> ExportEntry:
        """The history entry with the live progress of a running export."""
        entry = export_history.get_export(self.core.db, export_id)
        live = self.progress.get(export_id)
        if live and entry.status not in export_history.ACTIVE:
            # The row is final a moment before the last progress event arrives: the row is the truth.
            recorded = {
                "status": entry.status,
                "file_count": entry.file_count,
                "total_size_mb": entry.total_size_mb,
            }
            final = {k: v for k, v in recorded.items() if v is not None}
            live = {**live, **final, "error": entry.error_message or live.get("error")}
        return entry.model_copy(update={"progress": ExportProgress(**live)}) if live else entry

    def running(self) -> list[str]:
        return [export_id for export_id, event in self._cancel.items() if not event.is_set()]

    def _run(self, export_id: str) -> None:
        try:
            with self._turn:
                exports.run_export(
                    self.core.db,
                    self.core.settings,
                    export_id,
                    progress=self._emit,
                    cancel=self._cancel[export_id],
                    workers=self.core.settings["image_processing"]["scan_workers"],
                )
        except Exception:  # run_export recorded the failure on the row; keep the traceback in the log
            log.exception("export %s failed", export_id)
        finally:
            self._cancel.pop(export_id, None)

    def recover_on_start(self) -> None:
        """Startup hook: exports a stop or crash interrupted are marked so, and their leftovers removed."""
        result = export_history.recover_interrupted(self.core.db, self.core.settings)
        if result.interrupted or result.removed:
            log.info("export clean-up: %s interrupted, removed %s", result.interrupted, result.removed)

    def _emit(self, payload: dict[str, Any]) -> None:
        self.progress[payload["export_id"]] = {**self.progress.get(payload["export_id"], {}), **payload}
        self.core.events.emit_threadsafe(self.core.events.export_progress, payload)


def install(core: Core) -> ExportRunner:
    """Create the Core's export runner; its start-up hook cleans up what an interrupted export left."""
    export_runner = ExportRunner(core)
    core.startup_hooks.append(export_runner.recover_on_start)
    return export_runner
