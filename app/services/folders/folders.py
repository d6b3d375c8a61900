"""Tracked folders and their files: add, list, edit, remove (forget, never delete on disk), file details."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.exc import IntegrityError

from app.db import Database
from app.errors import Conflict, Invalid, NotFound
from app.fs_names import readable
from app.models import TrackedFile, TrackedFolder
from app.services.folders.browse import check_folder
from app.services.folders.folder_shapes import (
    Duplicate,
    FileDetail,
    Folder,
    FolderFile,
    RemovedFolder,
    VideoFacts,
)
from app.services.rows import iso
from app.services.thumbnails import thumbnail_url

EDITABLE = {"name", "enabled", "recursive", "max_depth", "notes", "follow_links"}
MAX_DEPTH_LIMIT = 32


def add_folder(
    db: Database,
    path: str,
    recursive: bool = False,
    max_depth: int = 3,
    notes: str | None = None,
    allowed_roots: list[Path] | None = None,
    follow_links: bool = False,
) -> Folder:
    """Track a folder in place (nothing is copied); the caller starts the first scan (app.jobs.scans).

    Raises Forbidden (outside allowed_roots, when given), Invalid (bad depth), NotFound (no such folder)
    or Conflict (already tracked)."""
    resolved = check_folder(path, allowed_roots) if allowed_roots is not None else _existing_dir(path)
    _check_depth(max_depth)
    folder = TrackedFolder(
        path=str(resolved),
        name=resolved.name or str(resolved),
        recursive=bool(recursive),
        max_depth=max_depth,
        notes=(notes or "").strip() or None,
        follow_links=bool(follow_links),
    )
    try:
        with db.session() as session:
            if session.scalar(select(TrackedFolder.id).where(TrackedFolder.path == str(resolved))):
                raise Conflict(f"{resolved} is already tracked.")
            session.add(folder)
    except IntegrityError:
        raise Conflict(f"{resolved} is already tracked.") from None
    return get_folder(db, folder.id)


def list_folders(db: Database) -> list[Folder]:
    """Every tracked folder, by name, with counts of present, missing and broken files."""
    with db.session() as session:
        folders = session.scalars(select(TrackedFolder).order_by(func.lower(TrackedFolder.name))).all()
        counts = _file_counts(session)
        return [_folder_dict(folder, counts.get(folder.id, {})) for folder in folders]


def get_folder(db: Database, folder_id: str) -> Folder:
    """One folder with its counts; NotFound for an unknown id."""
    with db.session() as session:
        folder = _folder(session, folder_id)
        return _folder_dict(folder, _file_counts(session, folder_id).get(folder_id, {}))


def update_folder(db: Database, folder_id: str, **fields: Any) -> Folder:
    """Change name, enabled, recursive, max_depth or notes (None values are left as they are)."""
    unknown = set(fields) - EDITABLE
    if unknown:
        raise Invalid(
            f"Cannot change {', '.join(sorted(unknown))} of a folder (editable: {', '.join(sorted(EDITABLE))})."
        )
    if fields.get("max_depth") is not None:
        _check_depth(fields["max_depth"])
    if fields.get("name") is not None and not str(fields["name"]).strip():
        raise Invalid("A folder needs a name.")
    with db.session() as session:
        folder = _folder(session, folder_id)
        for key, value in fields.items():
            if value is not None:
                setattr(folder, key, value.strip() if isinstance(value, str) else value)
        if fields.get("notes") == "":
            folder.notes = None
    return get_folder(db, folder_id)


def remove_folder(db: Database, folder_id: str) -> RemovedFolder:
    """Forget a folder and its files (their captions in caption sets go too). Nothing on disk is touched."""
    with db.session() as session:
        folder = _folder(session, folder_id)
        count = session.scalar(select(func.count()).where(TrackedFile.folder_id == folder_id)) or 0
        # Explicit delete: cascades need foreign keys on, which not every database connection has.
        session.execute(delete(TrackedFile).where(TrackedFile.folder_id == folder_id))
        session.delete(folder)
        return RemovedFolder(id=folder_id, path=folder.path, files_forgotten=count)


def list_folder_files(
    db: Database, folder_id: str, *, offset: int = 0, limit: int | None = None, include_missing: bool = True
) -> list[FolderFile]:
    """The folder's files by relative path, each with thumbnail_url and duplicate_count (same hash elsewhere)."""
    with db.session() as session:
        _folder(session, folder_id)
        query = select(TrackedFile).where(TrackedFile.folder_id == folder_id)
        if not include_missing:
            query = query.where(TrackedFile.file_exists.is_(True))
        query = query.order_by(TrackedFile.relative_path, TrackedFile.file_path).offset(offset)
        files = session.scalars(query.limit(limit) if limit else query).all()
        twins = _hash_counts(session, [f.file_hash for f in files if f.file_hash])
        return [_file_dict(f, twins.get(f.file_hash, 1) - 1) for f in files]


def get_file(db: Database, file_id: str) -> FileDetail:
    """One file with imported_caption, scan_error, quality (measured details and reasons) and its duplicates."""
    with db.session() as session:
        file = session.get(TrackedFile, file_id)
        if file is None:
            raise NotFound(f"No tracked file with id {file_id}.")
        duplicates: list[Duplicate] = []
        if file.file_hash:
            query = select(TrackedFile.id, TrackedFile.file_path).where(
                TrackedFile.file_hash == file.file_hash, TrackedFile.id != file.id
            )
            duplicates = [
                {"id": row.id, "file_path": readable(row.file_path) or ""} for row in session.execute(query)
            ]
        return {
            **_file_dict(file, len(duplicates)),
            "duplicates": duplicates,
            "folder_path": file.folder.path,
        }


