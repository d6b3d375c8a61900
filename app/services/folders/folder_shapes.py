"""What the folders service answers: tracked folders, their files (with details), a removal, a listing of
this machine's folders."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field
from typing_extensions import TypedDict


class Folder(TypedDict):
    """A tracked folder with its file counts (a mapping: the pages, the jobs and the API read its keys)."""

    id: str
    path: str
    name: str
    date_added: str | None
    last_scanned: str | None
    file_count: Annotated[int, Field(description="Readable images present on disk after the last scan")]
    enabled: bool
    recursive: bool
    max_depth: int
    notes: str | None
    follow_links: Annotated[bool, Field(description="Symbolic links inside the folder are followed")]
    last_scan_error: str | None
    total_files: int
    missing_files: int
    broken_files: int
    total_size_mb: float
    scan: Annotated[
        dict[str, Any] | None, Field(description="Scan status when one was started or is running")
    ]


class VideoFacts(TypedDict):
    """A file's video columns (nulls for an image) and, for a video, the URL that streams it."""

    is_video: bool
    duration_seconds: Annotated[float | None, Field(description="Videos: length in seconds")]
    fps: Annotated[float | None, Field(description="Videos: frames per second")]
    frame_count: Annotated[
        int | None, Field(description="Videos: frames (the container's count, or duration x fps)")
    ]
    video_codec: Annotated[str | None, Field(description='Videos: e.g. "h264", "vp9"')]
    has_audio: Annotated[bool | None, Field(description="Videos: whether there is an audio track")]
    video_url: Annotated[str | None, Field(description="Videos: the clip, served with HTTP range requests")]


class FileFacts(TypedDict):
    """A tracked file's columns, its thumbnail and image URLs and its measured quality."""

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
    imported_caption: Annotated[
        str | None, Field(description="Read-only text of the paired .txt/.caption file")
    ]
    imported_caption_path: str | None
    exists: bool
    last_verified: str | None
    scan_error: Annotated[str | None, Field(description='Why the file is not usable, e.g. "truncated JPEG"')]
    thumbnail_key: str | None
    thumbnail_url: str | None
    image_url: str
    phash: Annotated[str | None, Field(description="64-bit dHash, hex")]
    quality_score: Annotated[float | None, Field(description="Measured quality 0..1")]
    quality_details: Annotated[
        dict[str, Any] | None, Field(description='{"measured": {...}, "reasons": {...}}')
    ]
    quality_flags: list[str]
    duplicate_count: Annotated[int, Field(description="Other tracked files with the same SHA-256")]


# A folder's files can be 100,000 rows: plain mappings, like the grid's rows, not a model per row.
class FolderFile(FileFacts, VideoFacts):
    """One tracked file of a folder: its facts, then (for a video) its video facts."""


class Duplicate(TypedDict):
    """Another tracked file with the same bytes."""

    id: str
    file_path: str


class FileDetail(FolderFile):
    """One file with its folder's path and the other files with the same bytes."""

    folder_path: str
    duplicates: list[Duplicate]


class RemovedFolder(BaseModel):
    """A folder no longer tracked, and how many of its files were forgotten (none deleted on disk)."""

    id: str
    path: str
    files_forgotten: int


class FolderEntry(BaseModel):
    """A subfolder in a listing."""

    name: str
    path: str


class DirectoryListing(BaseModel):
    """One folder's subfolders for the folder picker (parent None: at an allowed root)."""

    path: str
    parent: str | None
    roots: list[str]
    entries: list[FolderEntry]
    images: int = Field(..., description="Images directly in this folder")
    truncated: bool
