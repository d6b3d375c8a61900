"""Domain errors. Each carries a message a person can act on; the API maps them to HTTP codes."""

from typing import Any


class CaptionForgeError(Exception):
    """Base of every domain error."""

    http_status = 400


class NotFound(CaptionForgeError):
    http_status = 404


class Invalid(CaptionForgeError):
    http_status = 422


class Conflict(CaptionForgeError):
    http_status = 409


class BackendUnavailable(CaptionForgeError):
    http_status = 503


class StorageFull(CaptionForgeError):
    """The disk (or the database's size limit) is full: nothing of the failed change was written."""

    http_status = 507
    counts: dict[str, Any]  # a scan's counts so far, when a scan hit it


class ReadOnlyStorage(CaptionForgeError):
    """The disk or folder cannot be written (read-only, no permission): nothing of the change was written."""

    http_status = 503


class StartupError(CaptionForgeError):
    """The app cannot start; the message is the one line the user sees."""


class Forbidden(Invalid):
    """Not allowed here (e.g. a folder outside the allow-list); an Invalid, so `except Invalid` still catches it."""

    http_status = 403
