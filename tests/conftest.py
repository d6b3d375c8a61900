"""Shared fixtures: a temp data dir for every test, a migrated database, synthetic images, a live server."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from app.config import Settings, load_settings
from app.core import Core, build_core

pytest_plugins = ["tests.e2e.live_server", "tests.fakes.fixtures"]


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data dir; main.py under the user fixture picks it up from the environment."""
    path = tmp_path / "data"
    monkeypatch.setenv("CAPTIONFORGE_DATA_DIR", str(path))
    for name in list(os.environ):
        if name.startswith("CAPTIONFORGE_") and name != "CAPTIONFORGE_DATA_DIR":
            monkeypatch.delenv(name)
    return path


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return load_settings(data_dir)


@pytest.fixture
def core(settings: Settings) -> Iterator[Core]:
    """A Core with a freshly migrated SQLite database in the temp data dir."""
    built = build_core(settings)
    yield built
    built.db.dispose()


@pytest.fixture
def make_image(tmp_path: Path) -> Callable[..., Path]:
    """Write a synthetic image: make_image("a.jpg", size=(640, 480), color=(200, 30, 30), **save_options)."""

    def _make(
        name: str,
        size: tuple[int, int] = (640, 480),
        color=(180, 60, 40),
        folder: Path | None = None,
        mode: str = "RGB",
        **save_options,
    ) -> Path:
        target = (folder or tmp_path / "images") / name
        target.parent.mkdir(parents=True, exist_ok=True)
        image = Image.new(mode, size, color)
        draw = ImageDraw.Draw(image)
        # Some structure so sharpness and hashes are not degenerate.
        w, h = size
        for i in range(0, w, max(1, w // 16)):
            draw.line(
                [(i, 0), (w - i, h)], fill=tuple(255 - c for c in color) if mode == "RGB" else 255, width=2
            )
        draw.ellipse([w // 4, h // 4, 3 * w // 4, 3 * h // 4], outline=(20, 20, 20) if mode == "RGB" else 0)
        image.save(target, **save_options)
        return target

    return _make
