"""Write a caption set's captions as `<stem>.txt` beside the original images, with a backup and an undo.

The one place the app writes into a user's folder, and only when asked. Before anything is written, every
file that will be overwritten is copied into data_dir/caption-backups/<backup_id>/ with a manifest.json
(backup -> original path, and the text written); undo restores those and removes the files that did not
exist before, but only where the file still holds what was written.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.atomic_file import storage_error, write_bytes_atomic, write_text_atomic
from app.db import Database
from app.errors import CaptionForgeError, Conflict, Invalid, NotFound
from app.fs_names import from_stored, readable, to_stored
from app.models import Caption, CaptionSet, DatasetFile, TrackedFile
from app.services.captions.caption_shapes import (
    BesideKept,
    BesideUndone,
    BesideWriteRecord,
    WriteBesidePlan,
    WriteBesideResult,
)
from app.services.captions.postprocess import ensure_trigger
from app.services.exports.export_plan import clean_caption
from app.services.folders.paired_captions import CAPTION_EXTENSIONS, decode_caption, normalize_caption

BACKUPS = "caption-backups"
_BACKUP_ID = re.compile(r"^\d{8}-\d{6}-\d{6}(-\d+)?$")
_FOLDER_ADVICE = "Make the folder writable, or export the dataset instead"


def plan_write_beside(db: Database, caption_set_id: str, extension: str = ".txt") -> WriteBesidePlan:
    """What writing the set beside the images would do; writes nothing.

    A write whose `exists` is true overwrites a file. Paths are readable text (a name that is not UTF-8
    shows U+FFFD); the write itself uses the exact bytes.
    """
    plan = _plan(db, caption_set_id, extension)
    writes = [
        {**w, "image_path": readable(w["image_path"]), "target": readable(w["target"])}
        for w in plan["writes"]
    ]
    return WriteBesidePlan.model_validate({**plan, "writes": writes})


def _plan(db: Database, caption_set_id: str, extension: str) -> dict[str, Any]:
    extension = _check_extension(extension)
    writes: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    with db.session() as session:
        caption_set = session.get(CaptionSet, caption_set_id)
        if caption_set is None:
            raise NotFound(f"No caption set with id {caption_set_id}")
        trigger = (caption_set.trigger_phrase, caption_set.style) if caption_set.ensure_trigger else None
        name = caption_set.name
        rows = session.execute(
            select(TrackedFile.id, TrackedFile.filename, TrackedFile.file_path, DatasetFile.excluded, Caption)
            .join(DatasetFile, DatasetFile.file_id == TrackedFile.id)
            .outerjoin(
                Caption, (Caption.file_id == TrackedFile.id) & (Caption.caption_set_id == caption_set.id)
            )
            .where(DatasetFile.dataset_id == caption_set.dataset_id)
            .order_by(DatasetFile.order_index, TrackedFile.filename)
        ).all()
        for file_id, filename, image_path, excluded, caption in rows:
            item = {"file_id": file_id, "filename": filename}
            planned = _plan_one(image_path, excluded, _text(caption, trigger), extension)
            (writes if "text" in planned else skipped).append({**item, **planned})
    overwrite = sum(1 for w in writes if w["exists"])
    return {
        "caption_set_id": caption_set_id,
        "caption_set_name": name,
        "extension": extension,
        "writes": writes,
        "skipped": skipped,
        "counts": {
            "write": len(writes),
            "overwrite": overwrite,
            "create": len(writes) - overwrite,
            "skipped": len(skipped),
        },
    }


def _plan_one(image_path: str, excluded: bool, text: str | None, extension: str) -> dict[str, Any]:
    """One member's write {image_path, target, exists, current_text, text}, or its skip {reason}."""
    reason = _skip_reason(image_path, excluded, text, extension)
    if reason is None:
        target = os.path.splitext(image_path)[0] + extension
        try:
            current = _read_existing(target)
        except OSError as exc:
            reason = f"the existing {_name(target)} cannot be read ({exc.strerror or exc})"
        else:
            if current is not None and current == text:
                reason = f"{_name(target)} already holds this caption"
    if reason:
        return {"reason": reason}
    return {
        "image_path": image_path,
        "target": target,
        "exists": current is not None,
        "current_text": current,
        "text": text,
    }


