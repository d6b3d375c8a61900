"""Request and response shapes of /api/folders and /api/files (they document the OpenAPI page)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class FolderCreate(BaseModel):
    path: str = Field(..., description="Absolute path of a folder on the machine the app runs on")
    recursive: bool = False
    max_depth: int = Field(3, ge=0, le=32, description="Subfolder levels scanned when recursive")
    notes: str | None = None
    follow_links: bool = Field(False, description="Follow symbolic links that stay inside the folder")
    scan: bool = Field(True, description="Start the first scan right away")


class FolderUpdate(BaseModel):
    name: str | None = None
    enabled: bool | None = None
    recursive: bool | None = None
    max_depth: int | None = Field(None, ge=0, le=32)
    notes: str | None = None
    follow_links: bool | None = None


class FolderOut(BaseModel):
    id: str
    path: str
    name: str
    date_added: str | None
    last_scanned: str | None
    file_count: int = Field(..., description="Readable images present on disk after the last scan")
    enabled: bool
    recursive: bool
    max_depth: int
    notes: str | None
    follow_links: bool = Field(False, description="Symbolic links inside the folder are followed")
    last_scan_error: str | None
    total_files: int
    missing_files: int
    broken_files: int
    total_size_mb: float
    scan: dict[str, Any] | None = Field(None, description="Scan status when one was started or is running")


class ScanProgress(BaseModel):
    """The scan_progress event payload."""

    folder_id: str
    phase: str = Field(..., description="walking | processing | done | cancelled | error")
    seen: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    broken: int = 0
    missing: int = 0
    moved: int = 0
    restored: int = 0
    to_process: int = 0
    processed: int = 0
    rate: float = Field(0.0, description="Files processed per second")
    elapsed: float = 0.0
    error: str | None = None
    unreadable: list[str] = Field([], description="Folders that could not be read (first 20)")
    ignored: int = Field(0, description="Entries skipped: not images, hidden files, Thumbs.db, .DS_Store")
    skipped: int = Field(0, description="Symbolic links refused: they leave the folder, or links are off")
    skipped_links: list[str] = Field([], description="The refused links with the reason (first 20)")


class ScanStarted(BaseModel):
    folder_id: str
    status: str = Field(..., description="started | running")
    progress: dict[str, Any] | None


class ScanCancelled(BaseModel):
    folder_id: str
    cancelled: bool = Field(..., description="False when no scan of this folder was running")


class FileOut(BaseModel):
    id: str
    folder_id: str
    filename: str
    file_path: str
    relative_path: str | None
    file_hash: str
    file_size_mb: float
    size_bytes: int
    file_type: str
    mime_type: str | None
    width: int | None
    height: int | None
    aspect_ratio: float | None
    date_added: str | None
    file_modified: str | None
    has_paired_caption: bool
    imported_caption: str | None = Field(None, description="Read-only text of the paired .txt/.caption file")
    imported_caption_path: str | None
    exists: bool
    last_verified: str | None
    scan_error: str | None = Field(None, description='Why the file is not usable, e.g. "truncated JPEG"')
    thumbnail_key: str | None
    thumbnail_url: str | None
    image_url: str
    phash: str | None = Field(None, description="64-bit dHash, hex")
    quality_score: float | None = Field(None, description="Measured quality 0..1")
    quality_details: dict[str, Any] | None = Field(None, description='{"measured": {...}, "reasons": {...}}')
    quality_flags: list[str]
    duplicate_count: int = Field(..., description="Other tracked files with the same SHA-256")
    is_video: bool = False
    duration_seconds: float | None = Field(None, description="Videos: length in seconds")
    fps: float | None = Field(None, description="Videos: frames per second")
    frame_count: int | None = Field(
        None, description="Videos: frames (the container's count, or duration x fps)"
    )
    video_codec: str | None = Field(None, description='Videos: e.g. "h264", "vp9"')
    has_audio: bool | None = Field(None, description="Videos: whether there is an audio track")
    video_url: str | None = Field(None, description="Videos: the clip, served with HTTP range requests")


class FileDetail(FileOut):
    folder_path: str
    duplicates: list[dict[str, str]]


class BrowseOut(BaseModel):
    path: str
    parent: str | None
    roots: list[str]
    entries: list[dict[str, str]]
    images: int = Field(..., description="Images directly in this folder")
    truncated: bool
    recent: list[str]


class RemovedFolder(BaseModel):
    id: str
    path: str
    files_forgotten: int
