"""Images with four flat-coloured quadrants, so a test can see which part of an image came through a crop."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

RED, GREEN, BLUE, YELLOW = (255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)


def quadrants(path: Path, size: tuple[int, int] = (400, 200), **save) -> Path:
    """Red top-left, green top-right, blue bottom-left, yellow bottom-right."""
    path.parent.mkdir(parents=True, exist_ok=True)
    width, height = size
    image = Image.new("RGB", size, RED)
    image.paste(GREEN, (width // 2, 0, width, height // 2))
    image.paste(BLUE, (0, height // 2, width // 2, height))
    image.paste(YELLOW, (width // 2, height // 2, width, height))
    image.save(path, **save)
    return path


def colours(image: Image.Image, border: int = 4) -> set[tuple[int, int, int]]:
    """The distinct colours of an image but its outer `border` px, each channel rounded to 0 or 255 (JPEG
    noise blends colours at the edge of a quadrant)."""
    inner = image.convert("RGB").crop((border, border, image.width - border, image.height - border))
    return {tuple(255 if c > 127 else 0 for c in p) for p in inner.get_flattened_data()}
