"""Wire the Core into NiceGUI: API routers, pages, static files, then ui.run with safe defaults."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import sys
import threading
from functools import partial
from pathlib import Path

from nicegui import app, ui

from app.access_token import AccessGuard, lan_enabled, print_lan_urls, redact_access_log
from app.api import register_api
from app.config import secret_file
from app.core import Core
from app.errors import StartupError
from app.jobs import scans
from app.jobs.runner import install as install_job_runner
from app.security import AccessMiddleware
from app.services import tokens
from app.services.workers import shutdown_pools
from app.ui.native import native_unavailable_reason, prepare_window
from app.ui.pages import register_pages
from app.vision.transport import close_clients

log = logging.getLogger("app.server")
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def register(core: Core) -> None:
    """Mount the REST API and the pages on NiceGUI's app."""
    register_api(app)
    register_pages()
    # Every request passes the access check; it only demands the token in LAN mode.
    core.services["access"] = AccessGuard(core.settings.data_dir, enabled=lan_enabled(core.settings))
    app.add_middleware(AccessMiddleware, guard=core.services["access"])
    app.add_static_files("/static", STATIC_DIR)
    app.on_startup(lambda: setattr(core.events, "loop", asyncio.get_running_loop()))
    app.on_startup(lambda: threading.Thread(target=tokens.warm_up, name="tokenizer", daemon=True).start())
    install_job_runner(core)  # caption jobs: recover or resume on start, mark interrupted on stop
    scans.install(core)  # a scan the app died in says so on the next start
    for hook in core.services.get("startup_hooks", []):
        app.on_startup(hook)
    for hook in core.services.get("shutdown_hooks", []):
        app.on_shutdown(hook)
    app.on_shutdown(partial(scans.stop_all, core))
    app.on_shutdown(close_clients)
    app.on_shutdown(shutdown_pools)  # last: scans and exports above still hand work to the pool


def run(core: Core) -> None:
    """Start serving. Listens on 127.0.0.1 unless LAN mode is on (NiceGUI alone would use 0.0.0.0)."""
    server = core.settings["server"]
    lan = lan_enabled(core.settings)
    native = bool(server["native"])
    if native and server["lan"]:
        print(
            "CaptionForge: --lan is ignored with --native: the window serves on 127.0.0.1 only.",
            file=sys.stderr,
        )
    if native and (reason := native_unavailable_reason()):
        print(f"CaptionForge: no native window, {reason}; using the browser instead.", file=sys.stderr)
        native = False
    host = "127.0.0.1" if server["native"] else "0.0.0.0" if server["lan"] else server["host"]
    port = server["port"]
    window_size = prepare_window(core.settings.data_dir) if native else None
    open_path = f"/?token={core.services['access'].token}" if lan else "/"  # the local tab signs itself in
    if lan:
        app.on_startup(redact_access_log)
        app.on_startup(lambda: print_lan_urls(app.urls, core.services["access"].token))
    if not os.environ.get("NICEGUI_USER_SIMULATION"):
        ensure_port_free(host, port)
    log.info("CaptionForge serving on http://%s:%s (data dir %s)", host, port, core.settings.data_dir)
    ui.run(
        host=host,
        port=port,
        title="CaptionForge",
        favicon=STATIC_DIR / "icon.svg",
        reload=False,
        show=open_path if server["open_browser"] and not native else False,
        native=native,
        window_size=window_size,
        reconnect_timeout=float(server["reconnect_timeout"]),
        storage_secret=secret_file(core.settings.data_dir, "storage_secret"),
        show_welcome_message=not lan,  # LAN mode prints its URLs with the token instead
        fastapi_docs={"title": "CaptionForge API", "version": "1"},
        uvicorn_logging_level=server["log_level"].lower(),
    )


def ensure_port_free(host: str, port: int) -> None:
    """Fail with one line when another program already listens on the port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            raise StartupError(
                f"Port {port} on {host} is in use (another CaptionForge?). Stop it or start with --port {port + 1}."
            ) from None
