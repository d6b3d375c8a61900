"""The server-side folder browser: directories of this machine, limited to the allowed roots.

Browser and LAN users cannot use a native folder dialog, so the app lists folders for them. Only folders
under the allowed roots (app.services.paths.allowed_roots: server.allowed_folders, else the home folder
in LAN mode) can be listed or tracked; anything else is refused.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from app.errors import Invalid, NotFound
from app.services.folders.folder_shapes import DirectoryListing, FolderEntry
from app.services.images import SUPPORTED_EXTENSIONS
from app.services.paths import ensure_allowed, is_allowed

RECENT_FILE = "recent_folders.json"
RECENT_LIMIT = 10
MAX_ENTRIES = 2000  # a folder with more subfolders than this is cut short (and says so)


def check_folder(path: str | Path, roots: list[Path]) -> Path:
    """The resolved path when it is an existing folder inside an allowed root.

    Raises Invalid (empty or relative), Forbidden (outside every root) or NotFound (no such folder).
    """
    resolved = ensure_allowed(path, roots)
    if not resolved.is_dir():
        raise NotFound(f"{resolved} does not exist or is not a folder.")
    return resolved


def start_folder(roots: list[Path]) -> Path:
    """Where the picker opens: the home folder when it is allowed, else the first root."""
    home = Path.home().resolve()
    return home if is_allowed(home, roots) and home.is_dir() else roots[0]


def list_directory(path: str | None, roots: list[Path], show_hidden: bool = False) -> DirectoryListing:
    """One folder's subfolders for the picker, and how many images it holds itself.

    With no path, the listing starts at `start_folder`. `parent` is None at a root (no way above it).
    """
    folder = check_folder(path, roots) if path else start_folder(roots)
    entries: list[FolderEntry] = []
    images = 0
    truncated = False
    try:
        with os.scandir(folder) as iterator:
            for entry in iterator:
                if entry.name.startswith(".") and not show_hidden:
                    continue
                try:
                    if entry.is_dir():
                        if len(entries) >= MAX_ENTRIES:
                            truncated = True
                            continue
                        entries.append(FolderEntry(name=entry.name, path=entry.path))
                    elif os.path.splitext(entry.name)[1].lower() in SUPPORTED_EXTENSIONS:
                        images += 1
                except OSError:
                    continue
    except OSError as exc:
        raise Invalid(f"{folder} cannot be read ({exc.strerror or exc}).") from None
    entries.sort(key=lambda e: e.name.lower())
    at_root = folder in roots
    return DirectoryListing(
        path=str(folder),
        parent=None if at_root else str(folder.parent),
        roots=[str(r) for r in roots],
        entries=entries,
        images=images,
        truncated=truncated,
    )


def recent_folders(data_dir: Path, roots: list[Path]) -> list[str]:
    """Folders picked recently (newest first) that still exist and are still allowed."""
    try:
        items = json.loads((Path(data_dir) / RECENT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    kept = []
    for item in items if isinstance(items, list) else []:
        try:
            kept.append(str(check_folder(item, roots)))
        except (Invalid, NotFound):
            continue
    return kept


def remember_folder(data_dir: Path, path: str) -> None:
    """Put a picked folder first in the recent list (kept in the data dir, RECENT_LIMIT long)."""
    target = Path(data_dir) / RECENT_FILE
    try:
        items = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        items = []
    items = [path] + [p for p in items if isinstance(p, str) and p != path]
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(items[:RECENT_LIMIT]), encoding="utf-8")
    os.replace(tmp, target)
