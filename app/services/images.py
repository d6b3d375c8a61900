"""Pillow decoding shared by scans, exports and the vision client: one guarded open, EXIF-upright, small modes.

Everything here is plain functions on bytes or paths so it runs in worker processes.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

SUPPORTED_FORMATS = {
    "JPEG": "jpg",
    "PNG": "png",
    "WEBP": "webp",
    "GIF": "gif",
    "BMP": "bmp",
    "TIFF": "tiff",
    "MPO": "jpg",
}
SUPPORTED_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"}
MIME_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tiff": "image/tiff",
}


class ImageDecodeError(Exception):
    """A file that cannot be used as an image; the message says why in plain words."""


def open_image(
    source: bytes | Path,
    *,
    max_pixels: int | None,
    draft_size: tuple[int, int] | None = None,
    load: bool = True,
) -> Image.Image:
    """Open an image upright (EXIF orientation applied), first frame only, in RGB, RGBA or L.

    draft_size lets JPEG decode at a reduced DCT scale (>= that size). Raises ImageDecodeError.
    """
    Image.MAX_IMAGE_PIXELS = max_pixels
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(stream)
            if image.format not in SUPPORTED_FORMATS:
                raise ImageDecodeError(f"not a supported image ({image.format})")
            if draft_size and image.format in ("JPEG", "MPO"):
                image.draft("RGB", draft_size)
            if getattr(image, "n_frames", 1) > 1:
                image.seek(0)
            if load:
                image.load()
                image = ImageOps.exif_transpose(image)
                image = normalize_mode(image)
            return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageDecodeError("too large (decompression bomb guard)") from None
    except UnidentifiedImageError:
        raise ImageDecodeError("not an image") from None
    except OSError as exc:
        text = str(exc).lower()
        if "truncated" in text or "premature end" in text or "broken data stream" in text:
            kind = "JPEG" if _looks_like_jpeg(source) else "image"
            raise ImageDecodeError(f"truncated {kind}") from None
        raise ImageDecodeError(f"cannot decode ({exc})") from None
    except (SyntaxError, ValueError, EOFError) as exc:
        raise ImageDecodeError(f"corrupt image ({exc})") from None


def normalize_mode(image: Image.Image) -> Image.Image:
    """Bring CMYK, 16-bit, palette (+transparency) and friends to RGB, RGBA or L."""
    if image.mode in ("RGB", "RGBA", "L"):
        return image
    if image.mode == "P":
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("LA", "PA"):
        return image.convert("RGBA")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        return image.point(lambda v: v * (1 / 256)).convert("L")
    if image.mode == "1":
        return image.convert("L")
    return image.convert("RGB")


def oriented_size(image: Image.Image) -> tuple[int, int]:
    """Displayed (width, height) of an opened-but-not-transposed image: EXIF rotations 5-8 swap the sides."""
    orientation = image.getexif().get(0x0112, 1)
    width, height = image.size
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def flatten(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """RGB with any alpha composited onto the background colour."""
    if image.mode == "RGBA":
        canvas = Image.new("RGB", image.size, background)
        canvas.paste(image, mask=image.getchannel("A"))
        return canvas
    return image.convert("RGB") if image.mode != "RGB" else image


def fit_within(
    size: tuple[int, int],
    long_side: int | None = None,
    max_pixels: float | None = None,
    upscale: bool = False,
) -> tuple[int, int]:
    """The size that keeps the aspect ratio within a long side and/or a pixel budget (never 0)."""
    width, height = size
    scale = 1.0
    if long_side:
        scale = min(scale, long_side / max(width, height)) if not upscale else long_side / max(width, height)
    if max_pixels:
        scale = min(scale, (max_pixels / (width * height)) ** 0.5)
    return max(1, round(width * scale)), max(1, round(height * scale))


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes, read once."""
    return Path(path).read_bytes()


def _looks_like_jpeg(source: bytes | Path) -> bool:
    if isinstance(source, bytes):
        return source[:3] == b"\xff\xd8\xff"
    with Path(source).open("rb") as handle:
        return handle.read(3) == b"\xff\xd8\xff"
