"""Fixtures the scan tests share: a thread pool standing in for the process pool, and an empty photo folder."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(2) as pool:
        yield pool


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    """An empty folder the test fills (a module may override it with one of its own)."""
    folder = tmp_path / "photos"
    folder.mkdir()
    return folder
