"""Take the README's screenshots from the real app: `.venv/bin/python -m tests.docs.make_screenshots`.

Builds a demo folder of synthetic pictures with paired captions, starts CaptionForge (and the fake Ollama,
so Settings shows a reachable server) on loopback, tracks the folder and makes a dataset through the REST
API like a user would, then photographs each page in Chromium into static/docs/*.png.
"""

from __future__ import annotations

import math
import random
import sys
import tempfile
from pathlib import Path

import httpx
from PIL import Image, ImageDraw

from app.ui.login_page import login_page_html
from tests.e2e.live_server import CHROMIUM_FLAGS, chromium_path, start_server, stop_server, wait_connected
from tests.fakes import ollama_server
from tests.fakes.server import LoopbackServer

OUT_DIR = Path(__file__).resolve().parents[2] / "static" / "docs"
VIEWPORT = {"width": 1366, "height": 820}
SCENES = [
    ("lighthouse", "a red and white lighthouse on a rocky coast at sunset, warm light, calm sea"),
    ("fox", "a red fox sitting in tall autumn grass, soft morning light, shallow depth of field"),
    ("teapot", "a blue ceramic teapot on a wooden table next to a window, overcast daylight"),
    ("bicycle", "a vintage green bicycle leaning against a yellow wall, bright midday sun"),
    ("cabin", "a small wooden cabin in a snowy pine forest, smoke from the chimney, dusk"),
    ("market", "a busy street market with colourful awnings and crates of oranges"),
    ("heron", "a grey heron standing in shallow water among reeds, misty morning"),
    ("bridge", "an old stone arch bridge over a narrow river, green hills behind"),
    ("robot", "a small toy robot made of tin on a white background, studio lighting"),
    ("harbour", "fishing boats moored in a harbour, pastel houses on the quay, blue sky"),
    ("desert", "sand dunes with long shadows under a clear sky, late afternoon"),
    ("library", "tall wooden bookshelves in an old library, a ladder, warm lamps"),
]


def main() -> int:
    browser_path = chromium_path()
    if not browser_path:
        print("No Chromium found: install chromium or set CHROMIUM_PATH.", file=sys.stderr)
        return 1
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="captionforge-docs-") as tmp:
        work = Path(tmp)
        photos = _demo_folder(work / "Pictures" / "demo-photos")
        ollama = ollama_server.FakeOllama(models=["qwen3-vl:4b-instruct", "qwen3-vl:8b-instruct"])
        fake = LoopbackServer(ollama_server.create_app(ollama)).start()
        second = ollama_server.FakeOllama(models=["qwen3-vl:4b-instruct"])  # a second GPU machine
        extra = LoopbackServer(ollama_server.create_app(second)).start()
        server = start_server(work / "data", env={"CAPTIONFORGE_VISION__BASE_URL": fake.url})
        try:
            names = _seed(server.url, photos)
            _photograph(browser_path, server.url, names, extra.url)
        finally:
            stop_server(server)
            fake.stop()
            extra.stop()
    print(f"Screenshots written to {OUT_DIR}")
    return 0


def _seed(url: str, photos: Path) -> dict[str, str]:
    api = httpx.Client(base_url=url, timeout=120)
    folder = _ok(api.post("/api/folders", json={"path": str(photos), "scan": False}))
    _ok(api.post(f"/api/folders/{folder['id']}/scan", params={"wait": True}))
    dataset = _ok(
        api.post("/api/datasets/from-folder", json={"folder_id": folder["id"], "name": "Demo scenes"})
    )
    caption_set = _ok(
        api.post(
            f"/api/datasets/{dataset['id']}/caption-sets",
            json={"name": "Natural", "style": "natural_simple", "init_from_imported": True},
        )
    )
    return {"dataset": dataset["name"], "caption_set": caption_set["name"]}


