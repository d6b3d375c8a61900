"""The facts beside the caption: file name, size, measured quality with reasons, flags, source, model, dates."""

from __future__ import annotations

from typing import Any

from nicegui import ui

SOURCE_LABELS = {"manual": "written by hand", "generated": "vision model", "imported": "imported .txt"}


def stars(score: float | None) -> str:
    """Five stars for a 0..1 quality score, or a dash when it was not measured."""
    if score is None:
        return "—"
    filled = max(0, min(5, round(score * 5)))
    return "★" * filled + "☆" * (5 - filled)


def file_facts(info: dict[str, Any]) -> None:
    """Render the facts of get_caption's result into the current container."""
    file, caption = info["file"], info["caption"]
    ui.label(file["filename"]).classes("text-sm font-semibold break-all cf-editor-filename").mark(
        "editor-filename"
    )
    size = f"{file['width']}×{file['height']} px" if file.get("width") else "size unknown"
    ui.label(f"{size} · {file.get('file_size_mb') or 0:.2f} MB").classes("text-xs text-gray-500")
    _quality(file)
    if caption:
        source = SOURCE_LABELS.get(caption["source"] or "", caption["source"] or "unknown")
        edited = " · edited by hand" if caption["manually_edited"] and caption["source"] != "manual" else ""
        ui.label(f"Caption: {source}{edited}").classes("text-xs text-gray-600").mark("editor-source")
        if caption.get("vision_model"):
            ui.label(f"Model: {caption['vision_model']}").classes("text-xs text-gray-600")
        dates = f"Created {_when(caption['created_date'])} · modified {_when(caption['modified_date'])}"
        ui.label(dates).classes("text-xs text-gray-500")
    else:
        ui.label("No caption in this set yet.").classes("text-xs text-gray-500").mark("editor-source")


def _quality(file: dict[str, Any]) -> None:
    score = file.get("quality_score")
    details = file.get("quality_details") or {}
    measured = details.get("measured") or {}
    reasons = details.get("reasons") or {}
    flags = file.get("quality_flags") or []
    text = f"Quality {stars(score)}" + (f" {round(score * 100)}%" if score is not None else " not measured")
    with ui.row().classes("items-center gap-1 no-wrap"):
        ui.label(text).classes("text-sm text-amber-700").mark("editor-quality")
        for flag in flags:
            ui.chip(flag.replace("_", " "), icon="flag", color="red-1").props("dense square").classes(
                "text-xs text-red-800"
            )
    if measured or reasons:
        with ui.expansion("Quality details").props("dense header-class='px-0 text-xs'").classes("w-full"):
            for name, value in measured.items():
                reason = reasons.get(name) if isinstance(reasons, dict) else None
                figure = "n/a" if value is None else f"{round(value * 100)}%"
                line = f"{name.replace('_', ' ')}: {figure}" + (f" — {reason}" if reason else "")
                ui.label(line).classes("text-xs text-gray-700")
            if isinstance(reasons, list):
                for reason in reasons:
                    ui.label(str(reason)).classes("text-xs text-gray-700")


def _when(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else "—"