def write_beside(
    db: Database, data_dir: Path, caption_set_id: str, extension: str = ".txt", keep: int | None = None
) -> WriteBesideResult:
    """Back up what will be overwritten, then write every caption file atomically; all or nothing.

    With `keep`, only that set's newest `keep` backups stay afterwards (prune_backups). A full or
    read-only disk raises StorageFull / ReadOnlyStorage after putting back every file already written.
    """
    plan = _plan(db, caption_set_id, extension)
    if not plan["writes"]:
        raise Invalid("Nothing to write: " + _nothing_reason(plan))
    backup_id, folder = _new_backup_folder(Path(data_dir))
    entries = _back_up(plan["writes"], folder, caption_set_id, extension)
    done = _write_all(entries, folder)
    counts = plan["counts"]
    pruned = prune_backups(Path(data_dir), caption_set_id, keep) if keep is not None else []
    return WriteBesideResult.model_validate(
        {
            "backup_id": backup_id,
            "pruned": pruned,
            "written": len(done),
            "overwritten": counts["overwrite"],
            "created": counts["create"],
            "skipped": plan["skipped"],
        }
    )


def _back_up(
    writes: list[dict[str, Any]], folder: Path, caption_set_id: str, extension: str
) -> list[dict[str, Any]]:
    """Copy every file about to be overwritten into the backup folder and write its manifest; returns
    the manifest's entries. On failure the backup folder is removed."""
    entries = []
    try:
        for number, item in enumerate(writes, start=1):
            entry = {"original": item["target"], "backup": None, "text": item["text"]}
            if item["exists"]:
                entry["backup"] = f"{number:05d}{extension}"
                _copy(Path(item["target"]), folder / entry["backup"], folder)
            entries.append(entry)
        manifest = {
            "caption_set_id": caption_set_id,
            "created": _now_iso(),
            "undone": False,
            "files": entries,
        }
        _write_manifest(folder, manifest)
    except CaptionForgeError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return entries


def _write_all(entries: list[dict[str, Any]], folder: Path) -> list[dict[str, Any]]:
    """Write every caption file; on failure put back those already written and drop the backup."""
    done: list[dict[str, Any]] = []
    try:
        for entry in entries:
            target = Path(entry["original"])
            write_text_atomic(target, entry["text"], f"The caption {_name(str(target))}", _FOLDER_ADVICE)
            done.append(entry)
    except CaptionForgeError:
        for entry in done:
            _put_back(folder, entry)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return done


def list_writes(data_dir: Path, caption_set_id: str) -> list[BesideWriteRecord]:
    """The set's past writes beside the images, newest first.

    A backup whose manifest cannot be read is left out (it cannot be undone from here either).
    """
    writes = []
    for backup_id, manifest in _manifests(Path(data_dir)):
        if manifest.get("caption_set_id") != caption_set_id:
            continue
        files = manifest["files"]
        overwritten = sum(1 for entry in files if entry["backup"])
        undone = bool(manifest.get("undone"))
        writes.append(
            BesideWriteRecord(
                backup_id=backup_id,
                created=manifest.get("created", ""),
                files=len(files),
                overwritten=overwritten,
                created_files=len(files) - overwritten,
                undone=undone,
                can_undo=not undone,
            )
        )
    return writes


def prune_backups(data_dir: Path, caption_set_id: str, keep: int) -> list[str]:
    """Delete all but the set's newest `keep` write backups (at least 1: the newest write's stays).

    Returns the backup ids removed, oldest first. Other sets' backups are not touched.
    """
    keep = max(1, int(keep))
    ids = [
        backup_id for backup_id, m in _manifests(Path(data_dir)) if m.get("caption_set_id") == caption_set_id
    ]
    removed = sorted(ids[keep:])
    for backup_id in removed:
        shutil.rmtree(Path(data_dir) / BACKUPS / backup_id, ignore_errors=True)
    return removed


