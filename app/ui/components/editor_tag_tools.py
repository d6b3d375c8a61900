"""The caption tools inside the editor: the CLIP token counter and the Text / Tags view switch.

Placed right under the editor's textarea. In Tags view the chips replace the textarea on screen; both
edit the same text, so switching never loses anything. Sets of style "tags" open in Tags view.
"""

from __future__ import annotations

from nicegui import run, ui

from app.core import current
from app.services.tags import tag_vocabulary
from app.ui.components.tag_chips import TagChips
from app.ui.components.token_counter import TokenCounter


class EditorTagTools(ui.column):
    """Token counter, view switch and chips for the editor's `textarea`."""

    def __init__(self, textarea: ui.textarea) -> None:
        super().__init__()
        self.classes("w-full gap-1")
        self.textarea = textarea
        self.caption_set_id: str | None = None
        self.chips = TagChips(textarea)
        with ui.row().classes("w-full items-center gap-2 no-wrap"):
            self.tokens = TokenCounter(textarea.value or "")
            ui.space()
            self.view = (
                ui.toggle(
                    {"text": "Text", "tags": "Tags"}, value="text", on_change=lambda e: self._show(e.value)
                )
                .props("dense no-caps size=sm")
                .mark("caption-view")
            )
        textarea.on_value_change(lambda e: self.tokens.show(e.value))
        self._show("text")

    async def show_set(self, caption_set_id: str, style: str | None) -> None:
        """A file of `caption_set_id` is shown: load the set's vocabulary when the set changed."""
        if caption_set_id != self.caption_set_id:
            self.caption_set_id = caption_set_id
            self.view.value = "tags" if style == "tags" else "text"
            await self.refresh_vocabulary()
        self.tokens.show(self.textarea.value)

    async def refresh_vocabulary(self) -> None:
        """Re-read the set's tag frequencies (after batch edits or tag renames)."""
        if self.caption_set_id is None:
            return
        vocabulary = await run.io_bound(tag_vocabulary, current().db, self.caption_set_id)
        self.chips.set_vocabulary(vocabulary or [])  # None while the app shuts down

    def _show(self, view: str) -> None:
        tags = view == "tags"
        self.chips.set_visibility(tags)
        self.textarea.set_visibility(not tags)
        if tags:
            self.chips.render()
