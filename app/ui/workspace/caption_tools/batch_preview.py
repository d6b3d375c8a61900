"""What the batch-edit, find & replace and tag dialogs share: the scope, the preview, then apply.

Nothing is applied before a preview of exactly the current inputs was shown: any change to the form
disables Apply until Preview runs again. The dialog is awaited for the apply result (or None).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nicegui import run, ui

from app.db import Database
from app.errors import CaptionForgeError
from app.services.captions import batch_edits
from app.services.captions.caption_shapes import BatchPreview
from app.services.grid.query import QueryError

SCOPES = {"selection": "Selected images", "filter": "Images shown (the filter)", "set": "Whole caption set"}


@dataclass
class GridScope:
    """What the grid holds when a dialog opens: its caption set, selection and current view."""

    caption_set_id: str
    selected_ids: list[str] = field(default_factory=list)
    shown_ids: list[str] = field(default_factory=list)
    query: str = ""

    def targets(self, scope: str) -> list[str] | None:
        """The file ids a scope means (None: every caption of the set)."""
        if scope == "selection":
            return list(self.selected_ids)
        if scope == "filter":
            return list(self.shown_ids)
        return None


class PreviewApplyDialog(ui.dialog):
    """Base of the edit dialogs: subclasses build their form in `build_form()` and return it in `edit()`."""

    title = "Batch edit"
    fixed_scope: str | None = None  # tag rename/delete always work on the whole set

    def __init__(self, db: Database, scope: GridScope) -> None:
        super().__init__()
        self.db, self.grid_scope = db, scope
        self._previewed: tuple | None = None
        self.apply_button: ui.button | None = None
        with self, ui.card().classes("w-[46rem] max-w-full gap-2"):
            ui.label(self.title).classes("text-lg font-semibold")
            self.build_form()
            default = "selection" if scope.selected_ids else "filter"
            self.scope = (
                ui.radio(
                    {
                        key: f"{label} ({self._scope_size(key)})" if key != "set" else label
                        for key, label in SCOPES.items()
                    },
                    value=self.fixed_scope or default,
                    on_change=self.invalidate,
                )
                .props("inline dense")
                .mark("edit-scope")
            )
            self.scope.set_visibility(self.fixed_scope is None)
            self.summary = ui.label().classes("text-sm font-medium").mark("preview-summary")
            self.samples = (
                ui.column().classes("w-full gap-1 max-h-[40vh] overflow-auto").mark("preview-samples")
            )
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=lambda: self.submit(None)).props("flat no-caps").mark(
                    "edit-cancel"
                )
                ui.button("Preview", icon="visibility", on_click=self.preview).props("no-caps outline").mark(
                    "edit-preview"
                )
                self.apply_button = (
                    ui.button("Apply", icon="done", on_click=self.apply).props("no-caps").mark("edit-apply")
                )
        self.apply_button.disable()

    def build_form(self) -> None:
        raise NotImplementedError

    def edit(self) -> dict[str, Any]:
        raise NotImplementedError

    def invalidate(self) -> None:
        """The form changed: the shown preview no longer describes it."""
        self._previewed = None
        if self.apply_button is not None:
            self.apply_button.disable()

    async def preview(self) -> None:
        key = self._key()
        try:
            result = await run.io_bound(
                batch_edits.preview_batch,
                self.db,
                self.grid_scope.caption_set_id,
                self.edit(),
                **self._targets(),
            )
        except (CaptionForgeError, QueryError) as exc:
            self.summary.text = str(exc)
            self.summary.classes(replace="text-sm font-medium text-red-700")
            return
        self._show(result)
        self._previewed = key if result.total else None
        self.apply_button.set_enabled(bool(result.total))

    async def apply(self) -> None:
        if self._previewed is None or self._previewed != self._key():
            self.invalidate()
            return
        self.apply_button.props("loading")  # thousands of captions take seconds: show that it works
        self.props("persistent")
        try:
            result = await run.io_bound(
                batch_edits.apply_batch,
                self.db,
                self.grid_scope.caption_set_id,
                self.edit(),
                **self._targets(),
            )
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        finally:
            self.apply_button.props(remove="loading")
            self.props(remove="persistent")
        ui.notify(
            f"{result.label}: {result.changed} captions changed (undo in Recent changes)",
            type="positive",
        )
        self.submit(result)

    def _targets(self) -> dict[str, Any]:
        scope = self.fixed_scope or self.scope.value
        return {"file_ids": self.grid_scope.targets(scope)}

    def _key(self) -> tuple:
        return (repr(sorted(self.edit().items())), self.fixed_scope or self.scope.value)

    def _scope_size(self, key: str) -> int:
        return len(self.grid_scope.targets(key) or [])

    def _show(self, result: BatchPreview) -> None:
        total, shown = result.total, len(result.samples)
        text = f"{total} of {result.scanned} captions would change"
        if total > shown:
            text += f" (first {shown} shown)"
        if result.skipped:
            text += f"; {len(result.skipped)} skipped: {result.skipped[0].reason}"
        self.summary.text = text
        self.summary.classes(replace="text-sm font-medium")
        self.samples.clear()
        with self.samples:
            for sample in result.samples:
                with ui.column().classes("w-full gap-0 border-b border-gray-200 pb-1").mark("preview-sample"):
                    ui.label(sample.filename).classes("text-xs text-gray-500")
                    ui.label(sample.before).classes("text-xs line-through text-red-800 break-words")
                    ui.label(sample.after).classes("text-xs text-green-800 break-words").mark("preview-after")
