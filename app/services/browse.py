"""The server-side folder browser: directories of this machine, limited to the allowed roots.

Browser and LAN users cannot use a native folder dialog, so the app lists folders for them. Only folders
under server.allowed_folders (default: the home folder of the user running the app) can be listed or
tracked; anything else is refused.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from app.errors import Invalid, NotFound
from app.services.images import SUPPORTED_EXTENSIONS

RECENT_FILE = "recent_folders.json"
RECENT_LIMIT = 10
MAX_ENTRIES = 2000  # a folder with more subfolders than this is cut short (and says so)


def allowed_roots(configured: list[str] | None) -> list[Path]:
    """The resolved roots folders may come from: the configured list, or the user's home folder."""
    roots = [Path(p).expanduser().resolve() for p in (configured or []) if str(p).strip()]
    return roots or [Path.home().resolve()]


def check_allowed(path: str | Path, roots: list[Path]) -> Path:
    """The resolved absolute path if it is an existing folder inside an allowed root; else Invalid/NotFound."""
    text = str(path).strip()
    if not text:
        raise Invalid("Type or pick a folder path.")
    candidate = Path(text).expanduser()
    if not candidate.is_absolute():
        raise Invalid(f"{text}: give the full path of the folder (it starts with / or a drive letter).")
    resolved = candidate.resolve()
    if not any(resolved == root or resolved.is_relative_to(root) for root in roots):
        shown = ", ".join(str(r) for r in roots)
        raise Invalid(
            f"{resolved} is outside the folders this app may read ({shown}). "
            "Add its parent to server.allowed_folders in Settings to allow it."
        )
    if not resolved.is_dir():
        raise NotFound(f"{resolved} does not exist or is not a folder.")
    return resolved


def list_directory(path: str | None, roots: list[Path], show_hidden: bool = False) -> dict[str, Any]:
    """One folder's subfolders for the picker: {path, parent, roots, entries: [{name, path}], images, truncated}.

    With no path, the listing starts at the first root. `parent` is None at a root (no way above it).
    """
    folder = check_allowed(path, roots) if path else roots[0]
    entries: list[dict[str, str]] = []
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
                        entries.append({"name": entry.name, "path": entry.path})
                    elif os.path.splitext(entry.name)[1].lower() in SUPPORTED_EXTENSIONS:
                        images += 1
                except OSError:
                    continue
    except OSError as exc:
        raise Invalid(f"{folder} cannot be read ({exc.strerror or exc}).") from None
    entries.sort(key=lambda e: e["name"].lower())
    at_root = folder in roots
    return {
        "path": str(folder),
        "parent": None if at_root else str(folder.parent),
        "roots": [str(r) for r in roots],
        "entries": entries,
        "images": images,
        "truncated": truncated,
    }


def recent_folders(data_dir: Path, roots: list[Path]) -> list[str]:
    """Folders picked recently (newest first) that still exist and are still allowed."""
    try:
        items = json.loads((Path(data_dir) / RECENT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    kept = []
    for item in items if isinstance(items, list) else []:
        try:
            kept.append(str(check_allowed(item, roots)))
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
