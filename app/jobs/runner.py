"""The caption-job runner the server owns: a queue in the database, runs on the event loop, control.

Jobs run in the order they were queued; jobs whose endpoints do not overlap run side by side. The
runner starts with the app (running jobs left by a crash become "interrupted" and, with
vision.auto_resume_jobs, go back into the queue) and marks running jobs interrupted when the app stops.
Browsers come and go; the jobs do not notice.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from nicegui import background_tasks

from app.core import Core
from app.errors import Conflict
from app.jobs.caption_job import Captioner, CaptionJobRun, ModelCheck
from app.jobs.job_payloads import publish_status
from app.services.caption_jobs import caption_jobs
from app.services.caption_jobs.caption_job_plan import job_endpoints
from app.services.caption_jobs.caption_job_shapes import CaptionJob, QueuedCaptionJob

log = logging.getLogger("app.jobs")
SHUTDOWN_WAIT = 5.0  # seconds the app waits at shutdown for in-flight captions to be committed


def install(
    core: Core, captioner: Captioner | None = None, model_check: ModelCheck | None = None
) -> JobRunner:
    """Create the Core's caption-job runner and hook it into the app's startup and shutdown."""
    runner = JobRunner(core, captioner=captioner, model_check=model_check)
    core.startup_hooks.append(runner.start)
    core.shutdown_hooks.append(runner.shutdown)
    return runner


class JobRunner:
    """Queue, scheduling and control of caption jobs; one per Core."""

    def __init__(
        self, core: Core, *, captioner: Captioner | None = None, model_check: ModelCheck | None = None
    ) -> None:
        self.core = core
        self.captioner = captioner
        self.model_check = model_check
        self.runs: dict[str, CaptionJobRun] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        self._wake = asyncio.Event()
        self._scheduler: asyncio.Task | None = None

    def start(self) -> None:
        """Startup hook: recover jobs a crash left "running", resume them if configured, start scheduling."""
        interrupted = caption_jobs.mark_interrupted(self.core.db)
        if interrupted:
            log.info("%d caption job(s) were interrupted by the last stop", len(interrupted))
        if self.core.settings["vision"].get("auto_resume_jobs"):
            caption_jobs.requeue_interrupted(self.core.db, self.core.settings["vision"])
        self._wake = asyncio.Event()
        self._wake.set()
        self._scheduler = background_tasks.create(self._schedule(), name="caption job scheduler")
        if self.captioner is None:  # the real vision client: its first job must not build it on the loop
            background_tasks.create(_warm_vision_client(self.core), name="warm the vision client")

    async def shutdown(self) -> None:
        """Shutdown hook: stop every run (in-flight captions are committed briefly), mark them interrupted."""
        for job_run in self.runs.values():
            job_run.stop("interrupt")
        tasks = list(self._tasks.values())
        if tasks:
            await asyncio.wait(tasks, timeout=SHUTDOWN_WAIT)
        still = [job_id for job_id, task in self._tasks.items() if not task.done()]
        for task in self._tasks.values():
            task.cancel()
        if self._scheduler is not None:
            self._scheduler.cancel()
        if still:
            caption_jobs.mark_interrupted(self.core.db, still)

    def wake(self) -> None:
        """Look at the queue again (a job was added, resumed or finished)."""
        self._wake.set()

    async def submit(self, caption_set_id: str, **options: Any) -> QueuedCaptionJob:
        """Queue a job for a caption set (options: see caption_jobs.create_job; model defaults to settings)."""
        vision = self.core.settings["vision"]
        parallel = options.pop("parallel", None) or vision.get("parallel_requests") or 1
        job = await asyncio.to_thread(
            caption_jobs.create_job,
            self.core.db,
            caption_set_id,
            vision_model=options.pop("vision_model", None) or vision["model"],
            endpoints=job_endpoints(vision, parallel),
            backend=vision["backend"],
            parallel=parallel,
            default_seconds_per_image=float(vision.get("job_estimate_seconds", 5.0)),
            **options,
        )
        publish_status(self.core.events, job, None)
        self.wake()
        return job

    async def get(self, job_id: str) -> CaptionJob:
        """The job with its live state (current file, "pausing")."""
        return self._with_live(await asyncio.to_thread(caption_jobs.get_job, self.core.db, job_id))

    async def list(self, limit: int = 100) -> list[CaptionJob]:
        jobs = await asyncio.to_thread(caption_jobs.list_jobs, self.core.db, limit=limit)
        return [self._with_live(job) for job in jobs]

    async def pause(self, job_id: str) -> CaptionJob:
        """Pause: a running job finishes (and keeps) its in-flight images first and reports "pausing"."""
        job = await self._set_unless_running(job_id, "paused", ("pending", "interrupted"))
        if job is None:
            job_run = self.runs.get(job_id)
            if job_run is not None:
                job_run.stop("pause")
            job = await self.get(job_id)
            if job.status == "pending":  # its run ended before it took the job: pause the queued row itself
                try:
                    job = self._with_live(await self._set(job_id, "paused", ("pending",)))
                except Conflict:  # a new run took it meanwhile: tell that one
                    return await self.pause(job_id)
        publish_status(self.core.events, job, job.current_file)
        return job

    async def resume(self, job_id: str) -> CaptionJob:
        """Put a paused, interrupted or failed job back into the queue."""
        job_run, task = self.runs.get(job_id), self._tasks.get(job_id)
        if job_run is not None and task is not None:
            if job_run.stop_reason is None and job_run.started:
                return await self.get(job_id)  # it is running
            await asyncio.wait([task])  # a pause under way, or a start that will find the job paused
        job = await self._set(job_id, "pending", ("paused", "interrupted", "failed"), follow_settings=True)
        publish_status(self.core.events, job, None)
        self.wake()
        return job

    async def cancel(self, job_id: str) -> CaptionJob:
        """Cancel: in-flight requests are aborted; captions already finished stay."""
        job = await self._set_unless_running(job_id, "cancelled", ("pending", "paused", "interrupted"))
        if job is None:
            task = self._tasks[job_id]
            self.runs[job_id].stop("cancel")
            await asyncio.wait([task])
            return await self.get(job_id)
        publish_status(self.core.events, job, None)
        return job

    async def _set_unless_running(
        self, job_id: str, status: str, allowed: tuple[str, ...]
    ) -> CaptionJob | None:
        """Set the status of a job that is not running; None when it runs (then the run must be told)."""
        if job_id not in self.runs:
            try:
                return await self._set(job_id, status, allowed)
            except Conflict:
                if job_id not in self.runs:  # the scheduler did not just start it: the conflict is real
                    raise
        return None

    async def retry_failed(self, job_id: str) -> CaptionJob:
        """Queue the job's failed images again."""
        job = await asyncio.to_thread(
            caption_jobs.retry_failed, self.core.db, job_id, self.core.settings["vision"]
        )
        publish_status(self.core.events, job, None)
        self.wake()
        return job

    async def _set(
        self, job_id: str, status: str, allowed: tuple[str, ...], follow_settings: bool = False
    ) -> CaptionJob:
        vision = self.core.settings["vision"] if follow_settings else None
        return await asyncio.to_thread(
            caption_jobs.set_status, self.core.db, job_id, status, allowed_from=allowed, vision=vision
        )

    def _with_live(self, job: CaptionJob) -> CaptionJob:
        job_run = self.runs.get(job.id)
        job.current_file = None
        if job_run is not None:
            live = job_run.live()
            job.current_file = live["current_file"]
            if job.status in ("running", "pending") and job_run.stop_reason in ("pause", "interrupt"):
                job.status = "pausing"
        return job

    async def _schedule(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self._start_due_jobs()
            except Exception:  # one bad pass (database busy, a broken job row) must not stop the queue
                log.exception("Caption job scheduling failed; trying again at the next change")

    async def _start_due_jobs(self) -> None:
        pending = await asyncio.to_thread(
            caption_jobs.list_jobs, self.core.db, statuses=["pending"], limit=1000
        )
        busy: set[str] = set().union(*(r.lane for r in self.runs.values())) if self.runs else set()
        for job in pending:
            lane = {e.url for e in job.endpoints if e.status != "removed"}
            if job.id in self.runs or lane & busy:
                busy |= lane  # a later job on the same servers waits for this one: queue order
                continue
            busy |= lane
            self._launch(job.id, lane)

    def _launch(self, job_id: str, lane: set[str]) -> None:
        vision = self.core.settings["vision"]
        job_run = CaptionJobRun(
            self.core,
            job_id,
            self.captioner or _vision_captioner(self.core),
            self.model_check if self.model_check is not None else _vision_model_check(self.core),
            grace=float(vision.get("job_outage_grace", 10)),
        )
        job_run.lane = lane
        self.runs[job_id] = job_run
        self._tasks[job_id] = background_tasks.create(
            self._run(job_id, job_run), name=f"caption job {job_id}"
        )

    async def _run(self, job_id: str, job_run: CaptionJobRun) -> None:
        try:
            await job_run.run()
        except asyncio.CancelledError:
            raise  # app shutdown: the shutdown hook marks the job interrupted
        except Exception as exc:  # a bug must not leave the job "running" forever; the log has the trace
            log.exception("Caption job %s failed", job_id)
            message = f"Internal error: {type(exc).__name__}: {exc}. The log has details; Resume tries again."
            job = await asyncio.to_thread(caption_jobs.fail_job, self.core.db, job_id, message)
            if job is not None:
                publish_status(self.core.events, job, None)
        finally:
            self.runs.pop(job_id, None)
            self._tasks.pop(job_id, None)
            self.wake()


async def _warm_vision_client(core: Core) -> None:
    from app.jobs.vision_calls import warm_up

    try:
        await asyncio.to_thread(warm_up, core.settings)
    except Exception:  # noqa: BLE001 - only a head start: the first job builds whatever failed here
        log.warning("Warming the vision client failed", exc_info=True)


def _vision_captioner(core: Core) -> Captioner:
    from app.jobs.vision_calls import captioner_for

    return captioner_for(core.settings)


def _vision_model_check(core: Core) -> ModelCheck | None:
    from app.jobs.vision_calls import model_check_for

    return model_check_for(core.settings)
