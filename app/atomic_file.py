"""Write a small file atomically: a full or read-only disk is a clear error and leaves no partial file."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from app.errors import CaptionForgeError, ReadOnlyStorage, StorageFull

_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}
_DATA_DIR_ADVICE = "Make it writable or choose another --data-dir"


def write_text_atomic(path: Path, text: str, what: str, advice: str = _DATA_DIR_ADVICE) -> None:
    """Replace `path` with `text` or leave it as it was; `what` names the file for the user ("the settings").

    Raises StorageFull (507) on a full disk and ReadOnlyStorage (503) on a read-only one; the temp file
    is removed either way, so nothing half-written is left behind.
    """
    write_bytes_atomic(path, text.encode("utf-8"), what, advice)


def write_bytes_atomic(path: Path, data: bytes, what: str, advice: str = _DATA_DIR_ADVICE) -> None:
    """write_text_atomic for bytes: a temp file in the same folder, fsync, then os.replace."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _remove_quietly(tmp)
        raise storage_error(exc, what, path.parent, advice) or exc from None


def storage_error(
    exc: OSError, what: str, folder: Path, advice: str = _DATA_DIR_ADVICE
) -> CaptionForgeError | None:
    """StorageFull or ReadOnlyStorage for a full or read-only disk; None for any other OSError."""
    if exc.errno in _FULL:
        return StorageFull(
            f"{what} could not be saved: the disk holding {folder} is full. "
            "Free some space and save again; nothing was changed."
        )
    if exc.errno in _READ_ONLY:
        return ReadOnlyStorage(
            f"{what} could not be saved: {folder} is read-only ({exc.strerror}). {advice}; nothing was changed."
        )
    return None


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)
