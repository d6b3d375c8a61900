"""Pool initializer for the worker-death test: a file named *segfault* kills the worker that reads it."""

from __future__ import annotations

import os
import signal

from app.services import scan_worker


def install() -> None:
    real = scan_worker.process_file

    def process_file(path, options):
        if "segfault" in os.path.basename(path):
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(path, options)

    scan_worker.process_file = process_file