def file_source(db: Database, file_id: str) -> dict[str, Any]:
    """What the image routes need: {path, exists, file_hash, thumbnail_key, scan_error, size_bytes, mtime_ns, mime_type}."""
    with db.session() as session:
        file = session.get(TrackedFile, file_id)
        if file is None:
            raise NotFound(f"No tracked file with id {file_id}.")
        return {
            "path": file.file_path,
            "root": file.folder.path,
            "follow_links": file.folder.follow_links,
            "exists": file.file_exists,
            "file_hash": file.file_hash,
            "thumbnail_key": file.thumbnail_key,
            "scan_error": file.scan_error,
            "size_bytes": file.size_bytes,
            "mtime_ns": file.mtime_ns,
            "mime_type": file.mime_type,
        }


def file_thumbnail_url(file_id: str, key: str | None) -> str | None:
    """A file's thumbnail URL, or None when the file has none (e.g. it is broken)."""
    return thumbnail_url(file_id, key) if key else None


def _folder(session, folder_id: str) -> TrackedFolder:
    folder = session.get(TrackedFolder, folder_id)
    if folder is None:
        raise NotFound(f"No tracked folder with id {folder_id}.")
    return folder


def _file_counts(session, folder_id: str | None = None) -> dict[str, dict[str, int]]:
    query = select(
        TrackedFile.folder_id,
        func.count(),
        func.sum(case((TrackedFile.file_exists.is_(False), 1), else_=0)),
        func.sum(case((TrackedFile.scan_error.is_not(None), 1), else_=0)),
        func.sum(TrackedFile.file_size_mb),
    ).group_by(TrackedFile.folder_id)
    if folder_id:
        query = query.where(TrackedFile.folder_id == folder_id)
    return {
        row[0]: {
            "total": row[1],
            "missing": row[2] or 0,
            "broken": row[3] or 0,
            "size_mb": round(row[4] or 0, 2),
        }
        for row in session.execute(query)
    }


def _hash_counts(session, hashes: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    unique = list(set(hashes))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        query = (
            select(TrackedFile.file_hash, func.count())
            .where(TrackedFile.file_hash.in_(chunk))
            .group_by(TrackedFile.file_hash)
        )
        counts.update({row[0]: row[1] for row in session.execute(query)})
    return counts


def _folder_dict(folder: TrackedFolder, counts: dict[str, Any]) -> Folder:
    return {
        "id": folder.id,
        "path": folder.path,
        "name": folder.name,
        "date_added": iso(folder.date_added),
        "last_scanned": iso(folder.last_scanned),
        "file_count": folder.file_count,
        "enabled": folder.enabled,
        "recursive": folder.recursive,
        "max_depth": folder.max_depth,
        "notes": folder.notes,
        "follow_links": folder.follow_links,
        "last_scan_error": folder.last_scan_error,
        "total_files": counts.get("total", 0),
        "missing_files": counts.get("missing", 0),
        "broken_files": counts.get("broken", 0),
        "total_size_mb": counts.get("size_mb", 0.0),
        "scan": None,  # the API adds the running scan's status
    }


def video_fields(file: TrackedFile) -> VideoFacts:
    """A file's video columns (nulls for images) and, for a video, the URL that streams it."""
    return {
        "is_video": bool(file.is_video),
        "duration_seconds": file.duration_seconds,
        "fps": file.fps,
        "frame_count": file.frame_count,
        "video_codec": file.video_codec,
        "has_audio": file.has_audio,
        "video_url": f"/api/files/{file.id}/video" if file.is_video else None,
    }


def _file_dict(file: TrackedFile, duplicate_count: int) -> FolderFile:
    details = json.loads(file.quality_details) if file.quality_details else None
    return {
        "id": file.id,
        "folder_id": file.folder_id,
        "filename": file.filename,
        "file_path": readable(file.file_path) or "",  # never None: the column is required
        "relative_path": readable(file.relative_path),
        "file_hash": file.file_hash,
        "file_size_mb": file.file_size_mb,
        "size_bytes": file.size_bytes,
        "file_type": file.file_type,
        "mime_type": file.mime_type,
        "width": file.width,
        "height": file.height,
        "aspect_ratio": file.aspect_ratio,
        "date_added": iso(file.date_added),
        "file_modified": iso(file.file_modified),
        "has_paired_caption": file.has_paired_caption,
        "imported_caption": file.imported_caption,
        "imported_caption_path": readable(file.imported_caption_path),
        "exists": file.file_exists,
        "last_verified": iso(file.last_verified),
        "scan_error": file.scan_error,
        "thumbnail_key": file.thumbnail_key,
        "thumbnail_url": file_thumbnail_url(file.id, file.thumbnail_key),
        "image_url": f"/api/files/{file.id}/image"
        + (f"?v={file.thumbnail_key}" if file.thumbnail_key else ""),
        "phash": file.phash,
        "quality_score": file.quality_score,
        "quality_details": details,
        "quality_flags": json.loads(file.quality_flags) if file.quality_flags else [],
        "duplicate_count": duplicate_count,
        **video_fields(file),
    }


def _existing_dir(path: str) -> Path:
    resolved = Path(str(path)).expanduser().resolve()
    if not resolved.is_dir():
        raise NotFound(f"{resolved} does not exist or is not a folder.")
    return resolved


def _check_depth(max_depth: Any) -> None:
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or not 0 <= max_depth <= MAX_DEPTH_LIMIT:
        raise Invalid(f"max_depth must be a whole number from 0 to {MAX_DEPTH_LIMIT}, got {max_depth!r}.")
