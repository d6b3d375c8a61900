"""Caption jobs: POST /api/caption-sets/{id}/auto-generate and /api/vision/jobs (list, status, control, SSE).

The routes are async: they talk to the job runner on the event loop (its database calls run in threads).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from app.api.schemas.job_schemas import JobPlan, JobStarted
from app.container import ServicesDep
from app.core import Events
from app.jobs.job_payloads import completed_payload, progress_payload
from app.services.caption_jobs import caption_jobs
from app.services.caption_jobs.caption_job_plan import plan_job
from app.services.caption_jobs.caption_job_shapes import CaptionJob

router = APIRouter(tags=["caption jobs"])
KEEPALIVE_SECONDS = 15.0


class AutoGenerateRequest(BaseModel):
    vision_model: str | None = Field(None, description="Model name; default: the one in settings")
    overwrite_existing: bool = Field(
        False, description="Regenerate captions that exist (not hand-edited ones)"
    )
    overwrite_manual: bool = Field(
        False, description="With overwrite_existing: also replace hand-edited captions"
    )
    min_quality_threshold: float | None = Field(
        None, ge=0, le=1, description="Regenerate captions below this"
    )
    custom_prompt: str | None = Field(None, description="Prompt override; {filename} {folder} are filled in")
    file_ids: list[str] | None = Field(None, description="Only these images (a selection); default: all")
    parallel: int | None = Field(None, ge=1, le=64, description="Parallel requests to the main server")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {"vision_model": "qwen3-vl:4b", "overwrite_existing": False, "min_quality_threshold": 0.7}
            ]
        }
    }


class PlanRequest(BaseModel):
    overwrite_existing: bool = False
    overwrite_manual: bool = False
    min_quality_threshold: float | None = Field(None, ge=0, le=1)
    file_ids: list[str] | None = None


@router.post(
    "/api/caption-sets/{caption_set_id}/auto-generate",
    response_model=JobStarted,
    summary="Start a background caption job",
)
async def auto_generate(services: ServicesDep, caption_set_id: str, body: AutoGenerateRequest) -> JobStarted:
    """The queued job's id, counts and estimated time; 422 when nothing would be captioned."""
    job = await services.jobs.submit(caption_set_id, **body.model_dump())
    return JobStarted(
        job_id=job.id,
        status=job.status,
        total_files=job.total_files,
        estimated_time_seconds=job.estimated_time_seconds,
        to_caption=job.remaining_files,
        skipped_files=job.skipped_files,
        skip_reasons=job.skip_reasons,
    )


@router.post(
    "/api/caption-sets/{caption_set_id}/auto-generate/plan",
    response_model=JobPlan,
    summary="What a job would caption and skip",
)
def plan(services: ServicesDep, caption_set_id: str, body: PlanRequest) -> JobPlan:
    result = plan_job(services.db, caption_set_id, **body.model_dump())
    return JobPlan(**result.model_dump(exclude={"to_caption"}), to_caption=len(result.to_caption))


@router.get("/api/vision/jobs", response_model=list[CaptionJob], summary="Caption jobs, newest first")
async def list_jobs(services: ServicesDep, limit: int = Query(100, ge=1, le=1000)) -> list[CaptionJob]:
    return await services.jobs.list(limit)


@router.get(
    "/api/vision/jobs/{job_id}",
    response_model=CaptionJob,
    summary="A job's status, counts, failed files and endpoint throughput",
)
async def get_job(services: ServicesDep, job_id: str) -> CaptionJob:
    return await services.jobs.get(job_id)


@router.post(
    "/api/vision/jobs/{job_id}/pause",
    response_model=CaptionJob,
    summary="Pause after the images in flight (they are kept)",
)
async def pause(services: ServicesDep, job_id: str) -> CaptionJob:
    return await services.jobs.pause(job_id)


@router.post(
    "/api/vision/jobs/{job_id}/resume",
    response_model=CaptionJob,
    summary="Resume a paused or interrupted job",
)
async def resume(services: ServicesDep, job_id: str) -> CaptionJob:
    return await services.jobs.resume(job_id)


@router.post(
    "/api/vision/jobs/{job_id}/cancel", response_model=CaptionJob, summary="Cancel; finished captions stay"
)
async def cancel(services: ServicesDep, job_id: str) -> CaptionJob:
    return await services.jobs.cancel(job_id)


@router.post(
    "/api/vision/jobs/{job_id}/retry-failed",
    response_model=CaptionJob,
    summary="Queue the failed images again",
)
async def retry_failed(services: ServicesDep, job_id: str) -> CaptionJob:
    return await services.jobs.retry_failed(job_id)


@router.get(
    "/api/vision/jobs/{job_id}/stream",
    summary="Server-sent events: progress, caption_generated, error, completed",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}},
)
async def stream(services: ServicesDep, job_id: str, request: Request) -> StreamingResponse:
    """Events progress, caption_generated, error, completed; the stream ends after "completed" (its status says
    completed or cancelled)."""
    job = await services.jobs.get(job_id)  # 404 before the stream starts
    return StreamingResponse(
        _events(job, request, services.events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(job: CaptionJob, request: Request, events: Events) -> AsyncIterator[str]:
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    def collect(payload: dict[str, Any]) -> None:
        if payload.get("job_id") == job.id:
            queue.put_nowait(payload)

    events.job_progress.subscribe(collect)
    try:
        yield _sse(progress_payload(job, job.current_file))
        if job.status in caption_jobs.FINISHED:
            yield _sse(completed_payload(job))
            return
        while not await request.is_disconnected():
            try:
                payload = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
            except asyncio.TimeoutError:
                yield ": keep-alive\n\n"
                continue
            yield _sse(payload)
            if payload["event"] == "completed":
                return
    finally:
        events.job_progress.unsubscribe(collect)


def _sse(payload: dict[str, Any]) -> str:
    data = {key: value for key, value in payload.items() if key != "event"}
    return f"event: {payload['event']}\ndata: {json.dumps(data)}\n\n"
