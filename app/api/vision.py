"""Vision endpoints: models and their status, single-caption generation, connection test, downloads."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Body
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from app.api.schemas.dataset_schemas import CaptionLimit
from app.api.schemas.vision_schemas import ConnectionReport, DownloadCancelled
from app.container import ServicesDep
from app.errors import NotFound
from app.services.vision_models.vision_model_shapes import ModelStatuses
from app.vision.availability import model_statuses
from app.vision.client import CaptionResult, check_connection
from app.vision.downloads import DownloadState
from app.vision.single import generate_for_file

router = APIRouter(prefix="/api/vision", tags=["vision"])


class GenerateRequest(BaseModel):
    file_id: str
    caption_set_id: str | None = None
    style: str | None = None
    max_length: CaptionLimit | None = None
    trigger_phrase: str | None = None
    vision_model: str | None = None
    custom_prompt: str | None = None


@router.get(
    "/models",
    response_model=ModelStatuses,
    summary="Curated and custom models with Ready / Not downloaded / Backend unreachable",
)
async def list_models(services: ServicesDep, refresh: bool = True) -> ModelStatuses:
    return await model_statuses(services.settings, services.db, refresh=refresh)


@router.post(
    "/models/refresh",
    response_model=ModelStatuses,
    summary="Ask the backend which models it has and update the cached status",
)
async def refresh_models(services: ServicesDep) -> ModelStatuses:
    return await model_statuses(services.settings, services.db, refresh=True)


@router.post(
    "/generate",
    response_model=CaptionResult,
    summary="Caption one tracked file (try a style or prompt before a batch job)",
)
async def generate(services: ServicesDep, payload: GenerateRequest) -> dict[str, Any]:
    overrides = payload.model_dump(exclude={"file_id", "caption_set_id"})
    result = await generate_for_file(services, payload.file_id, payload.caption_set_id, **overrides)
    return result.to_dict()


@router.post(
    "/test-connection",
    response_model=ConnectionReport,
    summary="Check server, model, vision capability; says what works and what not",
)
async def test_connection(
    services: ServicesDep, model: str | None = Body(None, embed=True)
) -> ConnectionReport:
    checks = await check_connection(services.settings, model)
    return ConnectionReport(ok=all(c.ok for c in checks), checks=checks)


@router.post(
    "/models/download",
    status_code=202,
    response_model=DownloadState,
    summary="Start downloading a model on the backend",
)
async def start_download(services: ServicesDep, model: str = Body(..., embed=True)) -> dict[str, Any]:
    return services.downloads.start(services.settings, model).as_dict()


@router.get(
    "/models/download/{model:path}/stream",
    summary="Download progress as Server-Sent Events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}},
)
async def stream_download(services: ServicesDep, model: str) -> StreamingResponse:
    registry = services.downloads
    started = registry.get(model)
    if started is None:
        raise NotFound(f"No download of {model} was started.")

    async def events() -> AsyncIterator[str]:
        state = started
        while True:
            yield f"data: {json.dumps(state.as_dict())}\n\n"
            if state.state != "running":
                return
            await asyncio.sleep(0.5)
            state = registry.get(model) or state  # a download's state is replaced as it progresses

    return StreamingResponse(events(), media_type="text/event-stream")


@router.post(
    "/models/download/{model:path}/cancel",
    response_model=DownloadCancelled,
    summary="Stop a running download",
)
async def cancel_download(services: ServicesDep, model: str) -> dict[str, Any]:
    return {"cancelled": services.downloads.cancel(model)}


@router.get("/models/download/{model:path}", response_model=DownloadState, summary="Download progress (poll)")
async def download_progress(services: ServicesDep, model: str) -> dict[str, Any]:
    state = services.downloads.get(model)
    if state is None:
        raise NotFound(f"No download of {model} was started.")
    return state.as_dict()
