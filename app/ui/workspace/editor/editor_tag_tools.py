"""The caption tools inside the editor: the CLIP token counter and the Text / Tags view switch.

Placed right under the editor's textarea. In Tags view the chips replace the textarea on screen; both
edit the same text, so switching never loses anything. Sets of style "tags" open in Tags view.
A caption written in sentences stays in Text view, with a note: chips would cut it at every comma.
"""

from __future__ import annotations

from nicegui import run, ui

from app.db import Database
from app.services.captions.tags import tag_vocabulary
from app.ui.workspace.editor.tag_chips import TagChips, looks_like_prose
from app.ui.workspace.editor.token_counter import TokenCounter


class EditorTagTools(ui.column):
    """Token counter, view switch and chips for the editor's `textarea`."""

    def __init__(self, db: Database, textarea: ui.textarea) -> None:
        super().__init__()
        self.db = db
        self.classes("w-full gap-1")
        self.textarea = textarea
        self.caption_set_id: str | None = None
        self.wanted = "text"  # the view the user (or the set's style) asked for
        self._forcing = False
        self.chips = TagChips(textarea)
        with ui.row().classes("w-full items-center gap-2 no-wrap"):
            self.tokens = TokenCounter(textarea.value or "")
            ui.space()
            self.view = (
                ui.toggle(
                    {"text": "Text", "tags": "Tags"}, value="text", on_change=lambda e: self._chosen(e.value)
                )
                .props("dense no-caps size=sm")
                .mark("caption-view")
            )
        self.prose_note = (
            ui.label(
                "This caption is written in sentences, so it stays in Text view: the Tags view would cut "
                "it at every comma."
            )
            .classes("text-xs text-gray-600")
            .mark("tags-prose-note")
        )
        self.prose_note.set_visibility(False)
        textarea.on_value_change(lambda e: self.tokens.show(e.value))
        self._show()

    async def show_set(self, caption_set_id: str, style: str | None) -> None:
        """A file of `caption_set_id` is shown: load the set's vocabulary when the set changed."""
        if caption_set_id != self.caption_set_id:
            self.caption_set_id = caption_set_id
            self.wanted = "tags" if style == "tags" else "text"
            await self.refresh_vocabulary()
        self.tokens.show(self.textarea.value)
        self._show()

    async def refresh_vocabulary(self) -> None:
        """Re-read the set's tag frequencies (after batch edits or tag renames)."""
        if self.caption_set_id is None:
            return
        vocabulary = await run.io_bound(tag_vocabulary, self.db, self.caption_set_id)
        self.chips.set_vocabulary(vocabulary or [])  # None while the app shuts down

    def _chosen(self, view: str) -> None:
        if not self._forcing:
            self.wanted = view
            self._show()

    def _show(self) -> None:
        """Tags view when asked for, except for a caption in sentences (then Text view and the note)."""
        prose = self.wanted == "tags" and looks_like_prose(self.textarea.value)
        self.prose_note.set_visibility(prose)
        view = "text" if prose else self.wanted
        if self.view.value != view:
            self._forcing = True
            try:
                self.view.value = view
            finally:
                self._forcing = False
        tags = view == "tags"
        self.chips.set_visibility(tags)
        self.textarea.set_visibility(not tags)
        if tags:
            self.chips.render()
