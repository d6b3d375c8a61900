"""The servers a caption job spreads its images over, and how each one does during a run."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any


@dataclass
class EndpointRun:
    """One endpoint's share of a run: counts, busy time, and whether the run still uses it."""

    url: str
    parallel: int
    completed: int = 0
    failed: int = 0
    busy_seconds: float = 0.0
    status: str = "active"  # active | dropped (stopped answering) | no_model | removed (not in settings now)
    error: str | None = None
    failing_since: float | None = None

    @classmethod
    def from_state(cls, entry: dict[str, Any]) -> EndpointRun:
        """A fresh run of a stored endpoint: counts carry over, a dropped endpoint gets another chance."""
        return cls(
            url=entry["url"],
            parallel=max(1, int(entry.get("parallel") or 1)),
            completed=int(entry.get("completed", 0)),
            failed=int(entry.get("failed", 0)),
            busy_seconds=float(entry.get("busy_seconds", 0.0)),
            status="removed" if entry.get("status") == "removed" else "active",
        )

    @property
    def active(self) -> bool:
        return self.status == "active"

    def succeeded(self, seconds: float) -> None:
        """A request came back with a caption."""
        self.completed += 1
        self.busy_seconds += seconds
        self.failing_since = None

    def image_failed(self, seconds: float) -> None:
        """The server answered, but this image could not be captioned (the image's fault, not the server's)."""
        self.failed += 1
        self.busy_seconds += seconds
        self.failing_since = None

    def backend_failed(self, error: str, grace_seconds: float) -> bool:
        """The server did not answer; drops it (returns True) once it has failed for `grace_seconds`."""
        now = time.monotonic()
        if self.failing_since is None:
            self.failing_since = now
        self.error = error
        if now - self.failing_since >= grace_seconds:
            self.status = "dropped"
        return not self.active

    def lacks_model(self, model: str) -> None:
        self.status = "no_model"
        self.error = f"{model} is not installed on {self.url}"

    def as_state(self) -> dict[str, Any]:
        """The stored shape (caption_jobs state.endpoints), with images per minute of busy time."""
        per_minute = 60.0 * self.completed / self.busy_seconds * self.parallel if self.busy_seconds else None
        return {
            "url": self.url,
            "parallel": self.parallel,
            "completed": self.completed,
            "failed": self.failed,
            "busy_seconds": round(self.busy_seconds, 3),
            "images_per_minute": round(per_minute, 1) if per_minute else None,
            "status": self.status,
            "error": self.error,
        }
