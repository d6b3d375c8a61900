"""One path for every count a page shows: the change events mark the page's counts stale, one timer refreshes.

Views (the dataset list with its caption-set counts, the caption-set choice, an open health panel) register
a refresh with `counts(events).follow(...)` (`events`: the app's Events; one follower per page);
caption_changed, datasets_changed and a finished caption job mark them stale, and at most every INTERVAL
seconds each registered view re-reads its figures once (a caption job sends an event per image, a batch one
per caption, so a refresh per event would flood the page).
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import Client, ui

from app.core import Events

INTERVAL = 0.7  # seconds between two refreshes of the same page's counts
_FINISHED_JOB = {"completed", "failed", "cancelled", "paused", "interrupted"}
_PAGES: weakref.WeakKeyDictionary[Client, CountFollower] = weakref.WeakKeyDictionary()

Refresh = Callable[[], Awaitable[Any] | Any]


class CountFollower:
    """The page's counts: stale after a change event; refreshed together by one timer."""

    def __init__(self, events: Events) -> None:
        self._views: list[tuple[Refresh, Callable[[], bool] | None]] = []
        self.stale = False
        events.caption_changed.subscribe(self.mark)
        events.datasets_changed.subscribe(self.mark)
        events.job_progress.subscribe(self._job)
        ui.timer(INTERVAL, self.refresh_now)

    def follow(self, refresh: Refresh, wants: Callable[[], bool] | None = None) -> Callable[[], None]:
        """Call `refresh` when the counts are stale (or `wants()` says so); returns the undo of this."""
        entry = (refresh, wants)
        self._views.append(entry)
        return lambda: self._views.remove(entry) if entry in self._views else None

    def mark(self, *_: Any) -> None:
        """Something changed: every count on the page is re-read at the next tick."""
        self.stale = True

    async def refresh_now(self) -> None:
        """Refresh the views that are due (all when the page is stale)."""
        stale, self.stale = self.stale, False
        for refresh, wants in list(self._views):
            if stale or (wants is not None and wants()):
                result = refresh()
                if isinstance(result, Awaitable):
                    await result

    def _job(self, payload: dict[str, Any]) -> None:
        # Captions arrive as caption_changed; the end of a job is marked too (its last batch may be bounded).
        if payload.get("status") in _FINISHED_JOB:
            self.mark()


def counts(events: Events, client: Client | None = None) -> CountFollower:
    """The follower of this page (made on first use, inside the page's context, subscribed to `events`)."""
    client = client or ui.context.client
    follower = _PAGES.get(client)
    if follower is None:
        with client:
            follower = _PAGES[client] = CountFollower(events)
    return follower
