"""Scan benchmarks on real photographs (Debian's wallpapers; synthetic when offline).

Run: .venv/bin/python -m pytest -m bench tests/bench/test_bench_scan.py -s
Prints: scan img/s against the all-core ceiling and a naive Pillow loop, thumbnails vs a naive Pillow loop
(per core), first scan of 1,000 photos (files/s on the pool),
peak RSS (app process + pool workers), rescan of an unchanged 10,000-file folder, and the quality
ground-truth agreement on damaged variants of each photo.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageEnhance, ImageFilter

from app.services.folders import folders
from app.services.folders.scanning import scan_folder
from app.services.images import fit_within, open_image
from app.services.quality import quality
from app.services.thumbnails import make_thumbnail
from app.services.workers import process_pool, shutdown_pools
from tests.bench.photos import photo_folder, real_photos
from tests.bench.scan_ceiling import ceiling_rate, naive_rate
from tests.e2e.live_server import start_server, stop_server

pytestmark = pytest.mark.bench


def test_thumbnails_against_a_naive_pillow_loop(tmp_path):
    sources = real_photos()  # all 31 of 2560-5120 px, the range the target was measured on
    if not sources:
        photo_folder(tmp_path / "p", 24)  # offline: synthetic stand-ins
        sources = sorted((tmp_path / "p").glob("*.jpg"))
    datas = [p.read_bytes() for p in sources]
    out = tmp_path / "out"
    out.mkdir()

    def naive(index: int, data: bytes) -> None:
        image = Image.open(io.BytesIO(data)).convert("RGB")
        image.thumbnail((256, 256), Image.Resampling.LANCZOS)
        image.save(out / f"naive-{index}.webp", "WEBP", quality=80)

    def ours(index: int, data: bytes) -> None:
        header = Image.open(io.BytesIO(data))
        image = open_image(data, max_pixels=None, draft_size=fit_within(header.size, long_side=256))
        make_thumbnail(image, 256).save(out / f"ours-{index}.webp", "WEBP", quality=80, method=2)

    # Alternate the two loops and keep each one's best round: other engineers' jobs share these cores.
    naive_rate = ours_rate = 0.0
    for _ in range(3):
        naive_rate, ours_rate = max(naive_rate, _rate(naive, datas)), max(ours_rate, _rate(ours, datas))
    print(
        f"\nthumbnails, per CPU-second (best of 3), {len(datas)} photos: naive {naive_rate:.1f}/s, ours {ours_rate:.1f}/s, "
        f"ratio {ours_rate / naive_rate:.2f}x (target >= 2.5x)"
    )
    assert ours_rate > naive_rate


def test_scan_against_the_all_core_ceiling(tmp_path):
    """The running app's scan rate as a share of read + SHA-256 + draft decode on every core, same photos.

    Rounds alternate the app, the ceiling and the naive loop (the machine is shared); each keeps its best.
    Peak RSS is the app's process plus its children (pool workers, multiprocessing's resource tracker).
    """
    count, rounds, size = 120, 3, 256
    kind = photo_folder(tmp_path / "photos", count)
    paths = sorted(str(p) for p in (tmp_path / "photos").glob("*.jpg"))
    server = start_server(tmp_path / "d")
    app, ceiling, naive, ratios, app_cpu, ceiling_cpu = [], [], [], [], [], []
    peak = 0
    try:
        api = httpx.Client(base_url=server.url, timeout=3600)
        _scan_through_api(api, _linked_copy(paths[:24], tmp_path / "warm-up"))  # every worker is up
        for index in range(rounds):
            copy = _linked_copy(paths, tmp_path / f"round-{index}")  # new paths, same bytes: a first scan
            shutil.rmtree(server.data_dir / "thumbnails", ignore_errors=True)
            sampler = _RssSampler(server.process.pid)
            tree = [server.process.pid, *_children(server.process.pid)]
            cpu_before, started = sum(_cpu_seconds(pid) for pid in tree), time.perf_counter()
            result = _scan_through_api(api, copy)
            app.append(count / (time.perf_counter() - started))
            app_cpu.append((sum(_cpu_seconds(pid) for pid in tree) - cpu_before) / count)
            sampler.stop()
            peak = max(peak, sampler.peak_total)
            assert result["new"] == count and result["broken"] == 0
            rate, cpu = ceiling_rate(paths, size)
            ceiling.append(rate)
            ceiling_cpu.append(cpu)
            ratios.append(app[-1] / rate)  # side by side: the machine's load is about the same for both
            naive.append(naive_rate(paths[: count // 4], tmp_path / "naive", size))
    finally:
        stop_server(server)
    print(
        f"\nscan vs ceiling, {count} {kind} photos, {os.cpu_count()} cores, {rounds} rounds, load {os.getloadavg()[0]:.1f}: "
        f"app {max(app):.1f} img/s, ceiling {max(ceiling):.1f} img/s (read + SHA-256 + draft decode on every "
        f"core), ratio {max(app) / max(ceiling):.2f} of the bests, per round {', '.join(f'{r:.2f}' for r in ratios)} "
        f"(target >= 0.5); CPU per image: app {1000 * min(app_cpu):.1f} ms (workers + app process), ceiling "
        f"{1000 * min(ceiling_cpu):.1f} ms = {min(ceiling_cpu) / min(app_cpu):.2f}; naive Pillow loop "
        f"{max(naive):.1f} img/s, app = {max(app) / max(naive):.2f}x naive; "
        f"peak RSS app + pool workers {peak / 1e6:.0f} MB (target < 300 MB)"
    )
    assert max(app) > max(naive)


def _linked_copy(paths: list[str], folder: Path) -> Path:
    folder.mkdir()
    for path in paths:
        os.link(path, folder / os.path.basename(path))
    return folder


def _scan_through_api(api: httpx.Client, folder: Path) -> dict:
    added = api.post("/api/folders", json={"path": str(folder), "scan": False}).json()
    return api.post(f"/api/folders/{added['id']}/scan", params={"wait": True}).json()


def test_first_scan_peak_rss_and_unchanged_rescan(core, tmp_path):
    kind = photo_folder(tmp_path / "photos", 1000)
    folder = folders.add_folder(core.db, str(tmp_path / "photos"))
    shutdown_pools()
    process_pool(core.settings["image_processing"]["scan_workers"])  # spawn before timing, like a running app
    sampler = _RssSampler()
    workers_cpu_before = sum(_cpu_seconds(pid) for pid in _children(os.getpid()))
    started, cpu_started = time.perf_counter(), time.process_time()
    result = scan_folder(core.db, core.settings, folder["id"])
    elapsed, main_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    workers_cpu = sum(_cpu_seconds(pid) for pid in _children(os.getpid())) - workers_cpu_before
    sampler.stop()
    assert result["new"] == 1000 and result["broken"] == 0
    print(
        f"\nfirst scan, 1,000 {kind} photos, {os.cpu_count()} cores: {elapsed:.1f} s = {1000 / elapsed:.1f} files/s "
        f"(target >= 18/s; the peer ~5.1-6.2/s = {1000 / elapsed / 5.65:.1f}x the peer's midpoint)"
    )
    cpu = main_cpu + workers_cpu
    print(
        f"CPU used: {cpu:.1f} s ({1000 * cpu / 1000:.0f} ms per photo, app {main_cpu:.1f} s + workers {workers_cpu:.1f} s) "
        f"= {2 * 1000 / cpu:.1f} files/s if both cores were ours (the machine is shared: load {os.getloadavg()[0]:.1f})"
    )
    print(
        f"peak RSS: app process {sampler.peak_main / 1e6:.0f} MB, app + pool workers {sampler.peak_total / 1e6:.0f} MB "
        f"(target < 300 MB; the peer 681-714 MB)"
    )

    big = tmp_path / "many"
    _tiny_photos(big, 10_000)
    many = folders.add_folder(core.db, str(big))
    first = scan_folder(core.db, core.settings, many["id"])
    assert first["new"] == 10_000
    started = time.perf_counter()
    again = scan_folder(core.db, core.settings, many["id"])
    rescan = time.perf_counter() - started
    assert again["unchanged"] == 10_000 and again["processed"] == 0
    print(f"rescan of an unchanged 10,000-file folder: {rescan:.2f} s (target < 1 s)")
    shutdown_pools()


def test_app_peak_rss_while_scanning(tmp_path):
    """The figure the target means: the running app (main.py) plus its pool workers, sampled every 50 ms."""
    kind = photo_folder(tmp_path / "photos", 300)
    server = start_server(tmp_path / "d")
    try:
        sampler = _RssSampler(server.process.pid)
        idle = _rss(server.process.pid)
        api = httpx.Client(base_url=server.url, timeout=3600)
        folder = api.post("/api/folders", json={"path": str(tmp_path / "photos"), "scan": False}).json()
        result = api.post(f"/api/folders/{folder['id']}/scan", params={"wait": True}).json()
        sampler.stop()
    finally:
        stop_server(server)
    assert result["new"] == 300
    print(
        f"\napp scanning 300 {kind} photos: idle app {idle / 1e6:.0f} MB, peak app {sampler.peak_main / 1e6:.0f} MB, "
        f"peak app + workers {sampler.peak_total / 1e6:.0f} MB (target < 300 MB)"
    )


def test_quality_ground_truth_agreement_on_real_photos():
    photos = real_photos()
    if not photos:
        pytest.skip("no real photographs (offline): the regular suite covers synthetic ones")
    checks = agree = 0
    originals_flagged = 0
    for path in photos:
        with Image.open(path) as header:
            jpeg = quality.estimate_jpeg_quality(header.quantization)
            size = header.size
        image = open_image(path, max_pixels=None, draft_size=fit_within(size, long_side=quality.METRIC_SIDE))
        image.thumbnail((quality.METRIC_SIDE, quality.METRIC_SIDE))
        original = quality.measure(image, size, 1024, jpeg)
        originals_flagged += bool(original.flags)
        for metric, flag, damaged, damaged_size in _variants(image, size):
            found = quality.measure(damaged, damaged_size, 1024, jpeg)
            checks += 1
            agree += found.metrics[metric] < original.metrics[metric] and flag in found.flags
    print(
        f"\nquality ground truth, {len(photos)} real photos x 5 variants (blur r=side/400, 2x+100 brighter, 1/4 as bright, contrast x0.25, "
        f"downscaled to 640 px): {agree}/{checks} variants scored lower "
        f"on their metric and got the flag ({100 * agree / checks:.0f}%); originals with any flag: "
        f"{originals_flagged}/{len(photos)}"
    )
    assert agree / checks >= 0.9


def _variants(image: Image.Image, size: tuple[int, int]):
    yield "sharpness", "blurry", image.filter(ImageFilter.GaussianBlur(max(image.size) / 400)), size
    yield "exposure", "overexposed", image.point(lambda v: min(255, v * 2 + 100)), size
    yield "exposure", "underexposed", image.point(lambda v: v // 4), size
    yield "contrast", "low_contrast", ImageEnhance.Contrast(image).enhance(0.25), size
    yield (
        "resolution",
        "low_resolution",
        image.copy(),
        fit_within(size, long_side=640),
    )  # downscaled to 640 px


def _rate(work, datas: list[bytes]) -> float:
    """Images per CPU-second of this process: fair on a shared machine, where wall time depends on others."""
    started = time.process_time()
    for index, data in enumerate(datas):
        work(index, data)
    return len(datas) / (time.process_time() - started)


def _tiny_photos(folder: Path, count: int) -> None:
    folder.mkdir(parents=True)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 80, 40)).save(buffer, "JPEG")
    data = buffer.getvalue()
    for index in range(count):
        comment = f"{index}".encode()
        (folder / f"t{index:05d}.jpg").write_bytes(
            data[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + data[2:]
        )


class _RssSampler:
    """Samples the RSS of a process (default: this one) and its children (pool workers) every 50 ms."""

    def __init__(self, pid: int | None = None) -> None:
        self.pid = pid or os.getpid()
        self.peak_main = self.peak_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            main = _rss(self.pid)
            children = sum(_rss(pid) for pid in _children(self.pid))
            self.peak_main = max(self.peak_main, main)
            self.peak_total = max(self.peak_total, main + children)


def _children(pid: int) -> list[int]:
    """Child processes of every thread of `pid` (pool workers are children of the thread that spawned them)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(p) for p in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
