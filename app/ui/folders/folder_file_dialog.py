"""One tracked file's details: preview, size, dimensions, format, hash, imported caption (read-only), error,
measured quality with its plain-words reasons, and the files with the same bytes."""

from __future__ import annotations

from typing import Any

from nicegui import background_tasks, run, ui

from app.db import Database
from app.errors import NotFound
from app.services.folders import folders
from app.ui.a11y import labelled

METRICS = ("sharpness", "exposure", "contrast", "resolution", "jpeg_quality")


class FileDetailsDialog(ui.dialog):
    """Opens at once with a spinner and fills itself from the database."""

    def __init__(self, db: Database, file_id: str) -> None:
        super().__init__()
        self.db, self.file_id = db, file_id
        with self, ui.card().classes("w-[880px] max-w-[96vw] gap-2").mark("file-details"):
            with ui.row().classes("w-full items-center"):
                self.title = ui.label("").classes("text-lg font-semibold break-all")
                ui.space()
                labelled(
                    ui.button(icon="close", on_click=self.close).props("flat round dense"), "Close"
                ).mark("file-details-close")
            self.body = ui.row().classes("w-full no-wrap gap-4 items-start cf-wrap-narrow")
            with self.body:
                ui.spinner()
        self.on("hide", self.delete)  # one dialog per click: drop it from the page once closed
        background_tasks.create(self._load(), name="file-details")

    async def _load(self) -> None:
        try:
            file = await run.io_bound(folders.get_file, self.db, self.file_id)
        except NotFound as exc:
            self.body.clear()
            with self.body:
                ui.label(str(exc)).classes("text-red-700")
            return
        self.title.set_text(file["filename"])
        self.body.clear()
        with self.body:
            with ui.column().classes("w-80 shrink-0 items-center"):
                if file["thumbnail_url"]:
                    preview = ui.element("img").classes("max-w-full max-h-80 rounded object-contain")
                    preview.props["src"] = file["thumbnail_url"]
                    preview.props["alt"] = file["filename"]
                    ui.link("Open the original", file["image_url"], new_tab=True).classes("text-sm")
                else:
                    ui.icon("broken_image", color="red-4").classes("text-6xl")
            with ui.column().classes("grow min-w-0 gap-1"):
                _facts(file)
                _quality(file)
                ui.label("Imported caption (read-only, from the file beside the image)").classes(
                    "text-sm font-semibold mt-2"
                )
                caption = file["imported_caption"]
                ui.textarea(value=caption or "").props("readonly outlined autogrow dense").classes(
                    "w-full"
                ).mark("file-imported-caption").set_visibility(caption is not None)
                if caption is None:
                    ui.label("No .txt or .caption file beside this image.").classes("text-sm text-gray-500")
                if file["duplicates"]:
                    ui.label(f"Same bytes as {len(file['duplicates'])} other file(s):").classes(
                        "text-sm font-semibold mt-2"
                    )
                    for twin in file["duplicates"][:10]:
                        ui.label(twin["file_path"]).classes("text-xs text-gray-600 break-all").mark(
                            "file-duplicate"
                        )


def _facts(file: dict[str, Any]) -> None:
    size = f"{file['width']} × {file['height']} px" if file["width"] else "unknown"
    rows = [
        ("Path", file["file_path"]),
        ("Size", f"{file['file_size_mb']:.2f} MB ({file['size_bytes']:,} bytes)"),
        ("Dimensions", size + (" (as displayed, EXIF orientation applied)" if file["width"] else "")),
        ("Format", f"{file['file_type']} ({file['mime_type'] or 'unknown type'})"),
        ("SHA-256", file["file_hash"] or "—"),
        ("Modified", (file["file_modified"] or "")[:19].replace("T", " ") + " UTC"),
    ]
    with ui.grid(columns="auto 1fr").classes("w-full gap-x-3 gap-y-0 text-sm"):
        for name, value in rows:
            ui.label(name).classes("text-gray-500")
            ui.label(value).classes("break-all").mark(f"file-{name.lower().replace('-', '')}")
    if file["scan_error"]:
        ui.label(f"Cannot be used: {file['scan_error']}").classes("text-sm text-red-700").mark("file-error")
    if not file["exists"]:
        ui.label("Missing on disk: it was moved or deleted. Rescan after putting it back.").classes(
            "text-sm text-orange-700"
        ).mark("file-missing")


def _quality(file: dict[str, Any]) -> None:
    details = file["quality_details"] or {}
    measured, reasons = details.get("measured") or {}, details.get("reasons") or {}
    if not measured:
        return
    with ui.row().classes("items-center gap-2 mt-2"):
        ui.label(f"Measured quality {file['quality_score']:.2f}").classes("text-sm font-semibold").mark(
            "file-quality-score"
        )
        ui.label("(from the pixels, no model)").classes("text-xs text-gray-500")
        for flag in file["quality_flags"]:
            ui.badge(flag.replace("_", " "), color="orange").mark("file-quality-flag")
    for metric in METRICS:
        value = measured.get(metric)
        if value is None:
            continue
        with ui.row().classes("w-full items-center no-wrap gap-2"):
            ui.linear_progress(value=value, show_value=False).classes("w-24 shrink-0")
            ui.label(reasons.get(metric, f"{metric} {value:.2f}")).classes("text-sm").mark(
                "file-quality-reason"
            )
