"""TagPanel: every tag of the current caption set with its count.

Click a tag to filter the grid to images that have it (`tag:x`), Alt+click for those that lack it
(`-tag:x`); the menu beside a tag renames or deletes it in the whole set, after a preview.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import run, ui
from nicegui.events import GenericEventArguments

from app.db import Database
from app.services.captions.caption_shapes import TagCount
from app.services.captions.tags import tag_vocabulary
from app.services.grid.query_syntax import Field, Not, format_query
from app.ui.a11y import labelled
from app.ui.workspace.caption_tools.batch_preview import GridScope, PreviewApplyDialog

SHOWN = 300  # tags listed at once; the filter box finds the rest

QueryHandler = Callable[[str], Awaitable[None] | None]
ChangedHandler = Callable[[list[str]], Awaitable[None] | None]


def tag_query(tag: str, *, lacking: bool = False) -> str:
    """The filter-language query for images that have (or lack) a tag, quoted when needed."""
    node = Field("tag", tag)
    return format_query(Not(node) if lacking else node).replace("NOT ", "-", 1)


class TagPanel(ui.column):
    """Tag frequencies of a caption set; `on_query(text)` sets the grid's search, `on_changed(ids)` after edits."""

    def __init__(self, db: Database, *, on_query: QueryHandler, on_changed: ChangedHandler) -> None:
        super().__init__()
        self.db = db
        self.classes("w-full gap-1").mark("tag-panel")
        self.caption_set_id: str | None = None
        self.vocabulary: list[TagCount] = []
        self._on_query, self._on_changed = on_query, on_changed
        self.filter = (
            ui.input(placeholder="Find a tag", on_change=self._render)
            .props("dense outlined clearable")
            .classes("w-full")
            .mark("tag-panel-filter")
        )
        ui.label("Click: images with the tag · Alt+click: images without it").classes("text-xs text-gray-500")
        self.items = ui.column().classes("w-full gap-0")
        self.actions = ui.dialog().mark("tag-actions")

    async def show_set(self, caption_set_id: str | None) -> None:
        """Load the tags of a caption set (None shows nothing)."""
        self.caption_set_id = caption_set_id
        found = await run.io_bound(tag_vocabulary, self.db, caption_set_id) if caption_set_id else []
        self.vocabulary = found or []  # None while the app shuts down
        self._render()

    async def refresh(self) -> None:
        await self.show_set(self.caption_set_id)

    def _render(self) -> None:
        needle = (self.filter.value or "").strip().lower()
        tags = [item for item in self.vocabulary if needle in item.tag.lower()][:SHOWN]
        self.items.clear()
        with self.items:
            if not tags:
                ui.label("No tags" if not self.vocabulary else "No tag matches").classes(
                    "text-sm text-gray-500"
                )
            for item in tags:
                self._item(item)

    def _item(self, item: TagCount) -> None:
        # Four elements a tag (300 tags render in a blink); the actions live in one shared dialog.
        tag = item.tag
        with ui.row().classes(
            "w-full items-center gap-1 no-wrap hover:bg-slate-100 rounded px-1 cursor-pointer"
        ):
            name = ui.label(tag).classes("text-sm truncate grow").mark("tag-panel-item")
            count = ui.label(str(item.count)).classes("text-xs text-gray-500").mark("tag-panel-count")
            for label in (name, count):
                label.on("click", lambda e, t=tag: self._clicked(t, e), ["altKey"])
            labelled(
                ui.button(icon="more_vert", on_click=lambda t=tag: self._actions(t))
                .props("flat dense round size=xs")
                .mark("tag-panel-menu"),
                f"Rename or delete the tag {tag}",
            )

    def _actions(self, tag: str) -> None:
        """The shared Rename / Delete choice for one tag."""
        self.actions.clear()
        with self.actions, ui.card().classes("gap-2"):
            ui.label(f'Tag "{tag}"').classes("font-semibold").mark("tag-actions-title")
            ui.button("Rename…", icon="edit", on_click=lambda: self._edit(tag, delete=False)).props(
                "flat align=left"
            ).mark("tag-rename")
            ui.button(
                "Delete from every caption…", icon="delete", on_click=lambda: self._edit(tag, delete=True)
            ).props("flat align=left color=negative").mark("tag-delete")
        self.actions.open()

    async def _clicked(self, tag: str, event: GenericEventArguments) -> None:
        lacking = bool((event.args or {}).get("altKey")) if isinstance(event.args, dict) else False
        result = self._on_query(tag_query(tag, lacking=lacking))
        if result is not None:
            await result

    async def _edit(self, tag: str, *, delete: bool) -> None:
        self.actions.close()
        if self.caption_set_id is None:
            return
        result = await TagEditDialog(self.db, GridScope(self.caption_set_id), tag, delete=delete)
        if result and result.changed:
            await self.refresh()
            changed = self._on_changed(result.file_ids)
            if changed is not None:
                await changed


class TagEditDialog(PreviewApplyDialog):
    """Rename a tag (or delete it) in every caption of the set, after a preview."""

    fixed_scope = "set"

    def __init__(self, db: Database, scope: GridScope, tag: str, *, delete: bool) -> None:
        self.tag_name, self.deleting = tag, delete
        self.title = f'Delete tag "{tag}"' if delete else f'Rename tag "{tag}"'
        super().__init__(db, scope)

    def build_form(self) -> None:
        self.new_name = (
            ui.input("New name", value=self.tag_name, on_change=self.invalidate)
            .props("outlined dense autofocus")
            .classes("w-full")
            .mark("tag-new-name")
        )
        self.new_name.set_visibility(not self.deleting)

    def edit(self) -> dict[str, Any]:
        return {
            "op": "rename_tag",
            "tag": self.tag_name,
            "new": "" if self.deleting else (self.new_name.value or ""),
        }
