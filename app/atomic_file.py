"""Write a small file atomically: a full or read-only disk is a clear error and leaves no partial file."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from app.errors import ReadOnlyStorage, StorageFull

_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def write_text_atomic(path: Path, text: str, what: str) -> None:
    """Replace `path` with `text` or leave it as it was; `what` names the file for the user ("the settings").

    Raises StorageFull (507) on a full disk and ReadOnlyStorage (503) on a read-only one; the temp file
    is removed either way, so nothing half-written is left behind.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _remove_quietly(tmp)
        if exc.errno in _FULL:
            raise StorageFull(
                f"{what} could not be saved: the disk holding {path.parent} is full. "
                "Free some space and save again; nothing was changed."
            ) from None
        if exc.errno in _READ_ONLY:
            raise ReadOnlyStorage(
                f"{what} could not be saved: {path.parent} is read-only ({exc.strerror}). "
                "Make it writable or choose another --data-dir; nothing was changed."
            ) from None
        raise


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
