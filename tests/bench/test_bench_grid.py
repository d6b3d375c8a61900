"""The workspace at 10,000 images in real Chromium: first screen, DOM size while scrolling, server times, RSS.

Run: .venv/bin/python -m pytest -m bench tests/bench/test_bench_grid.py -s
The naive baseline, measured in the same run and browser, is the same 10,000 tiles as plain,
non-virtual `<img loading="lazy">` elements (what a grid without virtualization puts in the DOM).
"""

from __future__ import annotations

import html
import json
import random
import statistics
import time
from pathlib import Path

import pytest

from app.config import load_settings
from app.core import build_core
from app.services.captions import captions
from app.services.datasets import dataset_members
from app.ui.workspace.grid.thumb_grid import compact_item
from tests.bench.synthetic_dataset import seed_dataset
from tests.e2e.live_server import start_server, stop_server, wait_connected

pytestmark = pytest.mark.bench

COUNT = 10_000
VIEWPORT = {"width": 1366, "height": 768}
# The first screen is there when the tiles in view show decoded thumbnails.
FIRST_SCREEN_JS = """(selector) => {
  const box = document.querySelector(selector);
  if (!box) return false;
  const view = box.getBoundingClientRect();
  const images = [...document.querySelectorAll(selector + ' img')].filter((img) => {
    const r = img.getBoundingClientRect();
    return r.bottom > view.top && r.top < Math.min(view.bottom, innerHeight) && r.width > 0;
  });
  return images.length >= 3 && images.every((img) => img.complete && img.naturalWidth > 0);
}"""


def test_grid_at_ten_thousand_images(browser, tmp_path: Path) -> None:
    data_dir = tmp_path / "bench-data"
    started = time.perf_counter()
    core = build_core(load_settings(data_dir))
    seeded = seed_dataset(core.db, data_dir, COUNT, distinct_thumbnails=COUNT, captioned_every=2)
    seed_seconds = time.perf_counter() - started
    server_times = _server_side_times(core, seeded)
    core.db.dispose()

    server = start_server(data_dir, "--log-level", "DEBUG")
    try:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        virtual = _measure_workspace(page, f"{server.url}/?dataset={seeded.dataset_id}", seeded)
        naive = _measure_naive(context.new_page(), server.url, seeded)
        rss_mb = _rss_mb(server.process.pid)
        context.close()
    finally:
        stop_server(server)
    server_times["page handler: open an image"] = _handler_times(server.log(), "opened")
    server_times["page handler: save a caption"] = _handler_times(server.log(), "saved the caption")

    payload_kb = len(json.dumps([compact_item(r) for r in server_times.pop("rows")])) / 1024
    print(f"\n--- workspace grid, {COUNT:,} images (seeded in {seed_seconds:.1f} s) ---")
    print(
        f"first screen after navigation: virtual {virtual['first_screen']:.2f} s | naive {naive['first_screen']:.2f} s"
        f" | naive/virtual {naive['first_screen'] / virtual['first_screen']:.1f}x   (target < 1 s)"
    )
    print(f"  of which after the page's load event: {virtual['after_load']:.2f} s")
    print(
        f"<img> in the DOM: virtual max {virtual['max_imgs']} while scrolling to the end and back "
        f"| naive {naive['imgs']:,} | naive/virtual {naive['imgs'] / virtual['max_imgs']:.0f}x"
    )
    print(f"DOM elements: virtual {virtual['dom_nodes']:,} | naive {naive['dom_nodes']:,}")
    print(f"jump to the end and show it: virtual {virtual['jump_end']:.2f} s (back to the top {virtual['jump_top']:.2f} s)"
          f" | naive {naive['jump_end']:.2f} s | naive/virtual {naive['jump_end'] / virtual['jump_end']:.1f}x")  # fmt: skip
    print(
        f"JS heap: virtual {virtual['heap_mb']:.0f} MB (the whole NiceGUI page) | naive {naive['heap_mb']:.0f} MB"
    )
    print(f"items sent once to the browser: {payload_kb:.0f} kB")
    for name, figures in server_times.items():
        print(f"server-side {name}: median {figures[0]:.1f} ms, p95 {figures[1]:.1f} ms   (target < 100 ms)")
    print(f"next image in the browser (PageDown to editor updated): median {virtual['next_ms']:.0f} ms")
    print(f"server RSS after the run: {rss_mb:.0f} MB   (target < 400 MB)")

    assert virtual["max_imgs"] < 500, "the grid must stay virtual"
    assert naive["imgs"] == COUNT


