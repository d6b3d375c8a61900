"""Write a planned export into its temporary folder or .zip.part: images through the process pool, then
captions, metadata.jsonl, the manifest and the kohya dataset TOML. Nothing here touches the target name."""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from pathlib import Path
from typing import Any

from app.fs_names import readable
from app.services.crop_box import box_text
from app.services.exports.export_images import convert_image
from app.services.exports.export_options import ExportOptions
from app.services.exports.export_plan import PlanItem
from app.services.exports.export_presets import kohya_dataset_toml, kohya_readme, onetrainer_concepts
from app.services.exports.export_shapes import ExportContext
from app.services.workers import process_pool

PROGRESS_INTERVAL = 0.25  # seconds between progress events


class ExportCancelled(Exception):
    """The user cancelled; the temp work is removed."""


class DiskFull(Exception):
    """No space left where the export is written; the temp work is removed."""


def build_export(
    items: list[PlanItem],
    options: ExportOptions,
    context: ExportContext,
    *,
    temp: Path,
    part: Path | None,
    export_id: str,
    progress: Callable[[dict[str, Any]], None],
    cancel: threading.Event,
    max_pixels: int | None,
    workers: int = 0,
) -> dict[str, Any]:
    """Convert and write every item; returns {file_count, bytes, report: {failed: [...]}}.

    Raises DiskFull (no space), ExportCancelled. One unreadable image is reported and skipped.
    """
    sink = _ZipSink(part) if part else _FolderSink(temp)
    try:
        for folder in (context.layout.image_dir, *context.layout.empty_dirs):
            if folder:
                sink.folder(folder)
        written, failed, total_bytes = _convert_all(
            items, options, sink, export_id, progress, cancel, max_pixels, workers, temp
        )
        order = {item.relative_image: index for index, item in enumerate(items)}
        written.sort(key=lambda item: order[item.relative_image])
        total_bytes += _write_text_files(written, options, context, sink)
        sink.close()
    except OSError as exc:
        sink.abort()
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFull(_disk_full_message(temp)) from None
        raise
    except BaseException:
        sink.abort()
        raise
    return {
        "file_count": len(written),
        "bytes": total_bytes,
        "report": {"failed": failed, "written_files": len(written)},
    }


def _convert_all(items, options, sink, export_id, progress, cancel, max_pixels, workers, temp):
    """Convert every item in the process pool, a window at a time; returns (written, failed, total_bytes)."""
    pool = process_pool(workers)
    window = max(
        4, (workers or 2) * 4
    )  # in flight at once: keeps both cores busy without queuing 10k futures
    pending: dict[Future, PlanItem] = {}
    queue = iter(items)
    written: list[PlanItem] = []
    failed: list[dict[str, Any]] = []
    total_bytes = 0
    last = 0.0
    current = None
    background = options.background_rgb
    while True:
        while len(pending) < window:
            item = next(queue, None)
            if item is None:
                break
            task = _task(item, options, sink, background, max_pixels)
            pending[pool.submit(convert_image, task)] = item
        if not pending:
            break
        done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
        if cancel.is_set():
            _cancel_all(pending)
            raise ExportCancelled("Cancelled: nothing was written under the target name")
        for future in done:
            item = pending.pop(future)
            current = readable(os.path.basename(item.source))
            total_bytes += _take_result(future.result(), item, sink, pending, written, failed, temp)
        now = time.monotonic()
        if now - last >= PROGRESS_INTERVAL or not pending:
            last = now
            progress(
                {
                    "export_id": export_id,
                    "status": "processing",
                    "done": len(written) + len(failed),
                    "total": len(items),
                    "failed": len(failed),
                    "bytes": total_bytes,
                    "current": current,
                }
            )
    return written, failed, total_bytes


def _task(item: PlanItem, options: ExportOptions, sink, background, max_pixels: int | None) -> dict[str, Any]:
    """What one worker needs to convert one image."""
    return {
        "source": item.source,
        "dest": sink.image_dest(item.relative_image),
        "extension": item.extension,
        "target_resolution": options.target_resolution,
        "upscale": options.upscale,
        "jpeg_quality": options.jpeg_quality,
        "png_compression": options.png_compression,
        "background": background,
        "max_pixels": max_pixels,
        "keep_encoding": options.image_format == "original",
        "crop": item.crop,
    }


def _cancel_all(pending: dict[Future, PlanItem]) -> None:
    for future in pending:
        future.cancel()


def _take_result(result, item, sink, pending, written, failed, temp) -> int:
    """File one worker's result: written (with its caption), or failed; returns the bytes it added.
    Raises DiskFull (cancelling the rest) when the worker ran out of space."""
    if result.get("enospc"):
        _cancel_all(pending)
        raise DiskFull(_disk_full_message(temp))
    if not result["ok"]:
        failed.append(
            {
                "file_id": item.file_id,
                "source": readable(item.source),
                "error": readable(result["error"]),
            }
        )
        return 0
    size = sink.image_written(item.relative_image, result)
    if item.relative_caption:
        size += sink.text(item.relative_caption, item.caption)
    written.append(item)
    return size


