"""Folder allow-lists: which host folders CaptionForge may browse, track or export into.

Remote (LAN) users must not reach the whole disk of the host, so every operation that takes a path from a
request checks it with `ensure_allowed(path, allowed_roots(settings))`. Symlinks are resolved first, so a
link inside an allowed folder cannot lead outside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.access_token import lan_enabled
from app.config import Settings
from app.errors import Forbidden, Invalid

HOST_ONLY_SECTIONS = ("server", "database")  # LAN users may not change these through the app


def allowed_roots(settings: Settings) -> list[Path]:
    """The folders a request may touch, resolved.

    `server.allowed_folders` when set; otherwise the user's home in LAN mode and the whole filesystem
    for a local (browser on 127.0.0.1 or native window) user, who can already read every file anyway.
    """
    configured = [str(p).strip() for p in settings["server"]["allowed_folders"] if str(p).strip()]
    if configured:
        return [Path(p).expanduser().resolve() for p in configured]
    if lan_enabled(settings):
        return [Path.home().resolve()]
    return [Path(Path.home().anchor or "/")]


def ensure_allowed(path: str | Path, roots: Sequence[Path]) -> Path:
    """The resolved absolute path when it lies inside one of `roots`.

    Raises Invalid for an empty or relative path, Forbidden (HTTP 403) for one outside every root.
    """
    raw = str(path).strip()
    if not raw:
        raise Invalid("The folder path is empty: choose a folder.")
    candidate = Path(raw).expanduser()
    if not candidate.is_absolute():
        raise Invalid(f"{raw}: give the full path of the folder (starting with / or a drive letter).")
    try:
        resolved = candidate.resolve()
    except (OSError, ValueError, RuntimeError) as exc:  # NUL bytes, symlink loops
        raise Invalid(f"{raw}: not a usable path ({exc}).") from None
    if is_allowed(resolved, roots):
        return resolved
    shown = ", ".join(str(root) for root in roots) or "none"
    raise Forbidden(
        f"{resolved} is outside the folders CaptionForge may use here (allowed: {shown}). "
        "Add it to server.allowed_folders in settings.yaml on the host."
    )


def check_settings_patch(settings: Settings, patch: dict[str, Any]) -> None:
    """In LAN mode a remote user must not widen their own access: the server and database sections stay
    as the host set them, and a default export folder must lie inside the allow-list. Raises Forbidden."""
    if not lan_enabled(settings) or not isinstance(patch, dict):
        return
    for section in HOST_ONLY_SECTIONS:
        entries = patch.get(section) or {}
        changed = (
            [k for k, v in entries.items() if settings[section].get(k) != v]
            if isinstance(entries, dict)
            else []
        )
        if changed:
            raise Forbidden(
                f"{section}.{changed[0]} can only be changed on the host (edit settings.yaml there and restart)."
            )
    export_path = (
        (patch.get("export") or {}).get("default_path") if isinstance(patch.get("export"), dict) else None
    )
    if export_path:
        ensure_allowed(export_path, allowed_roots(settings))


def is_allowed(path: Path, roots: Sequence[Path]) -> bool:
    """True when the already resolved `path` is one of `roots` or inside one (for listings and 'up' buttons)."""
    return any(path == root or path.is_relative_to(root) for root in roots)
