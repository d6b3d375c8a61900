"""Which files an export writes, under which names, with which caption; and which are skipped and why."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from app.services.captions.postprocess import ensure_trigger
from app.services.crop_box import cropped_size, stored_box
from app.services.exports.export_images import output_extension
from app.services.exports.export_options import ExportOptions
from app.services.exports.export_presets import safe_name
from app.services.exports.export_shapes import Layout, SkippedFile
from app.services.images import fit_within

# Rough bytes per output pixel when the format changes (photos); same-format output scales the source size.
_BYTES_PER_PIXEL = {"png": 1.8, "webp": 0.3, "jpg": 0.5}


@dataclass
class PlanItem:
    file_id: str
    source: str
    stem: str
    extension: str
    caption: str
    relative_image: str  # path inside the export root, POSIX
    relative_caption: str | None
    file_hash: str
    quality_score: float | None
    quality_flags: list[str]
    estimated_bytes: int
    crop: dict[str, float] | None = None  # the member's crop box (normalised, see crop_box), applied first


def plan_items(
    rows: list[dict[str, Any]],
    options: ExportOptions,
    layout: Layout,
    trigger: tuple[str | None, str] | None = None,
) -> tuple[list[PlanItem], list[SkippedFile]]:
    """Filter the member rows (in dataset order) and name what is kept; returns (items, skipped).

    trigger: (phrase, style) when the caption set guarantees its trigger: every non-empty caption starts
    with it."""
    items: list[PlanItem] = []
    skipped: list[SkippedFile] = []
    used: set[str] = set()
    excluded_flags = {flag.lower() for flag in options.exclude_flags}
    number = options.numbering_start
    for row in rows:
        flags = _flags(row["quality_flags"])
        caption = _caption(row, options)
        if caption and trigger:
            caption = clean_caption(ensure_trigger(caption, trigger[0], trigger[1]), options.single_line)
        reason = _skip_reason(row, options, flags, excluded_flags, caption)
        if reason:
            skipped.append(SkippedFile(file_id=row["file_id"], filename=row["filename"], reason=reason))
            continue
        extension = output_extension(options.image_format, PurePosixPath(row["filename"]).suffix)
        if options.naming == "numbered":
            stem = str(number).zfill(options.numbering_padding)
            number += 1
        else:
            stem = _unique(safe_name(PurePosixPath(row["filename"]).stem, "image"), used)
        base = f"{layout.image_dir}/{stem}" if layout.image_dir else stem
        items.append(
            PlanItem(
                file_id=row["file_id"],
                source=row["file_path"],
                stem=stem,
                extension=extension,
                caption=caption or "",
                relative_image=f"{base}.{extension}",
                relative_caption=f"{base}.{options.caption_extension}" if options.caption_files else None,
                file_hash=row["file_hash"],
                quality_score=row["quality_score"],
                quality_flags=flags,
                estimated_bytes=_estimate(row, options, extension) + len((caption or "").encode()),
                crop=stored_box(row),
            )
        )
    return items, skipped


def clean_caption(text: str, single_line: bool) -> str:
    """Trimmed caption; on one line when the trainer reads only the first line or each line separately."""
    if single_line:
        return " ".join(text.split())
    return "\n".join(line.rstrip() for line in text.strip().splitlines()).strip()


def _caption(row: dict[str, Any], options: ExportOptions) -> str | None:
    """The set's caption; else per the missing-caption policy; None = no caption (skip)."""
    text = row["caption_text"]
    if text is not None and text.strip():
        return clean_caption(text, options.single_line)
    if options.missing_caption == "empty":
        return ""
    if options.missing_caption == "imported" and (row["imported_caption"] or "").strip():
        return clean_caption(row["imported_caption"], options.single_line)
    return None


def _skip_reason(
    row: dict[str, Any],
    options: ExportOptions,
    flags: list[str],
    excluded_flags: set[str],
    caption: str | None,
) -> str | None:
    if row["excluded"]:
        return "excluded from the dataset"
    if not row["file_exists"]:
        return "file missing since the last scan"
    if row.get("is_video"):  # an image export cannot write a clip: the video presets (or frames) do
        return "a video: export it with a video preset, or its frames as images"
    score = row["quality_score"]
    if options.min_quality_score is not None and score is not None and score < options.min_quality_score:
        return f"quality below {options.min_quality_score:g}"
    hit = sorted(excluded_flags.intersection(flag.lower() for flag in flags))
    if hit:
        return f"flagged {hit[0]}"
    if caption is None:
        return "no caption" if options.missing_caption != "imported" else "no caption and none imported"
    return None


def _flags(raw: str | None) -> list[str]:
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        return [part.strip() for part in raw.split(",") if part.strip()]
    return [str(flag) for flag in value] if isinstance(value, list) else []


def _unique(stem: str, used: set[str]) -> str:
    """The stem, or stem_2, stem_3... so no two files share a name (case-insensitively, for Windows/macOS)."""
    candidate, counter = stem, 2
    while candidate.lower() in used:
        candidate = f"{stem}_{counter}"
        counter += 1
    used.add(candidate.lower())
    return candidate


def _estimate(row: dict[str, Any], options: ExportOptions, extension: str) -> int:
    source_bytes = row["size_bytes"] or int((row["file_size_mb"] or 0) * 1e6)
    width, height = row["width"], row["height"]
    if not width or not height:
        return source_bytes
    target = cropped_size(width, height, stored_box(row))
    if options.target_resolution:
        target = fit_within(target, options.target_resolution, upscale=options.upscale)
    ratio = target[0] * target[1] / (width * height)
    source_ext = output_extension("original", PurePosixPath(row["filename"]).suffix)
    if source_ext == extension and source_bytes:
        return int(source_bytes * ratio)
    return int(target[0] * target[1] * _BYTES_PER_PIXEL[extension])
