"""FindReplaceDialog: plain or regex find & replace with case options and a scope, previewed first."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.ui.workspace.caption_tools.batch_preview import PreviewApplyDialog


class FindReplaceDialog(PreviewApplyDialog):
    """Awaited: the apply result or None. Regex replacements may use \\1 or \\g<name>."""

    title = "Find and replace"

    def build_form(self) -> None:
        self.find = (
            ui.input("Find", on_change=self.invalidate)
            .props("outlined dense autofocus")
            .classes("w-full")
            .mark("find-text")
        )
        self.replacement = (
            ui.input("Replace with", on_change=self.invalidate)
            .props("outlined dense")
            .classes("w-full")
            .mark("replace-text")
        )
        with ui.row().classes("gap-4"):
            self.regex = ui.checkbox("Regular expression", on_change=self.invalidate).mark("find-regex")
            self.case_sensitive = ui.checkbox("Match case", on_change=self.invalidate).mark("find-case")
            self.whole_word = ui.checkbox("Whole words", on_change=self.invalidate).mark("find-whole-word")

    def edit(self) -> dict[str, Any]:
        return {
            "op": "replace",
            "find": self.find.value or "",
            "replace": self.replacement.value or "",
            "regex": bool(self.regex.value),
            "case_sensitive": bool(self.case_sensitive.value),
            "whole_word": bool(self.whole_word.value),
        }
