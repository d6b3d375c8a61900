"""Vision errors. Each message says what happened and what to do; the API maps them to HTTP codes.

Server gone or failing after retries is app.errors.BackendUnavailable (503); these are the rest.
"""

from __future__ import annotations

from app.errors import CaptionForgeError


class VisionError(CaptionForgeError):
    """The backend answered, but not with a usable caption (bad gateway)."""

    http_status = 502


class ModelNotFound(VisionError):
    """The backend does not have the model (download it or pick another)."""

    http_status = 404


class BackendRejected(VisionError):
    """The backend refused the request (a 4xx): retrying the same request will not help."""

    http_status = 422


class EmptyCaption(VisionError):
    """The model returned no caption text (often: it spent its whole budget thinking)."""


class DownloadFailed(VisionError):
    """A model download stopped: unknown tag, disk full, or the server went away."""


class DownloadUnsupported(VisionError):
    """The server cannot download models itself; `command` is what to run in a terminal instead."""

    http_status = 501

    def __init__(self, message: str, command: str) -> None:
        super().__init__(message)
        self.command = command
