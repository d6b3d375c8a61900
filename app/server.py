"""Wire the Core into NiceGUI: API routers, pages, static files, then ui.run with safe defaults."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
from pathlib import Path

from nicegui import app, ui

from app.access_token import lan_enabled, print_lan_urls, redact_access_log
from app.api import register_api
from app.config import secret_file
from app.container import AppServices, build_services
from app.core import Core
from app.host_guard import HostOriginMiddleware, allowed_hosts
from app.lifecycle import check_host, choose_port
from app.security import AccessMiddleware
from app.services import tokens
from app.services.workers import shutdown_pools
from app.ui.native import native_unavailable_reason, prepare_window
from app.ui.pages import register_pages
from app.vision.transport import close_clients

log = logging.getLogger("app.server")
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# NiceGUI's "connection lost" popup, in our words: a stopped app is the usual reason, and the page
# reconnects (or reloads) by itself when CaptionForge is back.
STOPPED_NOTICE = """<script>
document.addEventListener("DOMContentLoaded", () => {
  const spans = document.querySelectorAll("#popup span");
  if (spans.length >= 2) {
    spans[0].textContent = "CaptionForge stopped";
    spans[1].textContent = "This page reconnects by itself when it is back.";
  }
});
</script>"""


def register(core: Core) -> AppServices:
    """Build the app's services and mount the REST API and the pages on NiceGUI's app."""
    services = build_services(core)
    register_api(app, services)
    register_pages(services)
    # Every request passes the access check; it only demands the token in LAN mode.
    app.add_middleware(AccessMiddleware, guard=services.access)
    # Added last, so it runs first: a foreign Host (DNS rebinding) or Origin (CSRF) never reaches the app.
    hosts = allowed_hosts(core.settings, lan=bool(core.settings["server"]["lan"]))
    if os.environ.get("NICEGUI_USER_SIMULATION"):
        hosts.add("test")  # the NiceGUI `user` fixture's in-process client sends Host: test
    app.add_middleware(HostOriginMiddleware, hosts=hosts)
    app.add_static_files("/static", STATIC_DIR)
    ui.add_head_html(STOPPED_NOTICE, shared=True)
    app.on_startup(lambda: setattr(core.events, "loop", asyncio.get_running_loop()))
    app.on_startup(lambda: threading.Thread(target=tokens.warm_up, name="tokenizer", daemon=True).start())
    for hook in core.startup_hooks:
        app.on_startup(hook)
    for hook in core.shutdown_hooks:
        app.on_shutdown(hook)
    app.on_shutdown(close_clients)
    app.on_shutdown(shutdown_pools)  # scans and exports above still hand work to the pool
    app.on_shutdown(core.db.checkpoint)  # last: the WAL folded into database.db
    return services


def run(services: AppServices) -> None:
    """Start serving. Listens on 127.0.0.1 unless LAN mode is on (NiceGUI alone would use 0.0.0.0)."""
    core = services.core
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
    window_size = prepare_window(services) if native else None
    open_path = f"/?token={services.access.token}" if lan else "/"  # the local tab signs itself in
    if lan:
        app.on_startup(redact_access_log)
        app.on_startup(lambda: print_lan_urls(app.urls, services.access.token))
    if not os.environ.get("NICEGUI_USER_SIMULATION"):
        check_host(host)
        port = choose_port(host, port)
        if lock := core.instance_lock:
            lock.note(f"http://{host}:{port}")
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
