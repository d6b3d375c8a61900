"""One run of a caption job: remaining images -> vision calls on every endpoint's slots -> group commits.

An item is an image, a whole video, or one accepted clip of a video (frames of its time range only).

Workers (one per parallel slot of each endpoint) take images from one shared queue, so a faster server
takes more. Finished images go to a committer that writes them with the job's counters in batches;
workers never wait for the database. Pause lets in-flight requests finish and commits them; cancel
aborts them. An endpoint that stops answering is dropped and its images go back to the queue; with no
endpoint left the job pauses with a message, its remaining images untouched.

Database calls use asyncio.to_thread, not run.io_bound: io_bound skips its call while the app is
stopping, and the shutdown path must still commit finished captions and mark the job interrupted.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.exc import OperationalError

from app.core import Core
from app.errors import BackendUnavailable, CaptionForgeError, Conflict, NotFound, StorageFull
from app.jobs.endpoints import EndpointRun
from app.jobs.job_payloads import progress_payload, publish_commit, publish_status
from app.services.caption_jobs import caption_job_commit as commits
from app.services.caption_jobs.caption_job_commit import Outcome, WorkItem
from app.services.caption_jobs.caption_job_plan import SKIP_MANUAL
from app.services.caption_jobs.caption_job_shapes import CaptionJob
from app.services.images import ImageDecodeError
from app.vision.errors import ModelNotFound

log = logging.getLogger("app.jobs")
# (image_path, *, base_url, model, style, max_length, trigger_phrase, custom_prompt, context[, time_range])
# -> CaptionResult
Captioner = Callable[..., Awaitable[Any]]
# (base_url, model) -> True / False, or None when the server cannot tell
ModelCheck = Callable[[str, str], Awaitable[bool | None]]
BACKEND_ERRORS: tuple[type[BaseException], ...] = (BackendUnavailable, ConnectionError)
COMMIT_BATCH = 200
# Seconds a finished caption may wait for others to share its transaction (a kill -9 can only cost
# requests this recent; they are asked again on resume, never saved twice).
COMMIT_WINDOW = 0.1
CURRENT_FILE_EVERY = 0.5  # seconds between "now captioning" updates when no caption was committed
RETRY_PAUSE = 0.5  # seconds a worker waits after its server did not answer


class CaptionJobRun:
    """Runs job `job_id` until it is done, paused, cancelled, interrupted or out of endpoints."""

    def __init__(
        self, core: Core, job_id: str, captioner: Captioner, model_check: ModelCheck | None, grace: float
    ) -> None:
        self.core = core
        self.job_id = job_id
        self.captioner = captioner
        self.model_check = model_check
        self.grace = grace
        self.stop_reason: str | None = None  # pause | cancel | interrupt
        self.started = False  # the job row said "pending" and is now "running"
        self.current_file: str | None = None
        self.lane: set[str] = set()
        self.endpoints: list[EndpointRun] = []
        self._queue: deque[WorkItem] = deque()
        self._outcomes: asyncio.Queue[Outcome | None] = asyncio.Queue()
        self._edited: set[str] = set()
        self._in_flight = 0
        self._changed = asyncio.Event()
        self._workers: asyncio.Future | None = None
        self._job: CaptionJob  # set when the run begins
        self._started = time.monotonic()
        self._elapsed_before = 0.0
        self._processed = 0
        self._slots = 1
        self._storage_error: str | None = None  # a commit found the disk full: the run pauses
        self._last_publish = 0.0

    async def run(self) -> CaptionJob | None:
        """Work through the job; returns the final job (None when the job vanished or was not pending)."""
        try:
            start = await asyncio.to_thread(commits.begin_run, self.core.db, self.job_id)
        except (Conflict, NotFound):
            return None  # cancelled or deleted between scheduling and start
        self.started = True
        self._job = start.job
        self._queue.extend(start.items)
        self.endpoints = [EndpointRun.from_state(e) for e in start.state.get("endpoints", [])]
        self._elapsed_before = float(start.state.get("elapsed_seconds", 0.0))
        self._processed = int(start.state.get("processed", 0))
        self._started = time.monotonic()
        publish_status(self.core.events, self._job, self.current_file)
        self._slots = max(1, sum(e.parallel for e in self.endpoints if e.active))
        self._prepare_ahead()  # the first images decode while the servers are asked for the model
        await self._check_models()
        self.core.events.caption_changed.subscribe(self._note_edit)
        try:
            await asyncio.gather(self._work(), self._commit_loop())
        except NotFound:
            self.stop("cancel")
            return None  # the caption set (and with it this job) was deleted
        except BaseException:
            self.stop("cancel")  # a failed commit must not leave workers captioning for nobody
            raise
        finally:
            self.core.events.caption_changed.unsubscribe(self._note_edit)
            if discard := getattr(self.captioner, "discard", None):
                discard()
        status, error = self._final_status()
        job = await asyncio.to_thread(
            commits.finish_run, self.core.db, self.job_id, status, self._progress(), error
        )
        self.current_file = None
        publish_status(self.core.events, job, None)
        return job

    def stop(self, reason: str) -> None:
        """Ask the run to stop: "pause" and "interrupt" let in-flight requests finish, "cancel" aborts them."""
        if self.stop_reason is None or reason == "cancel":
            self.stop_reason = reason
        if reason == "cancel" and self._workers is not None:
            self._workers.cancel()
        self._notify()

    def live(self) -> dict[str, Any]:
        """What the database does not know yet: the current file and whether a pause is under way."""
        pausing = self.stop_reason in ("pause", "interrupt")
        return {"current_file": self.current_file, "status": "pausing" if pausing else "running"}

    async def _check_models(self) -> None:
        if self.model_check is None:
            return
        model = self._job.vision_model
        answers = await asyncio.gather(
            *(self.model_check(e.url, model) for e in self.endpoints), return_exceptions=True
        )
        for endpoint, answer in zip(self.endpoints, answers, strict=True):
            if answer is False:
                endpoint.lacks_model(model)

    async def _work(self) -> None:
        workers = [self._worker(e) for e in self.endpoints if e.active for _ in range(e.parallel)]
        self._slots = len(workers)
        self._workers = asyncio.gather(*workers)
        try:
            await self._workers
        except asyncio.CancelledError:
            if self.stop_reason != "cancel":
                raise
        finally:
            self._outcomes.put_nowait(None)

    async def _worker(self, endpoint: EndpointRun) -> None:
        while (item := await self._next_item(endpoint)) is not None:
            try:
                outcome = await self._caption(item, endpoint)
            except asyncio.CancelledError:
                self._in_flight -= 1
                self._queue.appendleft(item)
                raise
            self._in_flight -= 1
            if outcome is None:
                self._queue.appendleft(item)  # its server did not answer: another endpoint may take it
            else:
                self._outcomes.put_nowait(outcome)
            self._notify()
            if outcome is None and endpoint.active:
                await asyncio.sleep(min(RETRY_PAUSE, self.grace / 4))

    async def _next_item(self, endpoint: EndpointRun) -> WorkItem | None:
        """The next image for this endpoint; waits while others are in flight (they may come back)."""
        while True:
            if self.stop_reason is not None or not endpoint.active:
                return None
            if self._queue:
                self._in_flight += 1
                item = self._queue.popleft()
                self._prepare_ahead()
                return item
            if not self._in_flight:
                return None
            await self._changed.wait()

    def _prepare_ahead(self) -> None:
        """Let the captioner prepare the images next in line (one per slot) while requests run."""
        prepare = getattr(self.captioner, "prepare", None)
        if prepare is not None:
            for item in itertools.islice(self._queue, self._slots):
                if item.exists:
                    prepare(item.path, **_clip_range(item))

    async def _caption(self, item: WorkItem, endpoint: EndpointRun) -> Outcome | None:
        self.current_file = item.filename
        self._tell_current_file()
        if item.key in self._edited:
            return Outcome(item.key, item.filename, "skipped", error=SKIP_MANUAL)
        if not item.exists:
            error = f"The image is missing at {item.path}; restore it or rescan its folder, then Retry failed"
            return Outcome(item.key, item.filename, "failed", error=error)
        started = time.monotonic()
        try:
            result = await self.captioner(
                item.path,
                base_url=endpoint.url,
                model=self._job.vision_model,
                style=self._job.style,
                max_length=self._job.max_length,
                trigger_phrase=self._job.options.get("trigger_phrase"),
                custom_prompt=self._job.options.get("custom_prompt"),
                context={"imported_caption": item.imported_caption or ""},
                **_clip_range(item),
            )
        except BACKEND_ERRORS as exc:
            if endpoint.backend_failed(str(exc) or type(exc).__name__, self.grace):
                log.warning("Caption job %s drops %s: %s", self.job_id, endpoint.url, exc)
            return None
        except ModelNotFound:  # the server's fault, not the image's: leave that server, keep the image
            endpoint.lacks_model(self._job.vision_model)
            return None
        except (CaptionForgeError, ImageDecodeError, OSError, ValueError) as exc:
            endpoint.image_failed(time.monotonic() - started)
            self._processed += 1
            return Outcome(item.key, item.filename, "failed", error=str(exc), endpoint=endpoint.url)
        endpoint.succeeded(time.monotonic() - started)
        self._processed += 1
        return Outcome(
            item.key,
            item.filename,
            "generated",
            text=result.caption,
            quality_score=getattr(result, "quality_score", None),
            quality_details=getattr(result, "quality_details", None),
            model=getattr(result, "model", None),
            processing_time_ms=getattr(result, "processing_time_ms", None),
            endpoint=endpoint.url,
        )

    async def _commit_loop(self) -> None:
        finished = False
        while not finished:
            batch: list[Outcome] = []
            item = await self._outcomes.get()
            if item is not None and self.stop_reason is None:
                await asyncio.sleep(COMMIT_WINDOW)  # gather what finishes meanwhile into the same transaction
            while item is not None and len(batch) < COMMIT_BATCH:
                batch.append(item)
                if self._outcomes.empty():
                    break
                item = self._outcomes.get_nowait()
            finished = item is None
            if batch:
                try:
                    report = await self._commit(batch)
                except StorageFull as exc:  # these captions are not stored: Resume captions them again
                    self._storage_error = str(exc)
                    self.stop("pause")
                    continue
                self._job = report.job
                publish_commit(self.core.events, report, self.current_file)
                self._last_publish = time.monotonic()

    async def _commit(self, batch: list[Outcome]) -> commits.CommitReport:
        for attempt in range(5):
            try:
                return await asyncio.to_thread(
                    commits.commit_outcomes, self.core.db, self.job_id, batch, self._progress()
                )
            except OperationalError as exc:  # "database is locked" under a concurrent writer: try again
                log.warning("Caption job %s commit retry %d: %s", self.job_id, attempt + 1, exc)
                await asyncio.sleep(0.2 * (attempt + 1))
        return await asyncio.to_thread(
            commits.commit_outcomes, self.core.db, self.job_id, batch, self._progress()
        )

    def _final_status(self) -> tuple[str, str | None]:
        if self._storage_error and self.stop_reason != "cancel":
            return "paused", f"{self._storage_error} Press Resume once there is space."
        if self.stop_reason == "cancel":
            return "cancelled", None
        if self.stop_reason == "interrupt":
            return "interrupted", None
        if self.stop_reason == "pause":
            return "paused", None
        if self._queue:
            return "paused", self._outage_message()
        return "completed", None

    def _outage_message(self) -> str:
        missing = [e for e in self.endpoints if e.status == "no_model"]
        if missing and len(missing) == len(self.endpoints):
            urls = ", ".join(e.url for e in missing)
            return (
                f"The model {self._job.vision_model} is not installed on {urls}. Pull it there or choose "
                "another model, then press Resume."
            )
        details = "; ".join(f"{e.url}: {e.error}" for e in self.endpoints if e.error)
        return (
            "The vision server stopped answering. Nothing was lost: start the server again, then press "
            f"Resume to caption the remaining {len(self._queue)} images. Details: {details}"
        )

    def _progress(self) -> dict[str, Any]:
        return {
            "endpoints": [e.as_state() for e in self.endpoints],
            "elapsed_seconds": round(self._elapsed_before + time.monotonic() - self._started, 3),
            "processed": self._processed,
        }

    def _tell_current_file(self) -> None:
        """Pages learn the current file with each commit; while nothing commits (slow model), now and then."""
        if time.monotonic() - self._last_publish >= CURRENT_FILE_EVERY and self.stop_reason is None:
            self._last_publish = time.monotonic()
            self.core.events.job_progress.emit(progress_payload(self._job, self.current_file))

    def _note_edit(self, payload: dict[str, Any]) -> None:
        """A person edited a caption of this set: the job will not caption that file (the edit wins)."""
        same_set = payload.get("caption_set_id") == self._job.caption_set_id
        overwrites_edits = self._job.overwrite_existing and self._job.options.get("overwrite_manual")
        if same_set and payload.get("caption_state") == "edited" and not overwrites_edits:
            self._edited.add(payload["file_id"])

    def _notify(self) -> None:
        """Wake idle workers: an image came back to the queue, the last one finished, or a stop."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()


def _clip_range(item: WorkItem) -> dict[str, Any]:
    """The clip's time range for the captioner (nothing for an image or a whole video)."""
    return {"time_range": item.time_range} if item.time_range else {}
