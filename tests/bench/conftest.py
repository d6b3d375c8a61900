"""Benchmarks may download their photographs (tests/bench/photos.py); the regular suite never does."""

import pytest

from tests.bench import photos


@pytest.fixture(autouse=True)
def allow_photo_download(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(photos, "FETCH_ALLOWED", True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Benchmarks on real photographs can run for minutes: no per-test timeout for them."""
    for item in items:
        if "bench" in item.keywords:
            item.add_marker(pytest.mark.timeout(0))