def _write_text_files(written: list[PlanItem], options: ExportOptions, context: ExportContext, sink) -> int:
    """The caption-side files of the layout and the manifest; returns the bytes written."""
    size = 0
    layout = context.layout
    # OneTrainer names a folder export's final absolute path; a ZIP can be unpacked anywhere, so relative.
    if layout.metadata_jsonl:
        lines = [
            json.dumps(
                {"file_name": Path(item.relative_image).name, "text": item.caption}, ensure_ascii=False
            )
            for item in written
        ]
        size += sink.text(f"{layout.image_dir}/metadata.jsonl", "\n".join(lines) + "\n")
    if options.layout == "kohya" and options.kohya_toml:
        size += _write_kohya(options, context, sink)
    if options.layout == "onetrainer":
        concept = layout.image_dir if sink.is_zip else str(Path(context.final) / layout.image_dir)
        size += sink.text("concepts.json", onetrainer_concepts(options, concept))
    if options.manifest == "json":
        manifest = {
            "dataset": context.dataset.model_dump(),
            "caption_set": context.caption_set.model_dump() if context.caption_set else None,
            "files": [_manifest_row(item) for item in written],
        }
        size += sink.text("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    elif options.manifest == "csv":
        size += sink.text("manifest.csv", _manifest_csv(written))
    return size


def _write_kohya(options: ExportOptions, context: ExportContext, sink) -> int:
    """dataset.toml and README.txt of a kohya export; returns the bytes written."""
    image_dir = context.layout.image_dir
    # Relative to the toml (the export can move); README.txt says to start the trainer from here.
    size = sink.text(
        "dataset.toml",
        kohya_dataset_toml(
            options,
            image_dir,
            context.kohya_tokens,
            context.tag_style,
            context.resolution,
        ),
    )
    return size + sink.text("README.txt", kohya_readme(image_dir))


def _manifest_csv(written: list[PlanItem]) -> str:
    """manifest.csv: one row per written image."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["file", "source_path", "file_hash", "caption", "quality_score", "quality_flags", "crop"])
    for item in written:
        row = _manifest_row(item)
        writer.writerow(
            [
                row["file"],
                row["source_path"],
                row["file_hash"],
                row["caption"],
                "" if row["quality_score"] is None else row["quality_score"],
                ";".join(row["quality_flags"]),
                box_text(row["crop"]) if row["crop"] else "",
            ]
        )
    return buffer.getvalue()


def _manifest_row(item: PlanItem) -> dict[str, Any]:
    return {
        "file": item.relative_image,
        "caption_file": item.relative_caption,
        "file_id": item.file_id,
        "source_path": readable(item.source),  # text a person reads; U+FFFD where the name is not UTF-8
        "source_uri": Path(
            item.source
        ).as_uri(),  # the exact bytes, percent-encoded: always finds the original
        "file_hash": item.file_hash,
        "caption": item.caption,
        "quality_score": item.quality_score,
        "quality_flags": item.quality_flags,
        "crop": item.crop,
    }


def _disk_full_message(temp: Path) -> str:
    return (
        f"The disk holding {temp.parent} is full. Free some space or choose another target, then export "
        "again; the unfinished export was removed."
    )


class _FolderSink:
    """Files under the temporary folder; workers write the images themselves."""

    is_zip = False

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True)

    def folder(self, relative: str) -> None:
        (self.root / relative).mkdir(parents=True, exist_ok=True)

    def image_dest(self, relative: str) -> str:
        return str(self.root / relative)

    def image_written(self, _relative: str, result: dict[str, Any]) -> int:
        return result["bytes"]

    def text(self, relative: str, content: str) -> int:
        data = content.encode("utf-8")  # UTF-8 without BOM
        (self.root / relative).write_bytes(data)
        return len(data)

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


class _ZipSink:
    """Entries of the .zip.part; workers return the encoded bytes."""

    is_zip = True

    def __init__(self, part: Path) -> None:
        self.zip = zipfile.ZipFile(part, "w", zipfile.ZIP_STORED)

    def folder(self, relative: str) -> None:
        self.zip.writestr(relative.rstrip("/") + "/", b"")

    def image_dest(self, _relative: str) -> None:
        return None

    def image_written(self, relative: str, result: dict[str, Any]) -> int:
        self.zip.writestr(relative, result["data"])  # already compressed: stored
        return len(result["data"])

    def text(self, relative: str, content: str) -> int:
        data = content.encode("utf-8")
        self.zip.writestr(relative, data, compress_type=zipfile.ZIP_DEFLATED)
        return len(data)

    def close(self) -> None:
        self.zip.close()

    def abort(self) -> None:
        # The .part file is deleted next; a full disk may fail this close too.
        with contextlib.suppress(OSError):
            self.zip.close()
