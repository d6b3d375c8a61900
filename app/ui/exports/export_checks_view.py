"""The export checks in the summary and the confirm step before writing: counts by kind, then the files."""

from __future__ import annotations

from nicegui import ui

from app.services.exports.export_shapes import ExportCheck


def show_checks(checks: list[ExportCheck]) -> None:
    """One closed line per check: its count and its findings by kind; opened, every file it found (plain text)."""
    for check in checks:
        groups = " · ".join(f"{group.label} {group.count}" for group in check.groups)
        with (
            ui.expansion(f"⚠ {check.label}: {check.count}", caption=groups or None)
            .props("dense header-class=text-amber-800")
            .classes("w-full text-sm")
            .mark(f"export-check-{check.kind}")
        ):
            if check.fix:
                ui.label(check.fix).classes("text-xs text-slate-700 pl-4 italic").mark("export-check-fix")
            files = check.files or check.examples
            for entry in files:
                text = f"{entry.filename}: {entry.detail}" if entry.filename else entry.detail
                ui.label(text).classes("text-xs text-gray-600 pl-4 break-all")
            if check.count > len(files):
                ui.label(f"… and {check.count - len(files)} more").classes("text-xs text-gray-500 pl-4")


async def confirm_checks(checks: list[ExportCheck]) -> bool:
    """Ask before writing an export the checks found problems in; True = export anyway."""
    with ui.dialog() as dialog, ui.card().classes("w-[640px] max-w-[96vw]").mark("export-checks-confirm"):
        ui.label("Before writing: the checks found").classes("text-lg font-semibold")
        with ui.column().classes("gap-1 max-h-[50vh] overflow-auto"):
            show_checks(checks)
        with ui.row().classes("w-full justify-end"):
            ui.button("Go back and fix", on_click=lambda: dialog.submit(False)).props("flat").mark(
                "export-checks-fix"
            )
            ui.button("Export anyway", on_click=lambda: dialog.submit(True)).mark("export-checks-anyway")
    result = await dialog
    dialog.delete()
    return bool(result)
