"""Where an export lands: target checks, the temporary sibling it is built in, the atomic swap, leftovers.

A target is never inside (or around) a tracked source folder or the data dir. Work happens in
`.captionforge-export-<id>` (a folder, or `<...>.zip.part`) beside the target, renamed into place at the end.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from app import models
from app.config import Settings
from app.db import Database
from app.errors import Conflict, Invalid
from app.services.exports.export_presets import safe_name
from app.services.exports.export_shapes import Target
from app.services.paths import allowed_roots, ensure_allowed

TEMP_PREFIX = ".captionforge-export-"
_RENAME_EXCHANGE = 2


def resolve_target(
    db: Database, settings: Settings, kind: str, export_path: str, dataset_slug: str
) -> Target:
    """The final path for an export, checked against tracked folders and the data dir. Raises Invalid."""
    if export_path:
        raw = Path(export_path).expanduser()
        if not raw.is_absolute():
            raise Invalid(
                f"The export path must be a full path (like /home/me/lora/{dataset_slug}), got {export_path!r}"
            )
        ensure_allowed(raw, allowed_roots(settings))  # LAN users stay inside server.allowed_folders
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    if kind == "zip":
        if not export_path:
            raw = settings.exports_dir / f"{dataset_slug}-{stamp}.zip"
        elif raw.suffix.lower() != ".zip":
            raw = raw / f"{dataset_slug}-{stamp}.zip"
    elif not export_path:
        raw = settings.exports_dir / f"{dataset_slug}-{stamp}"
    path = Path(os.path.realpath(raw))
    if path.name.startswith(TEMP_PREFIX):
        raise Invalid(f"Names starting with {TEMP_PREFIX} are reserved for unfinished exports")
    _refuse_protected(db, settings, path)
    if kind == "zip":
        if path.is_dir():
            raise Invalid(f"{path} is a folder; choose a .zip file name")
        return Target(path=path, kind=kind, exists=path.exists(), non_empty=path.exists())
    if path.exists() and not path.is_dir():
        raise Invalid(f"{path} is a file, not a folder; choose a folder for the export")
    non_empty = path.is_dir() and any(path.iterdir())
    return Target(path=path, kind=kind, exists=path.exists(), non_empty=non_empty)


def require_confirmation(target: Target, overwrite: bool) -> None:
    """Raise Conflict when a non-empty target would be replaced without the user's say-so."""
    if target.non_empty and not overwrite:
        what = "file" if target.kind == "zip" else "folder"
        raise Conflict(
            f"The {what} {target.path} already exists and is not empty. Confirm to replace it "
            "(overwrite: true) or choose another target; exports never merge into existing files."
        )


def temp_folder(target: Path, export_id: str) -> Path:
    return target.parent / f"{TEMP_PREFIX}{export_id}"


def temp_zip(target: Path, export_id: str) -> Path:
    return target.parent / f"{TEMP_PREFIX}{export_id}.zip.part"


def commit(temp: Path, target: Path) -> None:
    """Put the finished temp (folder or zip) at the target name; an existing target is replaced at once."""
    if not target.exists():
        os.rename(temp, target)
        return
    if target.is_dir() and _exchange(temp, target):
        shutil.rmtree(temp)  # temp now holds the previous export
        return
    if target.is_file():
        os.replace(temp, target)
        return
    old = target.parent / f"{temp.name}-old"
    os.rename(target, old)
    os.rename(temp, target)
    shutil.rmtree(old)


def discard(*paths: Path) -> None:
    """Remove unfinished export work (folders or files); missing paths are fine."""
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists() or path.is_symlink():
            path.unlink(missing_ok=True)


def clean_leftovers(folders: set[Path], keep: frozenset[str] = frozenset()) -> list[str]:
    """Remove `.captionforge-export-*` entries in the given folders (except ids in keep); returns what went."""
    removed = []
    for folder in folders:
        try:
            entries = list(folder.iterdir()) if folder.is_dir() else []
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(TEMP_PREFIX) and not any(k in entry.name for k in keep):
                discard(entry)
                removed.append(str(entry))
    return removed


def _refuse_protected(db: Database, settings: Settings, path: Path) -> None:
    with db.session() as session:
        folders = session.scalars(select(models.TrackedFolder.path)).all()
    for folder in folders:
        tracked = Path(os.path.realpath(folder))
        if path == tracked or path.is_relative_to(tracked):
            raise Invalid(
                f"{path} is inside the tracked folder {tracked}; exports never write into source "
                "folders. Choose a folder outside it."
            )
        if tracked.is_relative_to(path):
            raise Invalid(
                f"{path} contains the tracked folder {tracked}; choose a folder that holds no sources"
            )
    data_dir = Path(os.path.realpath(settings.data_dir))
    if data_dir.is_relative_to(path):
        raise Invalid(f"{path} contains CaptionForge's data dir; choose another folder")


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), _RENAME_EXCHANGE)
    return result == 0


def default_slug(name: str) -> str:
    return safe_name(name.replace(" ", "_"), "dataset")
