"""Convert one image for an export, in a worker process: upright, cropped, resized, sRGB, no metadata.

`convert_image` takes and returns plain dicts so it pickles to the spawned process pool.
"""

from __future__ import annotations

import errno
import io
import math
from pathlib import Path
from typing import Any

from PIL import Image, ImageCms

from app.services.crop_box import cropped_size, pixel_box
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
    png_compression, background (r, g, b), max_pixels, keep_encoding (format "original"), crop (the
    member's box, normalised to the upright image; applied before the resize).
    """
    try:
        data = Path(task["source"]).read_bytes()
    except FileNotFoundError:
        return {"ok": False, "error": "the source file is gone (deleted or moved since the scan)"}
    except OSError as exc:
        return {"ok": False, "error": f"cannot read the source file ({exc.strerror or exc})"}
    try:
        probe = open_image(data, max_pixels=task.get("max_pixels"), load=False)
        copied = _lossless_copy(data, probe, task)
        if copied is not None:
            encoded, size = copied, probe.size
        else:
            image = _prepare(data, probe, task)
            encoded, size = _encode(image, task), image.size
    except ImageDecodeError as exc:
        return {"ok": False, "error": f"cannot decode the image: {exc}"}
    except (OSError, ValueError) as exc:
        return {"ok": False, "error": f"cannot convert the image ({exc})"}
    if not task.get("dest"):
        return {
            "ok": True,
            "width": size[0],
            "height": size[1],
            "bytes": len(encoded),
            "data": encoded,
        }
    try:
        _write(Path(task["dest"]), encoded)
    except OSError as exc:
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
        return {"ok": False, "error": f"cannot write {task['dest']} ({exc.strerror or exc})", "enospc": full}
    return {"ok": True, "width": size[0], "height": size[1], "bytes": len(encoded)}


def strip_jpeg_metadata(data: bytes) -> bytes:
    """The same JPEG without EXIF, XMP, IPTC, ICC and comment segments; the compressed pixels are untouched.

    Keeps JFIF (APP0) and Adobe (APP14, needed to read the colour transform). Raises ValueError when the
    marker structure is not what a baseline/progressive JPEG has.
    """
    if data[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    kept = [data[:2]]
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise ValueError("JPEG marker expected")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        segment = data[position : position + 2 + length]
        if marker == 0xDA:  # start of scan: the rest is image data
            kept.append(data[position:])
            return b"".join(kept)
        if not (0xE1 <= marker <= 0xEF and marker != 0xEE) and marker != 0xFE:
            kept.append(segment)
        position += 2 + length
    raise ValueError("JPEG without image data")


def _lossless_copy(data: bytes, probe: Image.Image, task: dict[str, Any]) -> bytes | None:
    """For "keep format": a JPEG that needs no resize, rotation or colour conversion is copied with its
    metadata segments removed instead of being re-encoded (no generation loss). None when that does not apply."""
    if not task.get("keep_encoding") or task["extension"] != "jpg" or probe.format != "JPEG":
        return None
    if task.get("crop"):
        return None
    if probe.mode not in ("RGB", "L") or probe.info.get("icc_profile") or probe.getexif().get(0x0112, 1) != 1:
        return None
    if _target_size(probe, task) != probe.size:
        return None
    try:
        return strip_jpeg_metadata(data)
    except ValueError:
        return None


def _target_size(probe: Image.Image, task: dict[str, Any]) -> tuple[int, int]:
    """The output size: the upright image, cropped, then fitted to the target resolution."""
    cropped = cropped_size(*oriented_size(probe), task.get("crop"))
    if not task.get("target_resolution"):
        return cropped
    return fit_within(cropped, task["target_resolution"], upscale=bool(task.get("upscale")))


def _prepare(data: bytes, probe: Image.Image, task: dict[str, Any]) -> Image.Image:
    """Decode at the smallest JPEG scale that still covers the target, upright, sRGB, cropped, resized."""
    icc = probe.info.get("icc_profile")
    upright = oriented_size(probe)
    crop = task.get("crop")
    target = _target_size(probe, task)
    full = cropped_size(*upright, crop)
    # The whole upright image at the scale where the crop box covers the target.
    needed = (
        max(1, math.ceil(upright[0] * target[0] / full[0])),
        max(1, math.ceil(upright[1] * target[1] / full[1])),
    )
    # draft() works in stored (not yet rotated) coordinates.
    turned = upright != probe.size
    draft = (needed[1], needed[0]) if turned else needed
    image = open_image(data, max_pixels=task.get("max_pixels"), draft_size=draft if target != full else None)
    if crop:
        image = image.crop(pixel_box(crop, image.width, image.height))
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
