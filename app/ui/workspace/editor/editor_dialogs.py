"""The caption editor's questions: "save before moving on?" and "someone else saved this caption meanwhile"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nicegui import ui


async def answer(dialog: ui.dialog) -> Any:
    """Await a dialog's answer, then remove it (a closed dialog would otherwise stay in the page)."""
    try:
        return await dialog
    finally:
        if not dialog.is_deleted:
            dialog.delete()


class UnsavedDialog(ui.dialog):
    """Awaited: "save", "discard" or None (stay) for an unsaved caption (settings editor.on_navigate: ask).

    `remember` is ticked when the user wants the choice kept (the caller writes the setting).
    """

    def __init__(self, filename: str) -> None:
        super().__init__()
        self.props("persistent")
        with self, ui.card().classes("w-96").mark("unsaved-dialog"):
            ui.label("Unsaved caption").classes("text-base font-semibold")
            ui.label(f"The caption of {filename} has changes that are not saved.").classes("text-sm")
            self.remember = ui.checkbox("Remember my choice (change it in Settings)").mark("unsaved-remember")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Stay", on_click=lambda: self.submit(None)).props("flat").mark("unsaved-stay")
                ui.button("Discard", on_click=lambda: self.submit("discard")).props(
                    "flat color=negative"
                ).mark("unsaved-discard")
                ui.button("Save", on_click=lambda: self.submit("save")).props("autofocus").mark(
                    "unsaved-save"
                )


@dataclass
class ConflictChoice:
    """What to do after a conflict: "save" `text` over the newer caption, or "theirs" (take the newer one)."""

    action: str
    text: str


class ConflictDialog(ui.dialog):
    """Awaited: a ConflictChoice, or None to keep editing. Shows both texts and an editable merge."""

    def __init__(self, filename: str, mine: str, theirs: str, theirs_when: str | None) -> None:
        super().__init__()
        self.props("persistent")
        with self, ui.card().classes("w-[52rem] max-w-full").mark("conflict-dialog"):
            ui.label(f"{filename}: the caption was changed elsewhere").classes("text-base font-semibold")
            ui.label(
                "Another tab or a caption job saved this caption after you opened it"
                + (f" (at {theirs_when[:19].replace('T', ' ')} UTC)." if theirs_when else ".")
                + " Choose which text to keep, or merge them below."
            ).classes("text-sm text-gray-600")
            with ui.row().classes("w-full no-wrap gap-3"):
                with ui.column().classes("w-1/2 gap-1"):
                    ui.label("Saved elsewhere").classes("text-xs uppercase text-gray-500")
                    ui.label(theirs).classes(
                        "text-sm whitespace-pre-wrap bg-slate-100 rounded p-2 w-full"
                    ).mark("conflict-theirs")
                with ui.column().classes("w-1/2 gap-1"):
                    ui.label("Yours").classes("text-xs uppercase text-gray-500")
                    ui.label(mine).classes("text-sm whitespace-pre-wrap bg-amber-50 rounded p-2 w-full").mark(
                        "conflict-mine"
                    )
            merged = (
                ui.textarea("Merged caption", value=_merge_suggestion(mine, theirs))
                .props("outlined autogrow")
                .classes("w-full")
                .mark("conflict-merged")
            )
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Keep editing", on_click=lambda: self.submit(None)).props("flat")
                ui.button("Use theirs", on_click=lambda: self.submit(ConflictChoice("theirs", theirs))).props(
                    "flat"
                ).mark("conflict-theirs-button")
                ui.button(
                    "Overwrite with mine", on_click=lambda: self.submit(ConflictChoice("save", mine))
                ).props("flat color=negative").mark("conflict-overwrite")
                ui.button(
                    "Save merged", on_click=lambda: self.submit(ConflictChoice("save", merged.value))
                ).mark("conflict-save-merged")


def _merge_suggestion(mine: str, theirs: str) -> str:
    """Start the merge from your text plus the sentences only the other version has."""
    mine_parts = [part.strip() for part in mine.replace("\n", " ").split(".") if part.strip()]
    extra = [
        part.strip()
        for part in theirs.replace("\n", " ").split(".")
        if part.strip() and part.strip() not in mine_parts
    ]
    if not extra:
        return mine
    return mine.rstrip() + (" " if mine.rstrip().endswith(".") else ". ") + ". ".join(extra) + "."
