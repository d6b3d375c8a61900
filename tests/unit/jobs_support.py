"""A scriptable in-process captioner and helpers to drive the job runner in unit tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import nicegui.core
import pytest

from app.core import Core
from app.errors import BackendUnavailable
from app.jobs.runner import JobRunner
from app.services.caption_jobs import caption_jobs


@dataclass
class FakeCaptioner:
    """Captions "caption of <name>"; knobs: latency, servers that are down, per-file errors, a gate."""

    latency: float = 0.0
    down: set[str] = field(default_factory=set)  # base URLs that refuse connections
    errors: dict[str, Exception] = field(default_factory=dict)  # file name -> error to raise
    gate: asyncio.Event | None = None  # when set, requests wait for it (to hold them in flight)
    calls: list[tuple[str, str]] = field(default_factory=list)
    started: int = 0
    active: int = 0
    max_active: int = 0

    async def __call__(
        self, image_path: str, *, base_url: str, model: str, **_options: Any
    ) -> SimpleNamespace:
        name = Path(image_path).name
        self.calls.append((name, base_url))
        if base_url in self.down:
            raise BackendUnavailable(
                f"Vision server unavailable: cannot connect to {base_url} (is the server running?)."
            )
        self.started += 1
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            if self.gate is not None:
                await self.gate.wait()
            if self.latency:
                await asyncio.sleep(self.latency)
            if name in self.errors:
                raise self.errors[name]
            return SimpleNamespace(
                caption=f"caption of {name}",
                quality_score=0.8,
                quality_details={"overall": 0.8},
                model=model,
                processing_time_ms=int(self.latency * 1000),
            )
        finally:
            self.active -= 1


@pytest.fixture
async def nicegui_loop() -> Iterator[None]:
    """background_tasks.create needs NiceGUI's loop; outside a running app it is the test's loop."""
    previous = nicegui.core.loop
    nicegui.core.loop = asyncio.get_running_loop()
    yield
    nicegui.core.loop = previous


def make_runner(core: Core, captioner: FakeCaptioner, *, grace: float = 0.2) -> JobRunner:
    core.settings["vision"]["job_outage_grace"] = grace
    core.settings["vision"]["base_url"] = "http://gpu1:11434"
    core.events.loop = asyncio.get_running_loop()  # as app.server does at startup: change events arrive here
    return JobRunner(core, captioner=captioner, model_check=_no_check)


async def _no_check(_url: str, _model: str) -> bool | None:
    return None


async def wait_for_status(core: Core, job_id: str, *statuses: str, timeout: float = 20.0) -> dict[str, Any]:
    """Wait (bounded, not timed) until the job row has one of `statuses`; returns the job."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        job = await asyncio.to_thread(caption_jobs.get_job, core.db, job_id)
        if job.status in statuses:
            return job
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"job stayed {job.status}, expected {statuses}: {job}")
        await asyncio.sleep(0.02)


async def wait_until(predicate, timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.01)
