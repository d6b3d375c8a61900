"""Walking a tracked folder: os.scandir, a depth limit, symlink-loop safety, ignored junk, unreadable folders."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field

from app.services.folders.paired_captions import CAPTION_EXTENSIONS
from app.services.images import SUPPORTED_EXTENSIONS
from app.services.safe_paths import resolved_inside
from app.services.video_probe import VIDEO_EXTENSIONS

# Never images, whatever they are called: Windows and macOS folder metadata.
IGNORED_NAMES = {"thumbs.db", "ehthumbs.db", "desktop.ini", ".ds_store"}


@dataclass
class WalkResult:
    """What a walk found. Paths are as reached from the folder (symlinked folders keep the link's path)."""

    files: dict[str, tuple[int, int]] = field(default_factory=dict)  # image or video path -> (size, mtime_ns)
    captions: dict[str, str] = field(default_factory=dict)  # lower-cased caption path -> real path
    caption_mtimes: dict[str, int] = field(default_factory=dict)  # real caption path -> mtime_ns
    unreadable: list[str] = field(default_factory=list)  # "path: reason" per folder that could not be read
    ignored: int = 0
    skipped: list[str] = field(default_factory=list)  # "path: reason" per link refused (it leaves the root)


def walk_folder(root: str, recursive: bool, max_depth: int, follow_links: bool = False) -> WalkResult:
    """Images, videos and caption files under root; subfolders down to max_depth levels when recursive.

    Hidden entries (".name", macOS "._name") and Thumbs.db/.DS_Store are skipped. A folder reached twice
    (a symlink loop, or two links to one place) is read once. A folder that cannot be read is listed in
    `unreadable` and the walk goes on. Symbolic links are skipped (listed in `skipped` with the reason)
    unless follow_links, and even then a link whose target leaves the root is never followed.
    """
    found = WalkResult()
    visited: set[tuple[int, int]] = set()
    stack: list[tuple[str, int]] = [(root, 0)]
    while stack:
        directory, depth = stack.pop()
        try:
            info = os.stat(directory)
            if (info.st_dev, info.st_ino) in visited:
                continue
            visited.add((info.st_dev, info.st_ino))
            with os.scandir(directory) as iterator:
                entries = list(iterator)
        except OSError as exc:
            found.unreadable.append(f"{directory}: {exc.strerror or exc}")
            continue
        for entry in entries:
            if entry.is_symlink() and not _link_allowed(entry, root, follow_links, found):
                continue
            _take(entry, depth, recursive, max_depth, stack, found)
    return found


def _link_allowed(entry: os.DirEntry, root: str, follow_links: bool, found: WalkResult) -> bool:
    if entry.name.startswith("."):
        return True  # hidden: ignored by _take anyway
    if not follow_links:
        found.skipped.append(f"{entry.path}: a symbolic link (following links is off for this folder)")
        return False
    if resolved_inside(entry.path, root) is None:
        found.skipped.append(f"{entry.path}: a symbolic link that leads outside the tracked folder")
        return False
    return True


def _take(
    entry: os.DirEntry, depth: int, recursive: bool, max_depth: int, stack: list, found: WalkResult
) -> None:
    name = entry.name
    if name.startswith(".") or name.lower() in IGNORED_NAMES:
        found.ignored += 1
        return
    extension = os.path.splitext(name)[1].lower()
    try:
        if (
            extension in SUPPORTED_EXTENSIONS
            or extension in VIDEO_EXTENSIONS
            or extension in CAPTION_EXTENSIONS
        ):
            info = entry.stat()  # follows symlinks, like the reads later on
            if stat.S_ISREG(info.st_mode):
                if extension in CAPTION_EXTENSIONS:
                    found.captions[entry.path.lower()] = entry.path
                    found.caption_mtimes[entry.path] = info.st_mtime_ns
                else:
                    found.files[entry.path] = (info.st_size, info.st_mtime_ns)
                return
        if entry.is_dir():
            if recursive and depth < max_depth:
                stack.append((entry.path, depth + 1))
            return
        found.ignored += 1
    except OSError:
        # A dangling symlink or a file deleted while we looked: nothing to track.
        found.ignored += 1
