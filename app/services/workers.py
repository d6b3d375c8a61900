"""The process pool for Pillow work (scans, exports, vision downscales): spawned, both cores busy."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor

_pools: dict[int, ProcessPoolExecutor] = {}


def process_pool(workers: int = 0) -> ProcessPoolExecutor:
    """A shared pool with `workers` processes (0 = one per CPU core), created on first use."""
    count = workers or os.cpu_count() or 2
    if count not in _pools:
        _pools[count] = ProcessPoolExecutor(
            max_workers=count, mp_context=multiprocessing.get_context("spawn"), initializer=exit_with_parent
        )
    return _pools[count]


def pool_started(workers: int = 0) -> bool:
    """Whether the shared pool of `workers` processes exists (its processes are spawned or spawning)."""
    return (workers or os.cpu_count() or 2) in _pools


def replacement_pool(broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
    """A working pool in place of one whose worker died: the shared one is replaced, others are cloned."""
    for count, pool in list(_pools.items()):
        if pool is broken:
            del _pools[count]
            broken.shutdown(wait=False, cancel_futures=True)
            return process_pool(count)
    broken.shutdown(wait=False, cancel_futures=True)
    return ProcessPoolExecutor(  # a caller's own pool (tests): same size, context and initializer
        # CPython keeps a pool's settings only in these private attributes; a clone needs all four.
        max_workers=broken._max_workers,  # type: ignore[attr-defined]
        mp_context=broken._mp_context,
        initializer=broken._initializer,
        initargs=broken._initargs,
    )


def death_cause(pool: ProcessPoolExecutor) -> str | None:
    """How a broken pool's worker died, from its exit status: "killed (SIGKILL: ...)", or None if unknown."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None:  # it reaps the workers: their exit status is final once it has ended
        manager.join(timeout=5)
    for process in processes:
        code = process.exitcode
        if code is None or code >= 0 or -code == signal.SIGTERM:  # SIGTERM: the pool ending the others
            continue
        if -code == signal.SIGKILL:
            return "killed (SIGKILL: usually the system's out-of-memory killer, when memory ran out)"
        name = signal.Signals(-code).name if -code in signal.valid_signals() else f"signal {-code}"
        return f"crashed ({name}: a crash in the image decoder)"
    return None


def exit_with_parent() -> None:
    """Pool initializer: the worker ends as soon as the app does, even after a kill -9 (no orphans idling)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="exit with the app", daemon=True).start()


def shutdown_pools() -> None:
    """Stop every pool (app shutdown)."""
    for pool in _pools.values():
        pool.shutdown(wait=False, cancel_futures=True)
    _pools.clear()
