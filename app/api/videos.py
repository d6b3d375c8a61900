"""/api/videos: a video's clips (scene detection, accept/reject, merge at a cut) and video dataset exports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel

from app.api.schemas.video_schemas import (
    ClipCaptionRequest,
    ClipGenerateRequest,
    ClipRequest,
    DetectRequest,
    ExportReport,
    FramesExportRequest,
    StatusRequest,
    VideoExportRequest,
    VideoPresetOut,
)
from app.container import AppServices, ServicesDep
from app.services.exports import video_export
from app.services.exports.video_export_presets import list_video_presets
from app.services.video import video_clips
from app.services.video.video_shapes import Clip
from app.vision.single import generate_for_clip

router = APIRouter(prefix="/api", tags=["videos"])


def _clips_route(method: str, path: str, summary: str, **extra: Any) -> Callable:
    """The decorator of a route under /api/files/{file_id}/clips that answers the video's clips."""
    return router.api_route(
        f"/files/{{file_id}}/clips{path}",
        methods=[method],
        response_model=list[Clip],
        summary=summary,
        **extra,
    )


def _clip_route(method: str, path: str, summary: str, **extra: Any) -> Callable:
    """The decorator of a route under /api/clips/{clip_id} that answers the clip as it then is."""
    extra.setdefault("response_model", Clip)
    return router.api_route(f"/clips/{{clip_id}}{path}", methods=[method], summary=summary, **extra)


def _export_route(path: str, summary: str) -> Callable:
    """The decorator of a route that writes a dataset's clips somewhere and reports what it wrote."""
    return router.post(f"/datasets/{{dataset_id}}/{path}", response_model=ExportReport, summary=summary)


@_clips_route("GET", "", "A video's clips in time order")
def list_clips(services: ServicesDep, file_id: str) -> list[Clip]:
    return video_clips.list_clips(services.db, file_id)


@_clips_route(
    "POST",
    "/detect",
    "Find the hard cuts (PySceneDetect); each scene becomes a proposed clip to accept or reject",
)
def detect(services: ServicesDep, file_id: str, body: DetectRequest | None = None) -> list[Clip]:
    body = body or DetectRequest()
    return video_clips.detect_scenes(
        services.db, file_id, threshold=body.threshold, min_seconds=body.min_seconds
    )


@router.post("/files/{file_id}/clips", response_model=Clip, status_code=201, summary="Mark a clip by hand")
def add_clip(services: ServicesDep, file_id: str, body: ClipRequest) -> Clip:
    return video_clips.add_clip(services.db, file_id, body.start, body.end)


@_clip_route("PUT", "/status", "Accept or reject a clip")
def set_status(services: ServicesDep, clip_id: str, body: StatusRequest) -> Clip:
    return video_clips.set_status(services.db, clip_id, body.status)


@_clip_route("POST", "/remove-cut", "Reject the cut after a clip: merge it with the next")
def remove_cut(services: ServicesDep, clip_id: str) -> Clip:
    return video_clips.remove_cut_after(services.db, clip_id)


@_clip_route("PUT", "/caption", "Write a clip's own caption")
def set_caption(services: ServicesDep, clip_id: str, body: ClipCaptionRequest) -> Clip:
    return video_clips.set_caption(services.db, clip_id, body.caption_text)


@_clip_route(
    "POST", "/generate", "Caption a clip from evenly spaced frames of its own time range (kept on the clip)"
)
async def generate_clip_caption(
    services: ServicesDep, clip_id: str, body: ClipGenerateRequest
) -> dict[str, Any]:
    return await generate_for_clip(services.core, clip_id, body.caption_set_id)


@_clip_route(
    "DELETE",
    "",
    "Forget a clip (the video is untouched)",
    status_code=204,
    response_class=Response,
    response_model=None,
)
def delete_clip(services: ServicesDep, clip_id: str) -> Response:
    video_clips.delete_clip(services.db, clip_id)
    return Response(status_code=204)


@router.get("/video-export-presets", response_model=list[VideoPresetOut], summary="Video trainer presets")
def presets() -> list[dict[str, Any]]:
    return list_video_presets()


@_export_route(
    "video-export", "Write each accepted clip as H.264 MP4 + .txt for a video trainer, with its config"
)
def export_videos(services: ServicesDep, dataset_id: str, body: VideoExportRequest) -> dict[str, Any]:
    return _export(video_export.export_video_dataset, services, dataset_id, body)


@_export_route(
    "frames-export", "Write evenly spaced frames of each clip as an image dataset (image + .txt caption)"
)
def export_frames(services: ServicesDep, dataset_id: str, body: FramesExportRequest) -> dict[str, Any]:
    return _export(video_export.export_frames, services, dataset_id, body)


def _export(
    write: Callable[..., dict[str, Any]], services: AppServices, dataset_id: str, body: BaseModel
) -> dict[str, Any]:
    return write(services.db, services.settings, dataset_id, **body.model_dump())
