"""Pool initializer for the worker-death tests: a file's name says how the worker reading it goes wrong.

*segfault*: the worker segfaults (a crash in a decoder). *sigkill*: it gets SIGKILL, what the kernel's
out-of-memory killer sends. *rlimit*: its address space is capped just above what it uses while it reads
that file, so the decode's allocation fails with a real MemoryError.
"""

from __future__ import annotations

import os
import resource
import signal

from app.services.folders import scan_worker

HEADROOM = 48 * 2**20  # address space the capped decode may still take: far below what the image needs


def install() -> None:
    real = scan_worker.process_file

    def process_file(path, options):
        name = os.path.basename(path)
        if "segfault" in name:
            os.kill(os.getpid(), signal.SIGSEGV)
        if "sigkill" in name:
            os.kill(os.getpid(), signal.SIGKILL)
        if "rlimit" in name:
            return _capped(real, path, options)
        return real(path, options)

    scan_worker.process_file = process_file


def _capped(real, path, options):
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as handle:
        in_use = int(handle.read().split()[0]) * resource.getpagesize()
    resource.setrlimit(resource.RLIMIT_AS, (in_use + HEADROOM, hard))
    try:
        return real(path, options)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
