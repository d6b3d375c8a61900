"""Checks before an export writes anything: what a trainer would silently get wrong, with counts and examples.

Each check lists the files it found among those the export would write (skipped files are already in the
plan's skip list). The user confirms or goes back to fix; nothing here blocks an export.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from app.db import Database
from app.services.crop_box import cropped_size, stored_box
from app.services.export_options import ExportOptions
from app.services.export_plan import PlanItem
from app.services.near_duplicates import duplicate_groups

DEFAULT_TRAINING_RESOLUTION = 1024  # what the kohya dataset.toml trains at when no size is set
EXAMPLES_SHOWN = 5


def export_checks(
    db: Database,
    dataset_id: str,
    options: ExportOptions,
    items: list[PlanItem],
    rows: list[dict[str, Any]],
    trigger_phrase: str | None,
    thumbnails_dir: Path | None = None,
) -> list[dict[str, Any]]:
    """Every check, in a fixed order: {kind, label, count, examples: [{file_id, filename, detail}]}."""
    by_id = {row["file_id"]: row for row in rows}
    trigger = (options.trigger or trigger_phrase or "").strip()
    resolution = options.target_resolution or DEFAULT_TRAINING_RESOLUTION
    checks = [
        _check(
            "missing_trigger",
            f"Captions without the trigger phrase {trigger!r}" if trigger else "Captions without the trigger",
            [
                (item, "caption: " + _short(item.caption))
                for item in items
                if trigger and trigger.lower() not in item.caption.lower()
            ],
            by_id,
        ),
        _check(
            "below_resolution",
            f"Images smaller than the training resolution ({resolution} px on the long side)",
            [
                (item, "x".join(map(str, _exported_size(by_id[item.file_id]))))
                for item in items
                if _long_side(by_id[item.file_id]) and _long_side(by_id[item.file_id]) < resolution
            ],
            by_id,
        ),
        _check(
            "flagged",
            "Flagged images",
            [(item, ", ".join(item.quality_flags)) for item in items if item.quality_flags],
            by_id,
        ),
        _check("duplicates", "Exact duplicates (the same file more than once)", _exact(items), by_id),
        _check(
            "near_duplicates",
            "Near-duplicates (look alike)",
            _near(db, dataset_id, items, thumbnails_dir),
            by_id,
        ),
    ]
    repeated = _class_repeats_trigger(options, trigger)
    checks.append(
        {
            "kind": "class_repeats_trigger",
            "label": "The class word repeats the trigger",
            "count": 1 if repeated else 0,
            "examples": [{"file_id": None, "filename": None, "detail": repeated}] if repeated else [],
        }
    )
    return checks


def _check(
    kind: str, label: str, found: list[tuple[PlanItem, str]], by_id: dict[str, dict]
) -> dict[str, Any]:
    return {
        "kind": kind,
        "label": label,
        "count": len(found),
        "examples": [
            {"file_id": item.file_id, "filename": by_id[item.file_id]["filename"], "detail": detail}
            for item, detail in found[:EXAMPLES_SHOWN]
        ],
    }


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
        if group["kind"] != "near":
            continue
        members = [f["file_id"] for f in group["files"] if f["file_id"] in exported]
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
