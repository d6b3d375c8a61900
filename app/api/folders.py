"""/api/folders: track folders in place, scan them, list their files, and browse this machine's folders."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Query, status

from app.api.schemas.folder_schemas import (
    BrowseOut,
    FolderCreate,
    FolderUpdate,
    ScanCancelled,
    ScanProgress,
    ScanStarted,
)
from app.container import ServicesDep
from app.errors import NotFound
from app.services.folders import browse, folders
from app.services.folders.folder_shapes import Folder, FolderFile, RemovedFolder
from app.services.paths import allowed_roots

router = APIRouter(prefix="/api/folders", tags=["folders"])


@router.get(
    "/browse", response_model=BrowseOut, summary="Subfolders of a folder on this machine (allowed roots)"
)
def browse_folders(
    services: ServicesDep,
    path: str | None = Query(None, description="Absolute folder path; empty = start folder"),
    show_hidden: bool = False,
) -> BrowseOut:
    """403 outside the allowed roots (server.allowed_folders), 404 for a folder that does not exist."""
    roots = allowed_roots(services.settings)
    listing = browse.list_directory(path, roots, show_hidden)
    return BrowseOut(**listing.model_dump(), recent=browse.recent_folders(services.settings.data_dir, roots))


@router.post(
    "", response_model=Folder, status_code=status.HTTP_201_CREATED, summary="Track a folder in place"
)
async def add_folder(services: ServicesDep, body: FolderCreate) -> Folder:
    """Nothing is copied. 403 outside the allowed roots, 404 no such folder, 409 already tracked.
    The first scan starts in the background unless `scan` is false."""
    folder = await asyncio.to_thread(
        folders.add_folder,
        services.db,
        body.path,
        body.recursive,
        body.max_depth,
        body.notes,
        allowed_roots(services.settings),
        body.follow_links,
    )
    await asyncio.to_thread(browse.remember_folder, services.settings.data_dir, folder["path"])
    if body.scan:
        folder["scan"] = services.scans.start_scan(folder["id"])
    return folder


@router.get("", response_model=list[Folder], summary="List tracked folders with file counts")
def list_folders(services: ServicesDep) -> list[Folder]:
    return folders.list_folders(services.db)


@router.get("/{folder_id}", response_model=Folder, summary="One tracked folder")
def get_folder(services: ServicesDep, folder_id: str) -> Folder:
    folder = folders.get_folder(services.db, folder_id)
    folder["scan"] = services.scans.scan_status(folder_id)
    return folder


@router.put(
    "/{folder_id}", response_model=Folder, summary="Change name, enabled, recursive, max_depth or notes"
)
def update_folder(services: ServicesDep, folder_id: str, body: FolderUpdate) -> Folder:
    return folders.update_folder(services.db, folder_id, **body.model_dump(exclude_unset=True))


@router.delete("/{folder_id}", response_model=RemovedFolder, summary="Forget a folder (files on disk stay)")
def remove_folder(services: ServicesDep, folder_id: str) -> RemovedFolder:
    """Its files leave every dataset and caption set; nothing on disk is deleted or changed."""
    services.scans.cancel_scan(folder_id)
    return folders.remove_folder(services.db, folder_id)


@router.post("/{folder_id}/scan", summary="Scan a folder (incremental) in the background, or wait for it")
async def scan_folder(
    services: ServicesDep,
    folder_id: str,
    wait: bool = Query(False, description="Answer with the final counts when the scan is done"),
    remeasure: bool = Query(
        False, description="Re-read unchanged files too: recompute quality after settings change"
    ),
) -> Any:
    """Returns {status, progress} at once, or the final ScanProgress with `wait=true`. 409 when disabled."""
    if wait:
        return ScanProgress(**await services.scans.scan_and_wait(folder_id, remeasure))
    return ScanStarted(**await services.scans.request_scan(folder_id, remeasure))


@router.post(
    "/{folder_id}/scan/cancel",
    response_model=ScanCancelled,
    summary="Stop a running scan after the files in flight",
)
def cancel_scan(services: ServicesDep, folder_id: str) -> ScanCancelled:
    """What was processed so far is kept; files are not marked missing by a stopped scan."""
    folders.get_folder(services.db, folder_id)
    return ScanCancelled(folder_id=folder_id, cancelled=services.scans.cancel_scan(folder_id))


@router.get("/{folder_id}/scan", response_model=ScanProgress, summary="Progress of the current or last scan")
def scan_progress(services: ServicesDep, folder_id: str) -> dict[str, Any]:
    folders.get_folder(services.db, folder_id)
    latest = services.scans.scan_status(folder_id)
    if latest is None:
        raise NotFound("This folder was not scanned since the app started.")
    return latest


@router.get(
    "/{folder_id}/files", response_model=list[FolderFile], summary="The folder's files, missing ones included"
)
def list_files(
    services: ServicesDep,
    folder_id: str,
    offset: int = Query(0, ge=0, le=2**31 - 1),
    limit: int | None = Query(None, ge=1, le=100_000),
    include_missing: bool = True,
) -> list[FolderFile]:
    return folders.list_folder_files(
        services.db, folder_id, offset=offset, limit=limit, include_missing=include_missing
    )
