"""Benchmarks may download their photographs (tests/bench/photos.py); the regular suite never does."""

import pytest

from tests.bench import photos


@pytest.fixture(autouse=True)
def allow_photo_download(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(photos, "FETCH_ALLOWED", True)
