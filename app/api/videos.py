"""/api/videos: a video's clips (scene detection, accept/reject, merge at a cut) and video dataset exports."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from app.api.schemas.video_schemas import (
    ClipCaptionRequest,
    ClipGenerateRequest,
    ClipOut,
    ClipRequest,
    DetectRequest,
    ExportReport,
    FramesExportRequest,
    StatusRequest,
    VideoExportRequest,
    VideoPresetOut,
)
from app.container import ServicesDep
from app.services.exports import video_export
from app.services.exports.video_export_presets import list_video_presets
from app.services.video import video_clips
from app.vision.single import generate_for_clip

router = APIRouter(prefix="/api", tags=["videos"])


@router.get("/files/{file_id}/clips", response_model=list[ClipOut], summary="A video's clips in time order")
def list_clips(services: ServicesDep, file_id: str) -> list[dict[str, Any]]:
    return video_clips.list_clips(services.db, file_id)


@router.post(
    "/files/{file_id}/clips/detect",
    response_model=list[ClipOut],
    summary="Find the hard cuts (PySceneDetect); each scene becomes a proposed clip to accept or reject",
)
def detect(services: ServicesDep, file_id: str, body: DetectRequest | None = None) -> list[dict[str, Any]]:
    body = body or DetectRequest()
    return video_clips.detect_scenes(
        services.db, file_id, threshold=body.threshold, min_seconds=body.min_seconds
    )


@router.post("/files/{file_id}/clips", response_model=ClipOut, status_code=201, summary="Mark a clip by hand")
def add_clip(services: ServicesDep, file_id: str, body: ClipRequest) -> dict[str, Any]:
    return video_clips.add_clip(services.db, file_id, body.start, body.end)


@router.put("/clips/{clip_id}/status", response_model=ClipOut, summary="Accept or reject a clip")
def set_status(services: ServicesDep, clip_id: str, body: StatusRequest) -> dict[str, Any]:
    return video_clips.set_status(services.db, clip_id, body.status)


@router.post(
    "/clips/{clip_id}/remove-cut",
    response_model=ClipOut,
    summary="Reject the cut after a clip: merge it with the next",
)
def remove_cut(services: ServicesDep, clip_id: str) -> dict[str, Any]:
    return video_clips.remove_cut_after(services.db, clip_id)


@router.put("/clips/{clip_id}/caption", response_model=ClipOut, summary="Write a clip's own caption")
def set_caption(services: ServicesDep, clip_id: str, body: ClipCaptionRequest) -> dict[str, Any]:
    return video_clips.set_caption(services.db, clip_id, body.caption_text)


@router.post(
    "/clips/{clip_id}/generate",
    response_model=ClipOut,
    summary="Caption a clip from evenly spaced frames of its own time range (kept on the clip)",
)
async def generate_clip_caption(
    services: ServicesDep, clip_id: str, body: ClipGenerateRequest
) -> dict[str, Any]:
    return await generate_for_clip(services, clip_id, body.caption_set_id)


@router.delete(
    "/clips/{clip_id}",
    status_code=204,
    response_class=Response,
    summary="Forget a clip (the video is untouched)",
)
def delete_clip(services: ServicesDep, clip_id: str) -> Response:
    video_clips.delete_clip(services.db, clip_id)
    return Response(status_code=204)


@router.get("/video-export-presets", response_model=list[VideoPresetOut], summary="Video trainer presets")
def presets() -> list[dict[str, Any]]:
    return list_video_presets()


@router.post(
    "/datasets/{dataset_id}/video-export",
    response_model=ExportReport,
    summary="Write each accepted clip as H.264 MP4 + .txt for a video trainer, with its config",
)
def export_videos(services: ServicesDep, dataset_id: str, body: VideoExportRequest) -> dict[str, Any]:
    return video_export.export_video_dataset(services.db, services.settings, dataset_id, **body.model_dump())


@router.post(
    "/datasets/{dataset_id}/frames-export",
    response_model=ExportReport,
    summary="Write evenly spaced frames of each clip as an image dataset (image + .txt caption)",
)
def export_frames(services: ServicesDep, dataset_id: str, body: FramesExportRequest) -> dict[str, Any]:
    return video_export.export_frames(services.db, services.settings, dataset_id, **body.model_dump())
