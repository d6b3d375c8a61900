"""The options of one export: a flat, validated record built from a preset plus the request's overrides.

Accepts the nested request shape (numbering / image_processing / filtering) as well as the flat
field names stored in export_history.settings, so "export again" posts the stored settings back as they are.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from app.errors import Invalid

LAYOUTS = ("flat", "kohya", "onetrainer", "imagefolder")
IMAGE_FORMATS = ("original", "jpeg", "png", "webp")
MISSING_CAPTION = ("skip", "empty", "imported")
MANIFESTS = ("none", "json", "csv")
NAMINGS = ("numbered", "original")
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass
class ExportOptions:
    """Everything that decides what an export writes. Field names are the stored settings' keys."""

    caption_set_id: str | None = None
    export_type: str = "folder"  # folder | zip
    export_path: str = ""  # folder target, or the .zip file (empty = <exports dir>/<dataset>-<time>.zip)
    overwrite: bool = False  # the user confirmed replacing a non-empty target
    preset: str = "generic"
    layout: str = "flat"
    repeats: int = 10  # kohya folder prefix
    trigger: str = ""  # kohya folder name; empty = the caption set's trigger phrase
    class_tokens: str = ""  # kohya folder name, e.g. "woman"
    kohya_toml: bool = False  # also write dataset.toml for sd-scripts' --dataset_config
    concept_name: str = "concept"  # OneTrainer concept folder
    naming: str = "numbered"
    numbering_start: int = 1
    numbering_padding: int = 6
    image_format: str = "original"
    target_resolution: int | None = None  # long side in pixels; None = keep
    upscale: bool = False
    jpeg_quality: int = 95  # also the WebP quality
    png_compression: int = 6
    background: str = "#ffffff"  # alpha is flattened onto this for JPEG
    caption_extension: str = "txt"  # txt | caption
    caption_files: bool = True  # False for imagefolder (captions live in metadata.jsonl)
    single_line: bool = True  # trainers read the first line only, or each line as its own caption
    missing_caption: str = "skip"
    min_quality_score: float | None = None
    exclude_flags: list[str] = field(default_factory=list)
    manifest: str = "json"  # every exported file links back to its original

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def background_rgb(self) -> tuple[int, int, int]:
        value = self.background.lstrip("#")
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


FIELD_NAMES = {f.name for f in fields(ExportOptions)}
# Fields a preset may set (the rest belong to one export: where it goes and what it reads).
PRESET_FIELDS = FIELD_NAMES - {"caption_set_id", "export_path", "overwrite", "preset"}


def flatten_request(request: dict[str, Any]) -> dict[str, Any]:
    """The request's values under flat option names (nested groups mapped, unknown keys dropped)."""
    flat = {key: value for key, value in request.items() if key in FIELD_NAMES}
    numbering = request.get("numbering") or {}
    if "start" in numbering:
        flat["numbering_start"] = numbering["start"]
    if "padding" in numbering:
        flat["numbering_padding"] = numbering["padding"]
    processing = request.get("image_processing") or {}
    for key in ("format", "target_resolution", "jpeg_quality", "png_compression", "upscale", "background"):
        if key in processing:
            flat["image_format" if key == "format" else key] = processing[key]
    filtering = request.get("filtering") or {}
    if "min_quality_score" in filtering:
        flat["min_quality_score"] = filtering["min_quality_score"]
    if "exclude_flagged" in filtering:
        flat["exclude_flags"] = filtering["exclude_flagged"]
    if "caption_format" in request:
        flat["caption_extension"] = request["caption_format"]
    if "include_manifest" in request and "manifest" not in request:
        flat["manifest"] = "json" if request["include_manifest"] else "none"
    return flat


def build_options(base: dict[str, Any], overrides: dict[str, Any]) -> ExportOptions:
    """A validated ExportOptions from preset values overlaid with the (flattened) request. Raises Invalid."""
    values = {**base, **overrides}
    options = ExportOptions(**{k: v for k, v in values.items() if k in FIELD_NAMES})
    _validate(options)
    return options


def _validate(o: ExportOptions) -> None:
    _choice("export_type", o.export_type, ("folder", "zip"))
    _choice("layout", o.layout, LAYOUTS)
    _choice("naming", o.naming, NAMINGS)
    _choice("image_format", o.image_format, IMAGE_FORMATS)
    _choice("missing_caption", o.missing_caption, MISSING_CAPTION)
    _choice("manifest", o.manifest, MANIFESTS)
    o.caption_extension = str(o.caption_extension).lstrip(".").lower()
    _choice("caption_extension", o.caption_extension, ("txt", "caption"))
    o.numbering_start = _int("numbering_start", o.numbering_start, 0, 10**9)
    o.numbering_padding = _int("numbering_padding", o.numbering_padding, 1, 12)
    o.jpeg_quality = _int("jpeg_quality", o.jpeg_quality, 1, 100)
    o.png_compression = _int("png_compression", o.png_compression, 0, 9)
    o.repeats = _int("repeats", o.repeats, 1, 100_000)
    if o.target_resolution in ("", 0):
        o.target_resolution = None
    if o.target_resolution is not None:
        o.target_resolution = _int("target_resolution", o.target_resolution, 8, 65_535)
    if o.min_quality_score in ("",):
        o.min_quality_score = None
    if o.min_quality_score is not None:
        try:
            o.min_quality_score = float(o.min_quality_score)
        except (TypeError, ValueError):
            raise Invalid(
                f"min_quality_score must be a number from 0 to 1, got {o.min_quality_score!r}"
            ) from None
        if not 0 <= o.min_quality_score <= 1:
            raise Invalid(f"min_quality_score must be from 0 to 1, got {o.min_quality_score}")
    if isinstance(o.exclude_flags, str):
        o.exclude_flags = [part.strip() for part in o.exclude_flags.split(",") if part.strip()]
    if not isinstance(o.exclude_flags, list) or not all(isinstance(f, str) for f in o.exclude_flags):
        raise Invalid('exclude_flags must be a list of flag names, e.g. ["blurry"]')
    if not _HEX_COLOUR.match(str(o.background)):
        raise Invalid(f"background must be a colour like #ffffff, got {o.background!r}")
    o.export_path = str(o.export_path or "").strip()
    o.concept_name = str(o.concept_name or "").strip() or "concept"
    o.trigger = str(o.trigger or "").strip()
    o.class_tokens = str(o.class_tokens or "").strip()


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise Invalid(f"{name} must be one of {', '.join(allowed)}, got {value!r}")


def _int(name: str, value: Any, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Invalid(f"{name} must be a whole number, got {value!r}") from None
    if isinstance(value, float) and value != number:
        raise Invalid(f"{name} must be a whole number, got {value!r}")
    if not low <= number <= high:
        raise Invalid(f"{name} must be from {low} to {high}, got {number}")
    return number
