"""Two browser pages watch one caption job live: the progress bar, the counts and the grid tiles update in
both, pushed over the websocket; both get the notification when it finishes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.live_server import start_server, stop_server, wait_connected
from tests.job_seed import seed_data_dir

pytestmark = pytest.mark.e2e
IMAGES = 12


@pytest.fixture
def job_server(tmp_path: Path, fake_ollama):
    fake_ollama.latency, fake_ollama.parallel = 0.4, 1
    data_dir = tmp_path / "live-jobs"
    seeded = seed_data_dir(data_dir, tmp_path / "images", IMAGES, name="Live")
    server = start_server(data_dir, env={"CAPTIONFORGE_VISION__BASE_URL": fake_ollama.url})
    yield server, seeded
    stop_server(server)


def _open(browser, url: str):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.goto(url)
    wait_connected(page)
    page.wait_for_selector(".cf-tile")
    return context, page


def _generated_tiles(page) -> int:
    return page.evaluate(
        "() => [...document.querySelectorAll('.cf-tile .cf-badge')].filter(b => b.textContent.trim() === 'generated').length"
    )


def _bar(page) -> float:
    value = page.locator(".cf-job-bar").first.get_attribute("aria-valuenow")
    return float(value or 0)


def test_two_pages_see_progress_and_tiles_update_live(browser, job_server) -> None:
    server, seeded = job_server
    url = f"{server.url}/?dataset={seeded.dataset_id}&caption_set={seeded.caption_set_id}"
    first_context, first = _open(browser, url)
    second_context, second = _open(browser, url)
    try:
        first.get_by_role("button", name="Auto-Caption").click()
        first.get_by_text(f"Will caption {IMAGES} and skip none").wait_for(timeout=20_000)
        first.get_by_role("button", name="Start").click()

        for page in (first, second):
            page.wait_for_selector(".cf-job-card", timeout=20_000)
        # While the job runs (it takes ~5 s), both pages move: counts, bar and tiles.
        for page in (first, second):
            page.wait_for_function(
                "() => /^[1-9]\\d* captioned/.test(document.querySelector('.cf-job-counts')?.textContent || '')",
                timeout=30_000,
            )
        mid_first, mid_second = _generated_tiles(first), _generated_tiles(second)
        assert 0 < mid_first < IMAGES and 0 < mid_second < IMAGES, (
            "tiles change while the job is still running"
        )
        assert 0 < _bar(first) < 1 or 0 < _bar(second) < 1, "the progress bar moved before the end"

        for page in (first, second):
            page.get_by_text(f"Caption job finished: {IMAGES} captioned, 0 failed").wait_for(timeout=60_000)
            page.wait_for_function(
                f"() => [...document.querySelectorAll('.cf-tile .cf-badge')]"
                f".filter(b => b.textContent.trim() === 'generated').length === {IMAGES}",
                timeout=20_000,
            )
            assert page.locator(".cf-job-card").count() == 0, "the card goes away when the job is done"
    finally:
        first_context.close()
        second_context.close()
