"""Request bodies of /api/folders, the scan answers, and the browse answer (a listing with the recent
folders); the folder and file shapes are app.services.folders.folder_shapes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from app.services.folders.folder_shapes import DirectoryListing


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


class BrowseOut(DirectoryListing):
    """A folder listing with the recently picked folders."""

    recent: list[str]
