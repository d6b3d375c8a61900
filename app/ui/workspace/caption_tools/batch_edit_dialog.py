"""BatchEditDialog: add / remove / replace / trigger phrase / strip on many captions, previewed first."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from app.ui.workspace.caption_tools.batch_preview import PreviewApplyDialog

OPERATIONS = {
    "add_start": "Add a tag or phrase at the start (after the trigger phrase)",
    "add_end": "Add a tag or phrase at the end",
    "remove_tag": "Remove a tag",
    "replace": "Replace text",
    "apply_trigger": "Apply the trigger phrase where it is missing",
    "strip": "Strip a phrase",
}


class BatchEditDialog(PreviewApplyDialog):
    """Awaited: the apply result ({batch_id, label, changed, file_ids, ...}) or None when cancelled."""

    title = "Batch edit captions"

    def build_form(self) -> None:
        self.operation = (
            ui.select(OPERATIONS, value="add_end", label="Edit", on_change=self._operation_changed)
            .props("outlined dense")
            .classes("w-full")
            .mark("batch-op")
        )
        self.text = (
            ui.input("Tag or phrase", on_change=self.invalidate)
            .props("outlined dense")
            .classes("w-full")
            .mark("batch-text")
        )
        self.replacement = (
            ui.input("Replace with", on_change=self.invalidate)
            .props("outlined dense")
            .classes("w-full")
            .mark("batch-replacement")
        )
        self._operation_changed()

    def edit(self) -> dict[str, Any]:
        op, text = self.operation.value, self.text.value or ""
        if op in ("add_start", "add_end"):
            return {"op": "add", "text": text, "position": "start" if op == "add_start" else "end"}
        if op == "remove_tag":
            return {"op": "remove_tag", "tag": text}
        if op == "replace":
            return {"op": "replace", "find": text, "replace": self.replacement.value or ""}
        if op == "apply_trigger":
            return {"op": "apply_trigger", "text": text}
        return {"op": "strip", "text": text}

    def _operation_changed(self) -> None:
        op = self.operation.value
        self.text.props(f'label="{_TEXT_LABELS[op]}"')
        self.replacement.set_visibility(op == "replace")
        self.invalidate()


_TEXT_LABELS = {
    "add_start": "Tag or phrase",
    "add_end": "Tag or phrase",
    "remove_tag": "Tag",
    "replace": "Text to find",
    "apply_trigger": "Trigger phrase (empty: the caption set's)",
    "strip": "Phrase to strip",
}