def _manifests(data_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every readable backup (id, manifest), newest first (ids are UTC timestamps, so they sort by time)."""
    root = data_dir / BACKUPS
    try:
        names = [p.name for p in root.iterdir() if p.is_dir() and _BACKUP_ID.match(p.name)]
    except FileNotFoundError:
        return []
    found = []
    for backup_id in sorted(names, key=_backup_order, reverse=True):
        try:
            found.append((backup_id, _read_manifest(root / backup_id, backup_id)))
        except Invalid:
            continue  # a half-made or damaged backup: nothing to list or undo
    return found


def _backup_order(backup_id: str) -> tuple[str, int]:
    return backup_id[:22], int(backup_id[23:] or 0)  # "-1", "-2" suffixes: same microsecond, later


def undo_write_beside(data_dir: Path, backup_id: str) -> BesideUndone:
    """Restore the overwritten files and remove the created ones, where they still hold what was written.

    A file changed since is kept as it is (listed in `kept`).
    """
    folder = _backup_folder(Path(data_dir), backup_id)
    manifest = _read_manifest(folder, backup_id)
    if manifest.get("undone"):
        raise Conflict(f"The write {backup_id} was already undone")
    restored = removed = 0
    kept: list[BesideKept] = []
    try:
        for entry in manifest["files"]:
            if entry.get("undone"):
                continue  # put back by an earlier undo that stopped on a full or read-only disk
            outcome = _undo_one(folder, entry)
            if isinstance(outcome, BesideKept):
                kept.append(outcome)
            elif outcome:
                restored += 1
            else:
                removed += 1
            entry["undone"] = True
    finally:
        manifest["undone"] = all(entry.get("undone") for entry in manifest["files"])
        _write_manifest(folder, manifest)
    return BesideUndone(backup_id=backup_id, restored=restored, removed=removed, kept=kept)


def _undo_one(folder: Path, entry: dict[str, Any]) -> bool | BesideKept:
    """Restored (True), removed (False), or kept when the file is no longer what was written."""
    original = Path(entry["original"])
    try:
        now = original.read_bytes()
    except FileNotFoundError:
        now = None
    except OSError as exc:
        return BesideKept(
            path=readable(str(original)) or "",
            reason=f"cannot be read ({exc.strerror or exc}); left as it is",
        )
    if now != entry["text"].encode("utf-8"):
        reason = "was changed since; left as it is"
        if now is None:
            reason = "was deleted since" + (
                "; its backup stays in the backup folder" if entry["backup"] else ""
            )
        return BesideKept(path=readable(str(original)) or "", reason=reason)
    return _put_back(folder, entry, raise_errors=True)


def _put_back(folder: Path, entry: dict[str, Any], raise_errors: bool = False) -> bool:
    """Restore `entry`'s original from its backup (True), or remove the created file (False)."""
    original = Path(entry["original"])
    try:
        if entry["backup"]:
            data = (folder / entry["backup"]).read_bytes()
            write_bytes_atomic(original, data, f"The caption {_name(str(original))}", _FOLDER_ADVICE)
            return True
        original.unlink(missing_ok=True)
        return False
    except OSError as exc:
        if raise_errors:
            raise (
                storage_error(exc, f"The caption {_name(str(original))}", original.parent, _FOLDER_ADVICE)
                or exc
            ) from None
        return bool(entry["backup"])
    except CaptionForgeError:
        if raise_errors:
            raise
        return bool(entry["backup"])


def _text(caption: Caption | None, trigger: tuple[str | None, str] | None) -> str | None:
    if caption is None or not (caption.caption_text or "").strip():
        return None
    text = clean_caption(caption.caption_text, single_line=False)
    if trigger:
        text = clean_caption(ensure_trigger(text, trigger[0], trigger[1]), single_line=False)
    return text


def _skip_reason(image_path: str, excluded: bool, text: str | None, extension: str) -> str | None:
    if excluded:
        return "excluded from the dataset"
    if text is None:
        return "no caption in this set"
    if not os.path.isfile(image_path):
        return "the image is missing on disk"
    target = os.path.splitext(image_path)[0] + extension
    if os.path.islink(target):
        return f"{_name(target)} is a link; left alone"
    if os.path.isdir(target):
        return f"a folder named {_name(target)} is in the way"
    folder = os.path.dirname(image_path) or "."
    if not os.access(folder, os.W_OK) or (os.path.exists(target) and not os.access(target, os.W_OK)):
        return f"the folder {readable(folder)} is not writable"
    return None


def _read_existing(target: str) -> str | None:
    """The current text of the caption file, or None when there is none."""
    try:
        with open(target, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    return normalize_caption(decode_caption(data))


def _check_extension(extension: str) -> str:
    value = (extension or "").strip().lower()
    if value not in CAPTION_EXTENSIONS:
        raise Invalid(f"extension must be one of {', '.join(CAPTION_EXTENSIONS)}, not {extension!r}")
    return value


def _nothing_reason(plan: dict[str, Any]) -> str:
    if not plan["skipped"]:
        return "the dataset has no images."
    return f"all {len(plan['skipped'])} images were skipped (first: {plan['skipped'][0]['reason']})."


def _new_backup_folder(data_dir: Path) -> tuple[str, Path]:
    base = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S-%f")
    root = data_dir / BACKUPS
    for attempt in range(100):
        backup_id = base if attempt == 0 else f"{base}-{attempt}"
        folder = root / backup_id
        try:
            folder.mkdir(parents=True)
        except FileExistsError:
            continue
        except OSError as exc:
            raise storage_error(exc, "The caption backup", root) or exc from None
        return backup_id, folder
    raise Conflict("Could not create a backup folder; try again")


def _copy(source: Path, destination: Path, folder: Path) -> None:
    try:
        shutil.copy2(source, destination)
    except OSError as exc:
        with contextlib.suppress(OSError):
            destination.unlink(missing_ok=True)
        raise storage_error(exc, "The caption backup", folder) or exc from None


def _backup_folder(data_dir: Path, backup_id: str) -> Path:
    if not isinstance(backup_id, str) or not _BACKUP_ID.match(backup_id):
        raise NotFound(f"No caption backup {backup_id!r}")
    folder = data_dir / BACKUPS / backup_id
    if not folder.is_dir():
        raise NotFound(f"No caption backup {backup_id!r}")
    return folder


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """manifest.json, with each original path as stored text (valid UTF-8 JSON, the exact bytes kept)."""
    files = [{**entry, "original": to_stored(entry["original"])} for entry in manifest["files"]]
    text = json.dumps({**manifest, "files": files}, indent=1, ensure_ascii=False)
    write_text_atomic(folder / "manifest.json", text, "The caption backup")


def _read_manifest(folder: Path, backup_id: str) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert isinstance(manifest["files"], list) and all(map(_entry_ok, manifest["files"]))
    except (OSError, ValueError, KeyError, TypeError, AssertionError):
        raise Invalid(f"The caption backup {backup_id} has no readable manifest.json") from None
    for entry in manifest["files"]:
        entry["original"] = from_stored(entry["original"])
    return manifest


def _name(path: str) -> str:
    return readable(os.path.basename(path)) or ""


def _entry_ok(entry: Any) -> bool:
    backup = entry.get("backup") if isinstance(entry, dict) else ""
    return (
        isinstance(entry.get("original"), str)
        and os.path.isabs(entry["original"])
        and isinstance(entry.get("text"), str)
        and (backup is None or (isinstance(backup, str) and re.fullmatch(r"\d{5}\.\w+", backup) is not None))
    )


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
