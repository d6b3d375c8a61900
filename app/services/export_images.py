"""Convert one image for an export, in a worker process: upright, resized, sRGB, no metadata.

`convert_image` takes and returns plain dicts so it pickles to the spawned process pool.
"""

from __future__ import annotations

import errno
import io
from pathlib import Path
from typing import Any

from PIL import Image, ImageCms

from app.services.images import ImageDecodeError, fit_within, flatten, open_image, oriented_size

PIL_FORMATS = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
ORIGINAL_KEPT = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def output_extension(image_format: str, source_extension: str) -> str:
    """The file extension an export writes: the chosen format, or the source's if a trainer reads it, else png."""
    if image_format == "jpeg":
        return "jpg"
    if image_format in ("png", "webp"):
        return image_format
    source = source_extension.lower().lstrip(".")
    source = "jpg" if source in ("jpg", "jpeg") else source
    return source if source in PIL_FORMATS else "png"


def convert_image(task: dict[str, Any]) -> dict[str, Any]:
    """Write task["dest"] from task["source"]; returns {ok, width, height, bytes} or {ok: False, error, enospc}.

    Without a dest the encoded bytes come back as "data" (for a ZIP written by the caller).

    task keys: source, dest, extension (jpg|png|webp), target_resolution, upscale, jpeg_quality,
    png_compression, background (r, g, b), max_pixels.
    """
    try:
        data = Path(task["source"]).read_bytes()
    except FileNotFoundError:
        return {"ok": False, "error": "the source file is gone (deleted or moved since the scan)"}
    except OSError as exc:
        return {"ok": False, "error": f"cannot read the source file ({exc.strerror or exc})"}
    try:
        image = _prepare(data, task)
        encoded = _encode(image, task)
    except ImageDecodeError as exc:
        return {"ok": False, "error": f"cannot decode the image: {exc}"}
    except (OSError, ValueError) as exc:
        return {"ok": False, "error": f"cannot convert the image ({exc})"}
    if not task.get("dest"):
        return {
            "ok": True,
            "width": image.width,
            "height": image.height,
            "bytes": len(encoded),
            "data": encoded,
        }
    try:
        _write(Path(task["dest"]), encoded)
    except OSError as exc:
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        return {"ok": False, "error": f"cannot write {task['dest']} ({exc.strerror or exc})", "enospc": full}
    return {"ok": True, "width": image.width, "height": image.height, "bytes": len(encoded)}


def _prepare(data: bytes, task: dict[str, Any]) -> Image.Image:
    """Decode at the smallest JPEG scale that still covers the target, upright, sRGB, resized."""
    probe = open_image(data, max_pixels=task.get("max_pixels"), load=False)
    icc = probe.info.get("icc_profile")
    upright = oriented_size(probe)
    target = fit_within(upright, task.get("target_resolution"), upscale=bool(task.get("upscale")))
    if not task.get("target_resolution"):
        target = upright
    # draft() works in stored (not yet rotated) coordinates.
    turned = upright != probe.size
    draft = (target[1], target[0]) if turned else target
    image = open_image(
        data, max_pixels=task.get("max_pixels"), draft_size=draft if target != upright else None
    )
    if icc:
        image = _to_srgb(image, icc)
    if image.size != target:
        image = image.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return image


def _to_srgb(image: Image.Image, icc: bytes) -> Image.Image:
    """Pixels converted from the embedded profile to sRGB; unchanged when the profile does not fit the mode."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if image.mode == "L":
            if source.profile.xcolor_space.strip() != "GRAY":
                return image
            return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB") or image
        if source.profile.xcolor_space.strip() != "RGB":
            return image
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode=image.mode) or image
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image


def _encode(image: Image.Image, task: dict[str, Any]) -> bytes:
    """The encoded file with no EXIF, XMP, comments or ICC (pixels are sRGB, the web's default)."""
    extension = task["extension"]
    if extension == "jpg":
        image = flatten(image, tuple(task.get("background") or (255, 255, 255)))
    image.info = {}  # Pillow carries comments/EXIF/ICC from .info into some encoders
    buffer = io.BytesIO()
    if extension == "jpg":
        image.save(buffer, "JPEG", quality=int(task.get("jpeg_quality", 95)), optimize=True)
    elif extension == "png":
        image.save(buffer, "PNG", compress_level=int(task.get("png_compression", 6)))
    else:
        image.save(buffer, "WEBP", quality=int(task.get("jpeg_quality", 95)), method=4)
    return buffer.getvalue()


def _write(dest: Path, encoded: bytes) -> None:
    dest.write_bytes(encoded)
