"""Keeping scan workers small: return freed decoder memory to the OS, one huge progressive JPEG at a time.

A progressive JPEG is decoded from its whole coefficient buffer, even at a 1/8 draft scale: a 5120x2880
4:4:4 wallpaper needs ~90 MB for a moment, a baseline JPEG of the same size ~3 MB. Two workers doing that
at once would double the peak, so such a decode runs alone: it takes the workers' file lock exclusively.
Baseline JPEGs stream through a few MB of scanlines, so they take no lock and keep the other core busy
while a huge decode runs (those huge decodes are half the decode time of a folder of 5K wallpapers).
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import IO

from PIL import Image

BIG_DECODE_BYTES = 40 * 2**20  # coefficient buffers above this are decoded one at a time
LOCK_NAME = ".big-decode.lock"


def release_memory() -> None:
    """Give freed heap memory back to the OS (glibc keeps it otherwise, and it shows as the worker's RSS)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


@contextmanager
def big_decode_guard(header: Image.Image, lock_dir: str) -> Iterator[None]:
    """Around the decode of an opened-not-loaded image. A huge progressive JPEG is decoded alone: it takes
    the workers' lock exclusively (waiting for the other decodes to finish, which hold it shared) and its
    memory is released before any other decode may start. A baseline JPEG (a streamed decode) takes no lock."""
    if _fcntl is None or _streamed(header):
        yield
        return
    big = coefficient_bytes(header) > BIG_DECODE_BYTES
    handle = _lock_file(lock_dir)
    _fcntl.flock(handle, _fcntl.LOCK_EX if big else _fcntl.LOCK_SH)
    try:
        yield
        if big:
            release_memory()
    finally:
        _fcntl.flock(handle, _fcntl.LOCK_UN)


def _lock_file(lock_dir: str) -> IO[str]:
    """This process's handle on the shared lock file, reopened when the file was deleted or replaced (a
    cleared thumbnail cache): every worker must lock the same file for the lock to exclude anything."""
    path = os.path.join(lock_dir, LOCK_NAME)
    handle = _LOCKS.get(lock_dir)
    if handle is not None and not handle.closed and _same_file(handle, path):
        return handle
    if handle is not None:
        handle.close()
    os.makedirs(lock_dir, exist_ok=True)
    handle = _LOCKS[lock_dir] = open(path, "a")  # noqa: SIM115
    return handle


def _same_file(handle: IO[str], path: str) -> bool:
    try:
        return os.path.samestat(os.fstat(handle.fileno()), os.stat(path))
    except OSError:  # the file is gone
        return False


_LOCKS: dict[str, IO[str]] = {}


def _streamed(header: Image.Image) -> bool:
    """A baseline JPEG: decoded a few scanlines at a time, its memory is small whatever its size."""
    return header.format in ("JPEG", "MPO") and not (
        header.info.get("progressive") or header.info.get("progression")
    )


def coefficient_bytes(header: Image.Image) -> int:
    """Bytes libjpeg holds for a progressive JPEG's coefficients (0 for anything else)."""
    if header.format not in ("JPEG", "MPO") or not (
        header.info.get("progressive") or header.info.get("progression")
    ):
        return 0
    layers = getattr(header, "layer", None) or []
    if not layers:
        return 0
    h_max = max(layer[1] for layer in layers)
    v_max = max(layer[2] for layer in layers)
    samples = sum(layer[1] * layer[2] for layer in layers) / (h_max * v_max)
    return int(header.size[0] * header.size[1] * samples * 2)


def _load_libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:  # musl or another C library without malloc_trim
        return None


_LIBC = _load_libc()
_fcntl: ModuleType | None
try:
    import fcntl as _fcntl
except ImportError:  # Windows: no lock, decodes may overlap
    _fcntl = None
