"""Change events leave with their commit: published after it, never for a transaction that rolled back."""

from __future__ import annotations

import asyncio
import threading

import pytest

from app.db import queue_event
from app.services.captions import caption_events
from app.services.datasets import dataset_events


def test_events_are_published_only_after_the_commit(core):
    seen: list[tuple[str, dict]] = []
    core.db.publish = lambda kind, payload: seen.append((kind, dict(payload)))
    with core.db.session() as session:
        dataset_events.datasets_changed(session, "d1", ["f1"])
        assert seen == []  # still inside the transaction
    assert seen == [("datasets_changed", {"dataset_id": "d1", "file_ids": ["f1"]})]


def test_a_rolled_back_transaction_sends_nothing(core):
    seen: list[str] = []
    core.db.publish = lambda kind, _payload: seen.append(kind)
    with pytest.raises(RuntimeError), core.db.session() as session:
        queue_event(session, "datasets_changed", {"dataset_id": "d1"})
        raise RuntimeError("the change failed")
    with core.db.session():
        pass  # a later transaction does not carry the dropped event
    assert seen == []


def test_a_big_batch_is_one_reread_event(core):
    seen: list[dict] = []
    core.db.publish = lambda _kind, payload: seen.append(dict(payload))
    small = [(f"f{i}", "a cat", "manual", None) for i in range(3)]
    big = [(f"f{i}", "a cat", "manual", None) for i in range(caption_events.MAX_EVENTS + 1)]
    with core.db.session() as session:
        caption_events.captions_changed(session, "s1", small)
    with core.db.session() as session:
        caption_events.captions_changed(session, "s1", big)
    assert [p["file_id"] for p in seen] == ["f0", "f1", "f2", None]
    assert seen[-1] == {"caption_set_id": "s1", "file_id": None, "bulk": True}


def test_the_bus_delivers_events_from_worker_threads_on_its_loop(core):
    received: list[tuple[dict, bool]] = []

    async def scenario() -> None:
        core.events.loop = asyncio.get_running_loop()
        loop_thread = threading.get_ident()
        core.events.datasets_changed.subscribe(
            lambda payload: received.append((payload, threading.get_ident() == loop_thread))
        )

        def change() -> None:
            with core.db.session() as session:
                dataset_events.datasets_changed(session, "d2")

        await asyncio.to_thread(change)
        await asyncio.sleep(0.05)
        with core.db.session() as session:  # on the loop itself: delivered at once
            dataset_events.datasets_changed(session, "d3")

    asyncio.run(scenario())
    assert received == [({"dataset_id": "d2"}, True), ({"dataset_id": "d3"}, True)]
