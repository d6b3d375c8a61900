"""Export a dataset through one caption set: preset, target, options, the summary, then live progress.

Awaited, the dialog returns the started export ({export_id, ...}) or None when closed without starting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nicegui import background_tasks, run, ui

from app.container import AppServices
from app.errors import CaptionForgeError
from app.services.exports import export_history, export_presets, exports
from app.services.exports.export_options import PRESET_FIELDS
from app.services.exports.export_shapes import ExportPlan
from app.ui.a11y import labelled
from app.ui.exports.export_checks_view import confirm_checks, show_checks
from app.ui.exports.export_fields import ExportFields
from app.ui.folder_picker import FolderPicker

KEPT_ACROSS_PRESETS = ("target_resolution", "upscale")


class ExportDialog(ui.dialog):
    """Options are flat ExportOptions values; `settings` (from history) pre-fills them for "export again"."""

    def __init__(
        self,
        services: AppServices,
        dataset_id: str,
        caption_set_id: str | None = None,
        settings: dict[str, Any] | None = None,
    ):
        super().__init__()
        self.services = services
        self.dataset_id = dataset_id
        self.values: dict[str, Any] = {
            **exports.resolve_options(services.settings, {}).to_dict(),
            **(settings or {}),
        }
        self.values.pop("dataset_id", None)
        if caption_set_id:
            self.values["caption_set_id"] = caption_set_id
        self.values["overwrite"] = False
        self.export_id: str | None = None
        self.plan: ExportPlan | None = None
        self._plan_seq = 0
        with self, ui.card().classes("w-[820px] max-w-[96vw]").mark("export-dialog"):
            self._header()
            self.body = ui.column().classes("w-full gap-2 max-h-[70vh] overflow-auto")
            with self.body:
                ui.spinner()
            self.summary = ui.column().classes("w-full gap-1 p-2 rounded bg-slate-50").mark("export-summary")
            self.confirm = ui.checkbox(
                "Replace what is in the target (it is not empty)",
                value=False,
                on_change=lambda e: self.values.update(overwrite=e.value),
            )
            self.confirm.mark("export-confirm-overwrite").set_visibility(False)
            self._footer()
        services.events.export_progress.subscribe(self._on_progress)
        background_tasks.create(self._load(), name="export-dialog-load")

    def _header(self) -> None:
        """The title and the close button (closing returns the started export, if any)."""
        with ui.row().classes("w-full items-center"):
            self.title = ui.label("Export").classes("text-lg font-semibold")
            ui.space()
            labelled(
                ui.button(
                    icon="close",
                    on_click=lambda: self.submit(self.export_id and {"export_id": self.export_id}),
                ).props("flat round"),
                "Close",
            ).mark("export-close")

    def _footer(self) -> None:
        """The progress bar, the status line and the start / cancel / download buttons."""
        with ui.row().classes("w-full items-center"):
            self.progress = (
                ui.linear_progress(value=0, show_value=False).classes("grow").mark("export-progress")
            )
            self.progress.set_visibility(False)
            self.status = ui.label("").classes("text-sm").mark("export-status")
            ui.space()
            self.download = ui.button("Download ZIP", icon="download", on_click=self._download).mark(
                "export-download"
            )
            self.download.set_visibility(False)
            self.cancel_button = ui.button("Cancel export", on_click=self._cancel).props("flat no-caps")
            self.cancel_button.mark("export-cancel").set_visibility(False)
            self.start_button = ui.button("Start export", icon="ios_share", on_click=self._start).mark(
                "export-start"
            )

    async def _load(self) -> None:
        sources = await run.io_bound(export_history.list_sources, self.services.db)
        presets = await run.io_bound(export_presets.list_presets, self.services.settings.data_dir)
        dataset = next((d for d in sources if d.id == self.dataset_id), None)
        if dataset is None:
            self.body.clear()
            with self.body:
                ui.label("This dataset no longer exists.").mark("export-plan-error")
            return
        sets = {s.id: s.name for s in dataset.caption_sets}
        if self.values["caption_set_id"] not in sets:
            self.values["caption_set_id"] = dataset.default_caption_set_id or next(iter(sets), None)
        self.presets = {p.name: p for p in presets}
        self.title.set_text(f"Export {dataset.name}")
        self.slug = dataset.slug or "dataset"
        self.body.clear()
        with self.body:
            self._source_row(sets)
            self._target_row()
            self.fields = ExportFields(self.values, self._changed)
        await self._refresh_plan()

    def _source_row(self, sets: dict[str, str]) -> None:
        """The caption set, the preset (with its description below) and "Save as preset"."""
        with ui.row().classes("w-full items-center gap-3"):
            ui.select(
                sets,
                label="Caption set",
                value=self.values["caption_set_id"],
                on_change=lambda e: self._set("caption_set_id", e.value),
            ).classes("w-56").mark("export-caption-set")
            self.preset_select = ui.select(
                {n: p.label for n, p in self.presets.items()},
                label="Preset",
                value=self.values["preset"] if self.values["preset"] in self.presets else None,
                on_change=lambda e: self._apply_preset(e.value),
            )
            self.preset_select.classes("w-64").mark("export-preset")
            ui.button("Save as preset", icon="save", on_click=self._save_preset).props("flat no-caps").mark(
                "export-save-preset"
            )
        chosen = self.presets.get(self.values["preset"])
        self.preset_note = ui.label(chosen.description if chosen else "")
        self.preset_note.classes("text-xs text-gray-600").mark("export-preset-description")

    def _target_row(self) -> None:
        """Folder or ZIP, and the target path with its folder picker."""
        with ui.row().classes("w-full items-center gap-3"):
            ui.toggle(
                {"folder": "Folder", "zip": "ZIP"},
                value=self.values["export_type"],
                on_change=lambda e: self._set("export_type", e.value),
            ).mark("export-type")
            self.path = ui.input(
                "Target (empty = the exports folder)",
                value=self.values["export_path"],
                on_change=lambda e: self._set("export_path", e.value),
            )
            self.path.classes("grow").mark("export-path")
            labelled(
                ui.button(icon="folder_open", on_click=self._browse).props("flat round"),
                "Choose the folder to export into",
            ).mark("export-browse")

    def _set(self, key: str, value: Any) -> None:
        self.values[key] = value
        self._changed()

    def _changed(self) -> None:
        background_tasks.create(self._refresh_plan(), name="export-plan")

    def _apply_preset(self, name: str | None) -> None:
        if name is None or name not in self.presets:
            return
        # The size the user typed stays unless the chosen preset sets its own.
        own = export_presets.own_fields(self.services.settings.data_dir, name)
        typed = {k: self.values[k] for k in KEPT_ACROSS_PRESETS if k in self.values and k not in own}
        self.values.update({k: v for k, v in self.presets[name].options.items() if k in PRESET_FIELDS})
        self.values.update(typed)
        self.values["preset"] = name
        self.preset_note.set_text(self.presets[name].description)
        self.fields.delete()
        with self.body:
            self.fields = ExportFields(self.values, self._changed)
        self._changed()

    async def _refresh_plan(self) -> None:
        self._plan_seq += 1
        seq = self._plan_seq
        try:
            plan = await run.io_bound(
                exports.plan_export,
                self.services.db,
                self.services.settings,
                self.dataset_id,
                dict(self.values),
            )
            error = None
        except CaptionForgeError as exc:
            plan, error = None, str(exc)
        if seq != self._plan_seq or self.export_id:
            return  # a newer edit (or the start) superseded this summary
        self.plan = plan
        self._show_summary(plan, error)

    def _show_summary(self, plan: ExportPlan | None, error: str | None) -> None:
        self.summary.clear()
        with self.summary:
            if error or plan is None:
                ui.label(error).classes("text-red-700 text-sm").mark("export-plan-error")
                self.start_button.disable()
                self.confirm.set_visibility(False)
                return
            ui.label(f"{plan.file_count} images, about {plan.estimated_size_mb:.1f} MB").classes(
                "font-medium"
            ).mark("export-summary-count")
            ui.label(f"Into {plan.target.path}").classes("text-xs text-gray-600 break-all").mark(
                "export-summary-target"
            )
            if plan.layout.image_dir:
                ui.label(f"Images in {plan.layout.image_dir}/").classes("text-xs text-gray-600").mark(
                    "export-summary-layout"
                )
            for reason, count in plan.skipped_reasons.items():
                ui.label(f"Skipped {count}: {reason}").classes("text-xs text-amber-800").mark(
                    "export-summary-skipped"
                )
            show_checks(plan.found())
        self.confirm.set_visibility(plan.target.needs_confirmation)
        self.start_button.set_enabled(plan.file_count > 0)

    async def _start(self) -> None:
        if self.plan and self.plan.target.needs_confirmation and not self.values["overwrite"]:
            ui.notify(
                "The target is not empty: tick 'Replace' to confirm, or choose another target.",
                type="warning",
            )
            return
        checks = self.plan.found() if self.plan else []
        if checks and not await confirm_checks(checks):
            return  # the user goes back to fix
        try:
            started = await run.io_bound(self.services.exports.start, self.dataset_id, dict(self.values))
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        self.export_id = started.export_id
        self.start_button.disable()
        self.confirm.disable()
        self.progress.set_visibility(True)
        self.status.set_text(f"Exporting {started.estimated_files} images…")
        self.cancel_button.set_visibility(True)
        latest = self.services.exports.progress.get(self.export_id)
        if latest:  # a small export may have moved on (or finished) before export_id was known here
            self._on_progress(latest)

    def _on_progress(self, payload: dict[str, Any]) -> None:
        if payload.get("export_id") != self.export_id:
            return
        status = payload.get("status")
        if status == "processing" and payload.get("total"):
            self.progress.set_value(payload["done"] / payload["total"])
            self.status.set_text(
                f"{payload['done']} / {payload['total']}"
                + (f", {payload['failed']} failed" if payload.get("failed") else "")
            )
        elif status == "completed":
            self.cancel_button.set_visibility(False)
            self.progress.set_value(1)
            self.status.set_text(f"Done: {payload['file_count']} images, {payload['total_size_mb']:.1f} MB")
            self.download.set_visibility(self.values["export_type"] == "zip")
        elif status in ("failed", "cancelled"):
            self.cancel_button.set_visibility(False)
            self.status.set_text(payload.get("error") or status)
            self.status.classes("text-red-700")

    def _cancel(self) -> None:
        if self.export_id and self.services.exports.cancel(self.export_id):
            self.status.set_text("Cancelling…")

    def _download(self) -> None:
        ui.download.from_url(f"/api/export/jobs/{self.export_id}/download")

    async def _browse(self) -> None:
        """A folder export goes into a new folder named after the dataset inside the chosen one; a ZIP too."""
        current_path = (self.values["export_path"] or "").strip()
        chosen = await FolderPicker(
            self.services.settings,
            title="Export into…",
            start=str(Path(current_path).parent) if current_path else None,
        )
        if chosen:
            name = self.slug if self.values["export_type"] == "folder" else f"{self.slug}.zip"
            self.path.set_value(str(Path(chosen) / name))

    async def _save_preset(self) -> None:
        with ui.dialog() as ask, ui.card():
            name = ui.input("Preset name").mark("export-preset-name")
            with ui.row():
                ui.button("Cancel", on_click=lambda: ask.submit(None)).props("flat")
                ui.button("Save", on_click=lambda: ask.submit(name.value)).mark("export-preset-save")
        chosen = await ask
        if not chosen:
            return
        try:
            saved = await run.io_bound(
                export_presets.save_preset, self.services.settings.data_dir, chosen, dict(self.values)
            )
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative")
            return
        self.presets[saved.name] = saved
        self.preset_select.set_options({n: p.label for n, p in self.presets.items()}, value=saved.name)
        ui.notify(f"Saved the preset {chosen}", type="positive")
