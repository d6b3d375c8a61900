"""Where a path really leads: links are resolved and anything that leaves the tracked root is refused."""

from __future__ import annotations

import os


def resolved_inside(path: str, root: str) -> str | None:
    """The fully resolved path if it stays under the (resolved) root, else None (a link that escapes)."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(path)
    if real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep):
        return real
    return None


def servable(path: str, root: str, follow_links: bool) -> str | None:
    """The path to open for a request, checked now (not at scan time): None if it may not be served.

    Refused: a path whose resolution leaves the root (a link swapped in since the scan, say), and, when the
    folder does not follow links, any path that goes through a link below the root.
    """
    real = resolved_inside(path, root)
    if real is None:
        return None
    if not follow_links and real != os.path.join(os.path.realpath(root), os.path.relpath(path, root)):
        return None
    return real
