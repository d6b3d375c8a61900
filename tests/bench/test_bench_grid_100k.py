"""The workspace on the 100,000-image library in real Chromium: first grid screen, <img> count, server RSS.

Run: .venv/bin/python -m pytest -m bench tests/bench/test_bench_grid_100k.py -s
The library is tests/bench/library_100k.py (2,000 files scanned, the rest generated rows; say so with
any figure). Baselines measured in the same run and browser:
- the workspace page with no dataset open (the page's own floor: NiceGUI, the toolbar, the websocket);
- a naive grid: 10,000 of the tiles (a tenth) as plain, non-virtual `<img loading="lazy">` elements.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.config import load_settings
from app.core import build_core
from app.models import TrackedFile
from app.services.workers import shutdown_pools
from tests.bench.library_100k import COUNT, SCANNED, build_library
from tests.bench.test_bench_grid import FIRST_SCREEN_JS, VIEWPORT, _measure_naive, _rss_mb
from tests.e2e.live_server import start_server, stop_server, wait_connected

pytestmark = pytest.mark.bench

NAIVE_COUNT = 10_000
SCROLL_STEPS = 40


def test_grid_at_a_hundred_thousand_images(browser, tmp_path: Path) -> None:
    data_dir = tmp_path / "bench-data"
    started = time.perf_counter()
    core = build_core(load_settings(data_dir))
    library = build_library(core, tmp_path / "photos" / "library")
    names = _names(core, library.file_ids[:NAIVE_COUNT])
    shutdown_pools()
    core.db.dispose()
    build_seconds = time.perf_counter() - started

    server = start_server(data_dir, "--log-level", "DEBUG")
    try:
        context = browser.new_context(viewport=VIEWPORT)
        rss_idle = _rss_mb(server.process.pid)
        empty = _first_paint(context.new_page(), f"{server.url}/")
        virtual = _measure_grid(context.new_page(), f"{server.url}/?dataset={library.dataset_id}", server)
        sample = SimpleNamespace(file_ids=library.file_ids[:NAIVE_COUNT], filenames=names)
        naive = _measure_naive(context.new_page(), server.url, sample)
        context.close()
    finally:
        stop_server(server)

    first = virtual["first_screen"]
    print(f"\n--- workspace grid, {COUNT:,} images ({SCANNED:,} scanned, the rest generated rows; built in {build_seconds:.0f} s) ---")  # fmt: skip
    print(f"first grid screen after navigation: {first:.2f} s (target < 1 s); "
          f"all {COUNT:,} rows in the browser after {virtual['all_rows']:.2f} s; second visit {virtual['second_visit']:.2f} s")  # fmt: skip
    print(f"  baseline, the page with no dataset open: {empty:.2f} s (grid/empty page {first / empty:.1f}x)")
    print(f"  baseline, naive grid of {NAIVE_COUNT:,} plain <img> (a tenth of the set): "
          f"{naive['first_screen']:.2f} s (naive/virtual {naive['first_screen'] / first:.1f}x)")  # fmt: skip
    print(f"<img> in the DOM: max {virtual['max_imgs']} while scrolling to the end and back in {SCROLL_STEPS} steps "
          f"| naive {naive['imgs']:,} for a tenth of the set")  # fmt: skip
    print(f"DOM elements: virtual {virtual['dom_nodes']:,} | naive (a tenth) {naive['dom_nodes']:,}")
    print(f"JS heap: virtual {virtual['heap_mb']:.0f} MB | naive (a tenth) {naive['heap_mb']:.0f} MB")
    print(f"server RSS: idle {rss_idle:.0f} MB, first screen {virtual['rss_open']:.0f} MB, all rows {virtual['rss_all']:.0f} MB, "
          f"after scrolling {virtual['rss_scrolled']:.0f} MB, after a second visit {virtual['rss_second']:.0f} MB "
          f"(target < 400 MB); load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip

    assert virtual["max_imgs"] < 500, "the grid must stay virtual"
    assert naive["imgs"] == NAIVE_COUNT


def _first_paint(page, url: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    wait_connected(page)
    page.locator(".cf-thumb-grid").first.wait_for(state="attached")
    seconds = time.perf_counter() - started
    page.close()
    return seconds


def _measure_grid(page, url: str, server) -> dict:
    started = time.perf_counter()
    first_screen = _open(page, url)
    rss_open = _rss_mb(server.process.pid)
    page.get_by_text(f"{COUNT} images", exact=True).wait_for(timeout=120_000)
    all_rows = time.perf_counter() - started
    rss_all = _rss_mb(server.process.pid)
    scroller = ".cf-thumb-scroll"
    height = page.eval_on_selector(scroller, "el => el.scrollHeight")
    max_imgs = 0
    for step in list(range(SCROLL_STEPS + 1)) + list(range(SCROLL_STEPS, -1, -1)):
        page.eval_on_selector(scroller, f"el => {{ el.scrollTop = {height * step / SCROLL_STEPS}; }}")
        page.wait_for_timeout(40)
        max_imgs = max(max_imgs, page.evaluate("document.querySelectorAll('.cf-thumb-grid img').length"))
    page.wait_for_function(FIRST_SCREEN_JS, arg=".cf-thumb-grid", timeout=60_000, polling="raf")
    rss_scrolled = _rss_mb(server.process.pid)
    dom_nodes = page.evaluate("document.getElementsByTagName('*').length")
    heap_mb = page.evaluate("performance.memory.usedJSHeapSize") / 2**20
    second_visit = _open(page, url)  # the first page's client is dropped, its rows with it
    page.get_by_text(f"{COUNT} images", exact=True).wait_for(timeout=120_000)
    page.wait_for_timeout(5_000)  # NiceGUI deletes the first visit's client after its reconnect timeout
    return {"first_screen": first_screen, "all_rows": all_rows, "rss_all": rss_all, "second_visit": second_visit, "max_imgs": max_imgs,
            "dom_nodes": dom_nodes, "heap_mb": heap_mb, "rss_open": rss_open, "rss_scrolled": rss_scrolled,
            "rss_second": _rss_mb(server.process.pid)}  # fmt: skip


def _open(page, url: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    wait_connected(page)
    page.wait_for_function(FIRST_SCREEN_JS, arg=".cf-thumb-grid", timeout=120_000, polling="raf")
    return time.perf_counter() - started


def _names(core, file_ids: list[str]) -> list[str]:
    with core.db.session() as session:
        by_id = dict(session.execute(select(TrackedFile.id, TrackedFile.filename)).all())
    return [by_id[file_id] for file_id in file_ids]