def _measure_workspace(page, url: str, seeded) -> dict:
    started = time.perf_counter()
    page.goto(url)
    wait_connected(page)
    page.wait_for_function(FIRST_SCREEN_JS, arg=".cf-thumb-grid", timeout=60_000, polling="raf")
    first_screen = time.perf_counter() - started
    page.get_by_text(f"{COUNT} images", exact=True).wait_for(
        timeout=60_000
    )  # the rest follows the first rows
    load_end = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd / 1000")
    after_load = page.evaluate("performance.now() / 1000") - load_end
    scroller = ".cf-thumb-scroll"
    height = page.eval_on_selector(scroller, "el => el.scrollHeight")
    max_imgs = 0
    for step in list(range(0, 21)) + list(range(20, -1, -1)):
        page.eval_on_selector(scroller, f"el => {{ el.scrollTop = {height * step / 20}; }}")
        page.wait_for_timeout(40)
        max_imgs = max(max_imgs, page.evaluate("document.querySelectorAll('.cf-thumb-grid img').length"))
    jump_end = _timed_jump(page, scroller, "el.scrollHeight", seeded.filenames[-1])
    jump_top = _timed_jump(page, scroller, "0", seeded.filenames[0])
    dom_nodes = page.evaluate("document.getElementsByTagName('*').length")
    heap_mb = page.evaluate("performance.memory.usedJSHeapSize") / 2**20
    next_ms = _open_next_times(page, seeded)
    return {"first_screen": first_screen, "after_load": max(0.0, after_load), "max_imgs": max_imgs,
            "jump_end": jump_end, "jump_top": jump_top, "dom_nodes": dom_nodes, "next_ms": next_ms, "heap_mb": heap_mb}  # fmt: skip


def _timed_jump(page, scroller: str, target: str, filename: str) -> float:
    started = time.perf_counter()
    page.eval_on_selector(scroller, f"el => {{ el.scrollTop = {target}; }}")
    page.locator(".cf-name", has_text=filename).wait_for()
    page.wait_for_function(FIRST_SCREEN_JS, arg=".cf-thumb-grid", polling="raf")
    return time.perf_counter() - started


def _open_next_times(page, seeded) -> float:
    """PageDown through ten images, then type and Ctrl+S on five; returns the browser-side median per move."""
    page.locator(f'.cf-tile[data-file-id="{seeded.file_ids[0]}"]').click()
    page.locator(".cf-editor-filename", has_text=seeded.filenames[0]).wait_for()
    times = []
    for index in range(1, 11):
        started = time.perf_counter()
        page.keyboard.press("PageDown")
        page.locator(".cf-editor-filename", has_text=seeded.filenames[index]).wait_for()
        times.append((time.perf_counter() - started) * 1000)
    textarea = page.get_by_placeholder("Describe the image…")
    for index in range(5):
        textarea.click()
        textarea.press("End")
        textarea.type(f" edit {index}")
        textarea.press("Control+s")
        page.get_by_text("Unsaved changes").wait_for(state="hidden")
        textarea.press("PageUp")
    return statistics.median(times)


def _handler_times(log: str, what: str) -> tuple[float, float]:
    """Median and p95 of the page handler's own timings (debug log lines "workspace: <what> ... in X ms")."""
    times = sorted(
        float(line.rsplit(" in ", 1)[1].split()[0])
        for line in log.splitlines()
        if f"workspace: {what} " in line
    )
    if not times:
        return float("nan"), float("nan")
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def _measure_naive(page, base_url: str, seeded) -> dict:
    """The same tiles as plain elements, no virtualization: every tile and <img> is in the DOM."""
    rows = [f'<div class="t"><img loading="lazy" src="{base_url}/api/files/{file_id}/thumbnail">'
            f"<span>{html.escape(name)}</span></div>" for file_id, name in zip(seeded.file_ids, seeded.filenames, strict=True)]  # fmt: skip
    document = (
        "<style>#g{display:flex;flex-wrap:wrap;gap:8px}.t{width:160px;height:170px}"
        ".t img{width:160px;height:128px;object-fit:contain}</style>"
        f'<div id="g">{"".join(rows)}</div>'
    )
    page.set_viewport_size(VIEWPORT)
    started = time.perf_counter()
    page.set_content(document, wait_until="commit")
    page.wait_for_function(FIRST_SCREEN_JS, arg="#g", timeout=120_000, polling="raf")
    first_screen = time.perf_counter() - started
    imgs = page.evaluate("document.querySelectorAll('img').length")
    dom_nodes = page.evaluate("document.getElementsByTagName('*').length")
    started = time.perf_counter()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    in_window = FIRST_SCREEN_JS.replace("box.getBoundingClientRect()", "({ top: 0, bottom: innerHeight })")
    page.wait_for_function(in_window, arg="#g", timeout=120_000, polling="raf")
    jump_end = time.perf_counter() - started
    heap_mb = page.evaluate("performance.memory.usedJSHeapSize") / 2**20
    page.close()
    return {
        "first_screen": first_screen,
        "imgs": imgs,
        "dom_nodes": dom_nodes,
        "jump_end": jump_end,
        "heap_mb": heap_mb,
    }


def _server_side_times(core, seeded) -> dict:
    """What the page's handlers run for a dataset load, moving to another image, and a save."""
    picks = random.Random(5).sample(seeded.file_ids, 30)
    load = _timings(
        lambda _: dataset_members.list_dataset_files(core.db, seeded.dataset_id, seeded.caption_set_id),
        range(5),
    )
    navigate = _timings(lambda file_id: captions.get_caption(core.db, seeded.caption_set_id, file_id), picks)
    save = _timings(
        lambda file_id: captions.save_caption(
            core.db, seeded.caption_set_id, file_id, f"bench caption {file_id[:8]}"
        ),
        picks,
    )
    rows = dataset_members.list_dataset_files(core.db, seeded.dataset_id, seeded.caption_set_id)
    return {"service: dataset load (10k rows)": load, "service: get_caption": navigate,
            "service: save_caption": save, "rows": rows}  # fmt: skip


def _timings(call, args) -> tuple[float, float]:
    times = []
    for arg in args:
        started = time.perf_counter()
        call(arg)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")
