"""Yardsticks for the scan benchmark: the all-core decode ceiling and a naive Pillow loop.

The ceiling is the least any scan must do with a file: read it once, SHA-256 it and decode it with a JPEG
DCT draft to the thumbnail's size, on every core (a spawned process pool, files batched per task). The
naive loop is the obvious single-process scan: full decode, thumbnail, WebP, hash, one file after another.
"""

from __future__ import annotations

import hashlib
import io
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image

from app.services.images import fit_within

BATCH = 8  # files per pool task, as the scan does


def ceiling_rate(paths: list[str], thumbnail_size: int = 256) -> tuple[float, float]:
    """(files per second, CPU seconds per file) through read + SHA-256 + draft decode on a warm pool of
    one process per core. The CPU figure does not depend on what else the machine runs."""
    batches = [paths[i : i + BATCH] for i in range(0, len(paths), BATCH)]
    cores = os.cpu_count() or 2
    with ProcessPoolExecutor(max_workers=cores, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_ceiling_batch, [batches[0]] * cores, [thumbnail_size] * cores))  # spawned and warm
        started = time.perf_counter()
        cpu = sum(pool.map(_ceiling_batch, batches, [thumbnail_size] * len(batches)))
        elapsed = time.perf_counter() - started
    return len(paths) / elapsed, cpu / len(paths)


def naive_rate(paths: list[str], out: Path, thumbnail_size: int = 256) -> float:
    """Files per second through a plain one-process Pillow loop (full decode, LANCZOS thumbnail, WebP)."""
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for index, path in enumerate(paths):
        data = Path(path).read_bytes()
        hashlib.sha256(data).hexdigest()
        image = Image.open(io.BytesIO(data)).convert("RGB")
        image.thumbnail((thumbnail_size, thumbnail_size), Image.Resampling.LANCZOS)
        image.save(out / f"naive-{index}.webp", "WEBP", quality=80)
    return len(paths) / (time.perf_counter() - started)


def _ceiling_batch(paths: list[str], thumbnail_size: int) -> float:
    """CPU seconds this worker spent on the batch."""
    started = time.process_time()
    for path in paths:
        data = Path(path).read_bytes()
        hashlib.sha256(data).hexdigest()
        image = Image.open(io.BytesIO(data))
        image.draft("RGB", fit_within(image.size, long_side=thumbnail_size))
        image.load()
    return time.process_time() - started
