"""CaptionEditor: the right column of the workspace, a keyboard-first editor for one image's caption.

No edit is lost by accident: unsaved text shows as unsaved (amber field and label), and `leave()` asks
(Save / Discard / Stay, with "remember my choice"), saves or discards, per settings editor.on_navigate
(editable on the Settings page), before the page shows another image, set or dataset, and a save passes the modified_date it started from, so a caption saved in
another tab meanwhile opens the conflict dialog instead of being overwritten.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import run, ui

from app.container import AppServices
from app.errors import CaptionForgeError, Conflict
from app.services.captions import caption_file_changes, captions
from app.services.system import update_config
from app.ui.a11y import labelled
from app.ui.workspace.crop.crop_dialog import crop_button
from app.ui.workspace.editor.editor_details import file_facts
from app.ui.workspace.editor.editor_dialogs import ConflictDialog, UnsavedDialog, answer
from app.ui.workspace.editor.editor_file_change import FileChangeNote
from app.ui.workspace.editor.editor_history import EditorHistory
from app.ui.workspace.editor.editor_keys import bind_editor_keys
from app.ui.workspace.editor.editor_preview import EditorPreview
from app.ui.workspace.editor.editor_tag_tools import EditorTagTools
from app.ui.workspace.editor.generate_panel import GenerateDialog
from app.ui.workspace.video.video_preview import VideoPreview

Move = Callable[[int], Awaitable[None]]
log = logging.getLogger("app.ui.workspace")
_ASK_BEFORE_UNLOAD = "addEventListener('beforeunload', (e) => { if (window.cfCaptionDirty) { e.preventDefault(); e.returnValue = ''; } });"


class CaptionEditor(ui.column):
    """Shows one file of a caption set; `on_move(step)` asks the page for the previous/next image."""

    def __init__(
        self,
        services: AppServices,
        *,
        on_move: Move,
        on_saved: Callable[[dict[str, Any]], None] | None = None,
        on_escape: Callable[[], None],
        on_navigate: str | None = None,
    ) -> None:
        super().__init__()
        self.classes("w-full gap-2 cf-caption-editor")
        self.services = services
        self.caption_set_id: str | None = None
        self.file_id: str | None = None
        self.info: dict[str, Any] | None = None
        self.base_text = ""  # the stored text the draft started from
        self.expected_modified: str | None = None
        self._on_move, self._on_saved, self._on_escape = on_move, on_saved, on_escape
        self._fixed_navigate = on_navigate  # None: follow the setting as it is now
        self._warned_dirty = False
        self._build()
        ui.add_body_html(f"<script>{_ASK_BEFORE_UNLOAD}</script>")

    @property
    def _on_navigate(self) -> str:
        """What leaving an unsaved caption does: "ask", "save" or "discard" (read live from the settings)."""
        return self._fixed_navigate or self.services.settings["editor"]["on_navigate"]

    @property
    def dirty(self) -> bool:
        """The textarea holds text that is not saved."""
        return self.file_id is not None and (self.text.value or "").strip() != self.base_text.strip()

    async def open(self, caption_set_id: str, file_id: str) -> None:
        """Show a file's caption (call `leave()` first so the current draft is kept)."""
        info = await run.io_bound(captions.get_caption, self.services.db, caption_set_id, file_id)
        change = await run.io_bound(
            caption_file_changes.caption_file_change, self.services.db, caption_set_id, file_id
        )
        self.file_change.show(change)
        self.caption_set_id, self.file_id, self.info = caption_set_id, file_id, info
        caption = info["caption"]
        self.base_text = caption["caption_text"] if caption else ""
        self.expected_modified = caption["modified_date"] if caption else None
        self.text.value = self.base_text
        self._show_file(info)
        if info["file"].get("video_url"):
            await self.video_preview.show(info["file"], caption_set_id)
        await self.tag_tools.show_set(caption_set_id, info["caption_set"].get("style"))
        await self.history.show(caption["id"] if caption else None)

    async def refresh_file_change(
        self, caption_set_id: str | None = None, file_id: str | None = None
    ) -> None:
        """Show or hide the "changed on disk" note (after opening a file, or when a rescan finished)."""
        caption_set_id, file_id = caption_set_id or self.caption_set_id, file_id or self.file_id
        if not caption_set_id or not file_id:
            return
        try:
            change = await run.io_bound(
                caption_file_changes.caption_file_change, self.services.db, caption_set_id, file_id
            )
        except CaptionForgeError:
            change = None  # the set went away: the page handles that
        self.file_change.show(change)

    async def scan_progress(self, payload: dict[str, Any]) -> None:
        """A finished scan may have read a changed .txt beside the open image."""
        if payload.get("phase") == "done":
            await self.refresh_file_change()

    def close(self) -> None:
        """Show nothing (the dataset or set went away)."""
        self.caption_set_id = self.file_id = self.info = None
        self.base_text, self.expected_modified = "", None
        self.text.value = ""
        self.body.set_visibility(False)
        self.empty.set_visibility(True)

    async def leave(self) -> bool:
        """Before showing something else: save or ask about the draft. False means stay on this image."""
        if not self.dirty:
            return True
        choice = self._on_navigate
        if choice == "ask":
            with self:
                dialog = UnsavedDialog(self.info["file"]["filename"] if self.info else "this image")
            choice = await answer(dialog)
            if choice is None:
                return False
            if dialog.remember.value:
                await self._remember(choice)
        if choice == "discard":
            self.text.value = self.base_text
            return True
        return await self.save()

    async def _remember(self, choice: str) -> None:
        """Keep the dialog's answer as the editor.on_navigate setting (it then stops asking)."""
        try:
            await run.io_bound(update_config, self.services.settings, {"editor": {"on_navigate": choice}})
        except CaptionForgeError as exc:
            ui.notify(f"Could not keep the choice: {exc}", type="negative", multi_line=True)
            return
        self._fixed_navigate = None
        ui.notify(
            f"Leaving an unsaved caption now {'saves' if choice == 'save' else 'discards'} it "
            "(change it in Settings)",
            timeout=2500,
        )

    async def save(self, *, interactive: bool = True) -> bool:
        """Save the draft; True when it is stored (or nothing changed). Conflicts open the merge dialog."""
        if not self.dirty:
            return True
        text = self.text.value or ""
        started = time.perf_counter()
        try:
            saved = await self._store(text, self.expected_modified)
        except Conflict:
            if not interactive:
                raise
            return await self._resolve_conflict(text)
        except CaptionForgeError as exc:
            if interactive:
                ui.notify(str(exc), type="negative", multi_line=True)
            return False
        if (self.text.value or "") == text:  # show what was stored (the set may have added its trigger)
            self.text.value = saved["caption_text"]
        self._accept(saved)
        log.debug(
            "workspace: saved the caption of %s in %.1f ms",
            self.file_id,
            (time.perf_counter() - started) * 1000,
        )
        if interactive:
            ui.notify("Caption saved", type="positive", timeout=800)
        return True

    async def external_change(self, payload: dict[str, Any]) -> None:
        """Another tab or a job changed a caption: reload it when it is the one shown and not being edited."""
        if payload.get("file_id") != self.file_id or payload.get("caption_set_id") != self.caption_set_id:
            return
        if payload.get("modified_date") == self.expected_modified or self.dirty:
            return  # our own save, or the conflict check will catch it when the draft is saved
        await self.open(self.caption_set_id, self.file_id)

    def focus_text(self) -> None:
        self.text.run_method("focus")

    # ---- building and showing ----
    def _build(self) -> None:
        with self:
            self.empty = ui.label("Click an image to edit its caption.").classes("text-sm text-gray-500")
            self.empty.mark("editor-empty")
            with ui.column().classes("w-full gap-2") as self.body:
                self.preview = EditorPreview().mark("editor-preview")
                self.video_preview = VideoPreview(self.services.core)
                self.facts = ui.column().classes("w-full gap-0")
                self.file_change = FileChangeNote(on_take=self._take_file_text)
                self._build_trigger_row()
                self.text = (
                    ui.textarea(placeholder="Describe the image…", on_change=self._text_changed)
                    .props("outlined autogrow input-class=min-h-[7rem]")
                    .classes("w-full")
                    .mark("caption-input")
                )
                self._build_status_row()
                self._build_buttons()
                self.tag_tools = EditorTagTools(
                    self.services.db, self.text
                )  # CLIP token count, Text / Tags (chips) view
                self._build_imported_box()
                self.history = EditorHistory(self.services.db, on_restore=self._restored)
            self.body.set_visibility(False)
            bind_editor_keys(
                [self.text, self.tag_tools.chips.input],
                save=self.save,
                save_and_next=self._save_and_next,
                move=self._on_move,
                escape=self._on_escape,
            )

    def _build_trigger_row(self) -> None:
        """The trigger phrase hint with its Insert button."""
        with ui.row().classes("w-full items-center gap-1 no-wrap") as self.trigger_row:
            self.trigger_label = ui.label().classes("text-xs text-gray-600 grow").mark("editor-trigger")
            ui.button("Insert", icon="add", on_click=self._insert_trigger).props(
                "flat dense size=sm no-caps"
            ).mark("insert-trigger")

    def _build_status_row(self) -> None:
        """The character counter and the unsaved-changes mark."""
        with ui.row().classes("w-full items-center gap-2 no-wrap"):
            self.counter = ui.label().classes("text-xs text-gray-500").mark("caption-counter")
            ui.space()
            self.unsaved = (
                ui.label("● Unsaved changes")
                .classes("text-xs font-semibold text-amber-700")
                .mark("caption-unsaved")
            )

    def _build_buttons(self) -> None:
        """Save, previous/next, crop and Generate."""
        with ui.row().classes("w-full gap-1 items-center"):
            ui.button("Save", icon="save", on_click=self.save).props("no-caps").mark("editor-save")
            labelled(
                ui.button(icon="chevron_left", on_click=lambda: self._on_move(-1))
                .props("flat dense")
                .mark("editor-prev"),
                "Previous image (Alt+← or PageUp)",
            )
            labelled(
                ui.button(icon="chevron_right", on_click=lambda: self._on_move(1))
                .props("flat dense")
                .mark("editor-next"),
                "Next image (Alt+→ or PageDown); Ctrl+Enter saves and moves on",
            )
            crop_button(self.services.db, lambda: self.info)
            ui.button("Generate", icon="auto_awesome", on_click=self._generate).props("flat no-caps").mark(
                "editor-generate"
            )

    def _build_imported_box(self) -> None:
        """The read-only imported caption with its copy button."""
        with ui.column().classes("w-full gap-1") as self.imported_box:
            ui.label("Imported caption (read-only)").classes("text-xs uppercase text-gray-500")
            self.imported_text = (
                ui.label()
                .classes("text-xs whitespace-pre-wrap bg-slate-100 rounded p-2 w-full")
                .mark("imported-caption")
            )
            ui.button("Copy into caption", icon="content_copy", on_click=self._copy_imported).props(
                "flat dense size=sm no-caps"
            ).mark("copy-imported")

    def _show_file(self, info: dict[str, Any]) -> None:
        file = info["file"]
        if not file.get("video_url"):
            self.preview.show(file["image_url"], file["thumbnail_url"])
        self.preview.set_visibility(not file.get("video_url"))
        self.video_preview.set_visibility(bool(file.get("video_url")))
        self.facts.clear()
        with self.facts:
            file_facts(info)
        trigger = info["caption_set"].get("trigger_phrase")
        self.trigger_row.set_visibility(bool(trigger))
        self.trigger_label.text = f"Trigger phrase: {trigger}" if trigger else ""
        imported = info.get("imported_caption")
        self.imported_box.set_visibility(bool(imported))
        self.imported_text.text = imported or ""
        self._text_changed()
        self.empty.set_visibility(False)
        self.body.set_visibility(True)

    def _text_changed(self) -> None:
        length = len((self.text.value or "").strip())
        limit = (self.info or {}).get("caption_set", {}).get("max_length")
        self.counter.text = f"{length} / {limit}" if limit else f"{length} characters"
        self.counter.classes(
            replace="text-xs "
            + ("text-red-600 font-semibold" if limit and length > limit else "text-gray-500")
        )
        dirty = self.dirty
        self.unsaved.set_visibility(dirty)
        if dirty:  # the field itself shows the unsaved state, not only the small label
            self.text.props("bg-color=amber-1 color=amber-9").classes(add="cf-unsaved")
        else:
            self.text.props(remove="bg-color color").classes(remove="cf-unsaved")
        if dirty != self._warned_dirty:
            # The browser asks before the tab closes over an unsaved caption.
            self._warned_dirty = dirty
            ui.run_javascript(f"window.cfCaptionDirty = {'true' if dirty else 'false'}")

    # ---- actions ----
    async def _store(self, text: str, expected: str | None, **extra: Any) -> dict[str, Any]:
        return await run.io_bound(
            lambda: captions.save_caption(
                self.services.db, self.caption_set_id, self.file_id, text, expected_modified=expected, **extra
            )
        )

    def _accept(self, saved: dict[str, Any]) -> None:
        self.base_text = saved["caption_text"]
        self.expected_modified = saved["modified_date"]
        if self.info is not None:
            self.info["caption"] = saved
        self._text_changed()
        if self._on_saved is not None:  # other tabs and this page's tiles hear of it through caption_changed
            self._on_saved(saved)

    async def _resolve_conflict(self, mine: str) -> bool:
        info = await run.io_bound(captions.get_caption, self.services.db, self.caption_set_id, self.file_id)
        theirs = info["caption"]
        with self:
            dialog = ConflictDialog(
                info["file"]["filename"],
                mine,
                theirs["caption_text"] if theirs else "",
                theirs and theirs["modified_date"],
            )
        choice = await answer(dialog)
        if choice is None:
            return False
        if choice.action == "theirs" or theirs is None and not choice.text.strip():
            await self.open(self.caption_set_id, self.file_id)
            return True
        try:
            saved = await self._store(choice.text, theirs["modified_date"] if theirs else None)
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return False
        self.text.value = saved["caption_text"]
        self._accept(saved)
        ui.notify("Caption saved", type="positive", timeout=800)
        return True

    async def _save_and_next(self) -> None:
        if await self.save():
            await self._on_move(1)

    async def _restored(self, caption: dict[str, Any]) -> None:
        self.text.value = caption["caption_text"]
        self._accept(caption)
        ui.notify("Earlier text restored", type="positive", timeout=800)

    def _insert_trigger(self) -> None:
        trigger = ((self.info or {}).get("caption_set") or {}).get("trigger_phrase")
        text = self.text.value or ""
        if trigger and not text.lstrip().startswith(trigger):
            self.text.value = f"{trigger}, {text.lstrip()}" if text.strip() else f"{trigger}, "
        self.focus_text()

    async def _take_file_text(self) -> None:
        if self.dirty:
            ui.notify(
                "Save or discard your unsaved text first; taking the file's text replaces it", type="warning"
            )
            return
        try:
            saved = await run.io_bound(
                caption_file_changes.take_file_text, self.services.db, self.caption_set_id, self.file_id
            )
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        self.text.value = saved.caption_text
        self._accept(saved.model_dump())
        self.file_change.show(None)
        await self.history.show(saved.id)
        ui.notify("The file's text is the caption now (undo it in History)", type="positive", timeout=1500)

    def _copy_imported(self) -> None:
        if self.info and self.info.get("imported_caption"):
            self.text.value = self.info["imported_caption"]
            self.focus_text()

    async def _generate(self) -> None:
        if not self.info:
            return
        with self:
            result = await answer(GenerateDialog(self.services, self.file_id, self.caption_set_id))
        if result is None:
            return
        try:
            saved = await self._store(
                result.caption,
                self.expected_modified,
                source="generated",
                quality_score=result.quality_score,
                quality_details=result.quality_details,
                vision_model=result.model,
            )
        except Conflict:
            self.text.value = result.caption
            await self._resolve_conflict(result.caption)
            return
        self.text.value = saved["caption_text"]
        self._accept(saved)
