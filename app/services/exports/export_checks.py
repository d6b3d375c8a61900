"""Checks before an export writes anything: what a trainer would silently get wrong, with counts and examples.

Each check lists the files it found among those the export would write (skipped files are already in the
plan's skip list). The user confirms or goes back to fix; nothing here blocks an export.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from app.db import Database
from app.services.crop_box import cropped_size, stored_box
from app.services.exports.export_options import ExportOptions
from app.services.exports.export_plan import PlanItem
from app.services.exports.export_shapes import CheckExample, CheckGroup, ExportCheck
from app.services.quality.near_duplicates import duplicate_groups

EXAMPLES_SHOWN = 5
FILES_LISTED = 500  # the summary expands a check to its file list; past this it says "and N more"
# Measured at scan time against the Settings size, not the export's: below_resolution checks the real one.
SCAN_SIZE_FLAGS = frozenset({"low_resolution"})


def training_resolution(options: ExportOptions, settings_resolution: int) -> int:
    """The long side the export trains at: the size it resizes to, else the Settings training resolution."""
    return int(options.target_resolution or settings_resolution)


def export_checks(
    db: Database,
    dataset_id: str,
    options: ExportOptions,
    items: list[PlanItem],
    rows: list[dict[str, Any]],
    trigger_phrase: str | None,
    thumbnails_dir: Path | None = None,
    resolution: int = 1024,
) -> list[ExportCheck]:
    """Every check, in a fixed order: kind, label, count, groups (label, count), fix, examples, files.

    `resolution` is the size the export trains at (training_resolution). examples are the first few
    files, files all of them (up to FILES_LISTED), groups the findings by kind (flagged: by flag).
    """
    by_id = {row["file_id"]: row for row in rows}
    trigger = (options.trigger or trigger_phrase or "").strip()
    return [
        _missing_trigger(items, trigger, by_id),
        _below_resolution(items, resolution, by_id),
        _flagged(items, by_id),
        _check("duplicates", "Exact duplicates (the same file more than once)", _exact(items), by_id),
        _check(
            "near_duplicates",
            "Near-duplicates (look alike)",
            _near(db, dataset_id, items, thumbnails_dir),
            by_id,
        ),
        _class_check(options, trigger),
    ]


def _missing_trigger(items: list[PlanItem], trigger: str, by_id: dict[str, dict]) -> ExportCheck:
    return _check(
        "missing_trigger",
        f"Captions without the trigger phrase {trigger!r}" if trigger else "Captions without the trigger",
        [
            (item, "caption: " + _short(item.caption))
            for item in items
            if trigger and trigger.lower() not in item.caption.lower()
        ],
        by_id,
    )


def _below_resolution(items: list[PlanItem], resolution: int, by_id: dict[str, dict]) -> ExportCheck:
    return _check(
        "below_resolution",
        f"Images smaller than the training resolution ({resolution} px on the long side)",
        [
            (item, "x".join(map(str, _exported_size(by_id[item.file_id]))))
            for item in items
            if _long_side(by_id[item.file_id]) and _long_side(by_id[item.file_id]) < resolution
        ],
        by_id,
        fix="To train smaller, set Images > Long side px here (or the training resolution in Settings); "
        "Upscale smaller images enlarges them instead.",
    )


def _flagged(items: list[PlanItem], by_id: dict[str, dict]) -> ExportCheck:
    """Files with quality flags, grouped by flag (scan-time size flags left to below_resolution)."""
    flagged = [(item, [f for f in item.quality_flags if f not in SCAN_SIZE_FLAGS]) for item in items]
    return _check(
        "flagged",
        "Flagged images",
        [(item, ", ".join(flags)) for item, flags in flagged if flags],
        by_id,
        groups=Counter(flag for _item, flags in flagged for flag in flags),
        fix="Leave them out under Captions and filters, or exclude them in the workspace.",
    )


def _class_check(options: ExportOptions, trigger: str) -> ExportCheck:
    repeated = _class_repeats_trigger(options, trigger)
    return ExportCheck(
        kind="class_repeats_trigger",
        label="The class word repeats the trigger",
        count=1 if repeated else 0,
        groups=[],
        fix="Clear the Class field, or use a class word the trigger does not end with." if repeated else "",
        examples=[CheckExample(file_id=None, filename=None, detail=repeated)] if repeated else [],
        files=[],
    )


def _check(
    kind: str,
    label: str,
    found: list[tuple[PlanItem, str]],
    by_id: dict[str, dict],
    groups: Counter[str] | None = None,
    fix: str = "",
) -> ExportCheck:
    files = [
        CheckExample(file_id=item.file_id, filename=by_id[item.file_id]["filename"], detail=detail)
        for item, detail in found[:FILES_LISTED]
    ]
    return ExportCheck(
        kind=kind,
        label=label,
        count=len(found),
        groups=[CheckGroup(label=name, count=count) for name, count in (groups or Counter()).most_common()],
        fix=fix,  # where the user changes what the check found (empty: nothing to point at)
        examples=files[:EXAMPLES_SHOWN],
        files=files,
    )


def _exact(items: list[PlanItem]) -> list[tuple[PlanItem, str]]:
    by_hash: dict[str, list[PlanItem]] = defaultdict(list)
    for item in items:
        if item.file_hash:
            by_hash[item.file_hash].append(item)
    return [
        (item, f"{len(group)} copies") for group in by_hash.values() if len(group) > 1 for item in group[1:]
    ]


def _near(
    db: Database, dataset_id: str, items: list[PlanItem], thumbnails_dir: Path | None
) -> list[tuple[PlanItem, str]]:
    exported = {item.file_id: item for item in items}
    found = []
    for group in duplicate_groups(db, dataset_id, thumbnails_dir=thumbnails_dir):
        if group.kind != "near":
            continue
        members = [f.file_id for f in group.files if f.file_id in exported]
        if len(members) > 1:
            found += [(exported[m], f"looks like {len(members) - 1} other(s)") for m in members]
    return found


def _class_repeats_trigger(options: ExportOptions, trigger: str) -> str:
    """A note when the class tokens repeat words of the trigger (kohya's folder would name them twice)."""
    if options.layout != "kohya" or not options.class_tokens or not trigger:
        return ""
    trigger_words = {word.lower() for word in trigger.split()}
    repeated = [word for word in options.class_tokens.split() if word.lower() in trigger_words]
    if not repeated:
        return ""
    return (
        f"class tokens {options.class_tokens!r} repeat {' '.join(repeated)!r} of the trigger {trigger!r}; "
        "the folder names it once"
    )


def _long_side(row: dict[str, Any]) -> int:
    return max(_exported_size(row))


def _exported_size(row: dict[str, Any]) -> tuple[int, int]:
    """The image's size as exported: after the member's crop (0x0 when the scan did not read it)."""
    width, height = row.get("width") or 0, row.get("height") or 0
    return cropped_size(width, height, stored_box(row)) if width and height else (width, height)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
