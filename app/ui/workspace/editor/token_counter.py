"""TokenCounter: the editor's "63 / 75" CLIP token count, amber past the 75-token limit."""

from __future__ import annotations

from nicegui import ui

from app.services.tokens import CLIP_TOKEN_LIMIT, token_summary


class TokenCounter(ui.label):
    """CLIP BPE tokens of the caption without start/end tokens, against CLIP's limit of 75."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.classes("text-xs whitespace-nowrap").mark("token-counter")
        self.tooltip(
            f"CLIP tokens (start and end tokens not counted). CLIP reads {CLIP_TOKEN_LIMIT}; "
            "the rest of a longer caption is cut off in training."
        )
        self.count = 0
        self.show(text)

    def show(self, text: str | None) -> None:
        """Count `text` (microseconds; cached) and show it."""
        summary = token_summary(text)
        self.count = summary.count
        over = summary.over
        self.text = f"{summary.count} / {summary.limit} tokens" + (f" ({over} cut off)" if over else "")
        self.classes(
            replace="text-xs whitespace-nowrap "
            + ("text-amber-700 font-semibold" if over else "text-gray-500")
        )
