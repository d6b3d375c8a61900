"""What a backend answered before parsing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RawReply:
    content: str
    reasoning: str = ""  # thinking / reasoning_content: kept for diagnostics, never used as the caption
    done_reason: str | None = None  # "stop" | "length" | ...
    metrics: dict[str, Any] = field(default_factory=dict)
