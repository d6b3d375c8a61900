"""TagChips: a caption shown as tag chips, kept in sync with the editor's textarea.

Drag a chip onto another to move it there, × removes it, and the input adds tags with suggestions
from the caption set's vocabulary (most frequent first; Tab completes the first suggestion inline).
The textarea stays the single source of truth: every chip change writes its text.
"""

from __future__ import annotations

import re

from nicegui import ui

from app.services.captions.caption_shapes import TagCount
from app.services.captions.caption_transforms import join_tags, split_tags
from app.services.captions.tags import suggest_tags
from app.ui.a11y import labelled

SUGGESTIONS = 8
PROSE_WORDS = 6  # a comma-separated part this long is a phrase of a sentence, not a tag
_SENTENCE_END = re.compile(r"\w[.!?](\s|$)")


def looks_like_prose(text: str | None) -> bool:
    """True for a natural-language caption ("A woman stands in a field, smiling."), which the chips would
    cut at every comma; False for tag lists ("1girl, red dress, looking at viewer") and empty text."""
    text = (text or "").strip()
    if not text:
        return False
    parts = split_tags(text)
    if any(len(part.split()) >= PROSE_WORDS for part in parts):
        return True
    return bool(_SENTENCE_END.search(text)) and len(text.split()) >= 4


class TagChips(ui.column):
    """Chips for the comma-separated tags of `textarea.value`; edits write back to the textarea."""

    def __init__(self, textarea: ui.textarea) -> None:
        super().__init__()
        self.classes("w-full gap-1").mark("tag-chips")
        self.textarea = textarea
        self.vocabulary: list[TagCount] = []
        self._dragged: int | None = None
        self._shown: list[str] | None = None
        self.chip_row = ui.row().classes("w-full gap-1 items-center min-h-[2.5rem] rounded border p-1")
        with ui.row().classes("w-full items-center gap-1 no-wrap"):
            self.input = (
                ui.input(placeholder="Add a tag…", on_change=self._typed)
                .props("dense outlined")
                .classes("grow")
                .mark("tag-input")
            )
            self.input.on("keydown.enter", self._add_typed)
            labelled(
                ui.button(icon="add", on_click=self._add_typed).props("flat dense round").mark("tag-add"),
                "Add the typed tag",
            )
        self.suggestion_row = ui.row().classes("w-full gap-1").mark("tag-suggestions")
        textarea.on_value_change(lambda _: self.render())
        self.render()

    @property
    def tags(self) -> list[str]:
        """The tags of the caption, in order."""
        return split_tags(self.textarea.value)

    def set_vocabulary(self, vocabulary: list[TagCount]) -> None:
        """The set's [{tag, count}] by frequency: the autocomplete's source."""
        self.vocabulary = vocabulary
        self._typed()

    def add_tag(self, tag: str) -> None:
        """Append a tag unless the caption has it already (any case)."""
        tag = tag.strip().strip(",").strip()
        if tag and tag.lower() not in {t.lower() for t in self.tags}:
            self._write([*self.tags, tag])
        self.input.value = ""

    def remove_tag(self, index: int) -> None:
        tags = self.tags
        if 0 <= index < len(tags):
            del tags[index]
            self._write(tags)

    def move_tag(self, source: int, target: int) -> None:
        """Move the tag at `source` to position `target`."""
        tags = self.tags
        if source == target or not (0 <= source < len(tags) and 0 <= target < len(tags)):
            return
        tags.insert(target, tags.pop(source))
        self._write(tags)

    def render(self) -> None:
        """Rebuild the chips when the tags changed (cheap: a caption has tens of tags)."""
        tags = self.tags
        if tags == self._shown:
            return
        self._shown = tags
        self.chip_row.clear()
        with self.chip_row:
            if not tags:
                ui.label("No tags yet").classes("text-xs text-gray-500 px-1")
            for index, tag in enumerate(tags):
                self._chip(index, tag)
        self._typed()

    def _chip(self, index: int, tag: str) -> None:
        chip = (
            ui.chip(tag, removable=True, color="blue-1", text_color="blue-10")
            .props("dense draggable")
            .classes("cursor-move m-0")
            .mark("tag-chip")
        )
        chip.on_value_change(lambda e, i=index: None if e.value else self.remove_tag(i))
        chip.on("dragstart", lambda _, i=index: self._drag_start(i))
        chip.on("dragover.prevent", lambda _: None)
        chip.on("drop", lambda _, i=index: self._drop(i))

    def _drag_start(self, index: int) -> None:
        self._dragged = index

    def _drop(self, index: int) -> None:
        if self._dragged is not None:
            self.move_tag(self._dragged, index)
        self._dragged = None

    def _typed(self) -> None:
        typed = self.input.value or ""
        suggestions = suggest_tags(self.vocabulary, typed, exclude=self.tags, limit=SUGGESTIONS)
        self.input.set_autocomplete(suggestions)
        self.suggestion_row.clear()
        with self.suggestion_row:
            for tag in suggestions:
                count = next((v.count for v in self.vocabulary if v.tag == tag), 0)
                ui.button(f"{tag} ({count})", on_click=lambda _, t=tag: self.add_tag(t)).props(
                    "flat dense no-caps size=sm"
                ).mark("tag-suggestion")

    def _add_typed(self) -> None:
        for tag in split_tags(self.input.value):
            self.add_tag(tag)
        self.input.value = ""

    def _write(self, tags: list[str]) -> None:
        self.textarea.value = join_tags(tags)
        self.render()