def _photograph(browser_path: str, url: str, names: dict[str, str], extra_server: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path, args=CHROMIUM_FLAGS)
        page = browser.new_context(viewport=VIEWPORT).new_page()
        page.goto(url + "/")
        wait_connected(page)
        page.screenshot(path=OUT_DIR / "workspace-empty.png")
        page.get_by_text(names["dataset"], exact=True).click()
        page.get_by_text(names["caption_set"], exact=True).first.click()
        page.locator(".cf-tile").first.wait_for()
        page.locator(".cf-tile").nth(1).dblclick()
        page.locator("textarea").first.wait_for()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=OUT_DIR / "workspace.png")
        for name in ("folders", "exports", "jobs", "settings"):
            page.goto(f"{url}/{name}")
            wait_connected(page)
            if name == "folders":
                page.get_by_role("button", name="Open").first.click()
                page.locator("img").first.wait_for()
            if name == "settings":  # one extra server, checked
                page.get_by_role("button", name="Add server").click()
                page.get_by_placeholder("http://gpu2:11434").fill(extra_server)
                page.get_by_role("button", name="Check", exact=True).click()
                page.get_by_text("answers at").last.wait_for()
            page.wait_for_load_state("networkidle")
            page.screenshot(path=OUT_DIR / f"{name}.png", full_page=name == "settings")
        page.set_content(login_page_html("/", ""))
        page.screenshot(path=OUT_DIR / "lan-login.png")
        browser.close()


def _demo_folder(folder: Path) -> Path:
    """Synthetic but varied pictures (sky, sun, hills, a subject shape) with a .txt caption beside each."""
    folder.mkdir(parents=True)
    rng = random.Random(7)
    for index, (name, caption) in enumerate(SCENES):
        _scene(rng, index).save(folder / f"{index + 1:02d}_{name}.jpg", quality=90)
        (folder / f"{index + 1:02d}_{name}.txt").write_text(caption, encoding="utf-8")
    return folder


def _scene(rng: random.Random, index: int, size: tuple[int, int] = (1024, 768)) -> Image.Image:
    w, h = size
    hue = index / len(SCENES)
    top = _hsv(hue, 0.45, 0.95)
    bottom = _hsv((hue + 0.08) % 1, 0.6, 0.55)
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(h):
        t = y / h
        draw.line(
            [(0, y), (w, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    sun = (int(w * rng.uniform(0.2, 0.8)), int(h * rng.uniform(0.15, 0.35)))
    draw.ellipse([sun[0] - 60, sun[1] - 60, sun[0] + 60, sun[1] + 60], fill=_hsv((hue + 0.5) % 1, 0.3, 1.0))
    for layer in range(3):
        base = h * (0.55 + 0.12 * layer)
        points = [(x, base + 40 * math.sin(x / rng.uniform(60, 140) + layer)) for x in range(0, w + 32, 32)]
        draw.polygon([(0, h), *points, (w, h)], fill=_hsv((hue + 0.3) % 1, 0.5, 0.45 - 0.1 * layer))
    cx, cy = int(w * rng.uniform(0.3, 0.7)), int(h * 0.62)
    draw.rounded_rectangle([cx - 90, cy - 150, cx + 90, cy + 60], 30, fill=_hsv((hue + 0.6) % 1, 0.7, 0.8))
    for _ in range(900):  # grass and texture, so the measured sharpness looks like a photo's
        x, y = rng.randrange(w), rng.randrange(int(h * 0.55), h)
        shade = _hsv((hue + 0.3) % 1, 0.4, rng.uniform(0.2, 0.8))
        draw.line([(x, y), (x + rng.randint(-4, 4), y - rng.randint(6, 18))], fill=shade, width=2)
    return image


def _hsv(h: float, s: float, v: float) -> tuple[int, int, int]:
    import colorsys

    return tuple(int(c * 255) for c in colorsys.hsv_to_rgb(h, s, v))


def _ok(response: httpx.Response) -> dict:
    if response.status_code >= 400:
        raise SystemExit(
            f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
        )
    return response.json()


if __name__ == "__main__":
    raise SystemExit(main())
