"""Small conversions shared by the dataset and caption services: timestamps, JSON columns, URLs."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Literal

from app.errors import Invalid

# What the grid shows of a file's caption in a set ("none": the set has no caption for it).
CaptionState = Literal["none", "imported", "generated", "edited"]


def iso(value: datetime | None) -> str | None:
    """ISO-8601 text of a naive-UTC timestamp (microseconds kept: captions compare them for conflicts)."""
    return value.isoformat() if value is not None else None


def parse_iso(value: str, what: str = "timestamp") -> datetime:
    """A naive-UTC datetime from ISO text (a trailing Z or +00:00 is accepted)."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise Invalid(f"{what} {value!r} is not an ISO-8601 timestamp like 2025-01-31T12:00:00") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def json_value(text: str | None, default: Any) -> Any:
    """A JSON column's value, or `default` when it is empty or not JSON."""
    if not text:
        return default
    if text == "[]":  # most files have no quality flags: a dataset of 10,000 skips 10,000 parses
        return []
    try:
        return json.loads(text)
    except ValueError:
        return default


def tags_list(text: str | None) -> list[str]:
    """Stored comma-separated tags as a list."""
    return [tag for tag in (part.strip() for part in (text or "").split(",")) if tag]


def tags_text(tags: list[str] | str | None) -> str | None:
    """Tags from a list or a comma-separated string: trimmed, de-duplicated (case-insensitively), in order."""
    if tags is None:
        return None
    items = tags.split(",") if isinstance(tags, str) else tags
    seen: dict[str, str] = {}
    for tag in items:
        if not isinstance(tag, str):
            raise Invalid(f"Tag {tag!r} is not text")
        cleaned = tag.strip()
        if cleaned and cleaned.lower() not in seen:
            seen[cleaned.lower()] = cleaned
    return ", ".join(seen.values()) or None


def caption_state(source: str | None, manually_edited: bool | None) -> CaptionState:
    """What the grid shows for a caption: "edited" (a person wrote or changed it), "generated" or "imported"."""
    if manually_edited or source == "manual":
        return "edited"
    if source == "generated":
        return "generated"
    if source == "imported":
        return "imported"
    return "edited"
