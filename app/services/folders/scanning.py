"""Incremental folder scans: walk, skip what did not change, process the rest in the pool, batch the writes.

Run it in a thread (it waits on the process pool); `on_progress` gets a dict after every chunk.
"""

from __future__ import annotations

import errno
import mimetypes
import os
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select, update

from app.config import Settings
from app.db import Database
from app.errors import NotFound, StorageFull
from app.models import TrackedFile, TrackedFolder, new_id, utcnow
from app.services.folders.paired_captions import paired_caption_path
from app.services.folders.scan_rows import (
    caption_fields,
    existing_rows,
    paths_of_other_folders,
    row_fields,
    write_rows,
)
from app.services.folders.scan_walk import WalkResult, walk_folder
from app.services.folders.scan_worker import ScanOptions, process_files
from app.services.workers import death_cause, process_pool, replacement_pool

CHUNK = 8  # files per pool task
FLUSH_ROWS = 200  # rows per database write
PROGRESS_EVERY = 0.25  # seconds between progress reports
Progress = Callable[[dict[str, Any]], None]


def scan_folder(
    db: Database,
    settings: Settings,
    folder_id: str,
    *,
    on_progress: Progress | None = None,
    executor: Executor | None = None,
    should_stop: Callable[[], bool] | None = None,
    remeasure: bool = False,
) -> dict[str, Any]:
    """Scan one tracked folder; returns the final counts (the last progress payload).

    remeasure re-reads unchanged files too, so quality scores follow changed settings (training resolution).

    Unchanged files (same size and mtime) are not read. Files gone from disk are marked missing, never
    deleted; a missing file that comes back (or turns up under another name) is found again.
    """
    with db.session() as session:
        folder = session.get(TrackedFolder, folder_id)
        if folder is None:
            raise NotFound(f"No tracked folder with id {folder_id}.")
        root, recursive, max_depth = folder.path, folder.recursive, folder.max_depth
        follow_links = folder.follow_links
        previous_scan = folder.last_scanned
    state = _State(folder_id, on_progress)
    if not os.path.isdir(root):
        return _finish_unreachable(db, folder_id, root, state)
    _mark_started(db, folder_id)
    try:
        result = _scan(db, settings, folder_id, root, recursive, max_depth, follow_links, previous_scan, state,
                       executor, should_stop, remeasure)  # fmt: skip
    except StorageFull as exc:
        exc.counts = state.report("error", error=str(exc))  # the counts stay true: what was seen and saved
        _mark_ended(db, folder_id, str(exc))
        raise
    except BaseException as exc:
        _mark_ended(db, folder_id, f"The scan failed: {exc}")
        raise
    _mark_ended(db, folder_id, None)
    return result


def _scan(db, settings, folder_id, root, recursive, max_depth, follow_links, previous_scan, state, executor,
          should_stop, remeasure) -> dict[str, Any]:  # fmt: skip
    walk = walk_folder(root, recursive, max_depth if recursive else 0, follow_links)
    existing = existing_rows(db, folder_id)
    state.counts["seen"] = len(walk.files)
    state.counts["skipped"] = len(walk.skipped)
    plan = _plan(
        walk, existing, paths_of_other_folders(db, folder_id, [p for p in walk.files if p not in existing])
    )
    if remeasure:  # unchanged files go through the workers again; their rows are updated in place
        plan.process.extend(plan.unchanged)
        plan.unchanged = []
    state.counts.update(unchanged=len(plan.unchanged), to_process=len(plan.process), other_folder=plan.other)
    state.report("processing", force=True)
    changed_captions = _apply_unchanged(db, plan, walk, existing, _epoch_ns(previous_scan))
    state.counts["captions_changed"] = len(changed_captions)
    state.counts["captions_imported"] += sum(1 for row in changed_captions if row.get("imported_caption"))
    try:
        stopped = _process(db, settings, folder_id, root, walk, existing, plan, state, executor, should_stop)
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        raise StorageFull(
            f"The disk holding the thumbnails ({settings.thumbnails_dir}) is full. Free some space and scan "
            f"again: {state.counts['processed']} files were measured and kept, the next scan does the rest."
        ) from None
    if stopped:
        return state.report("cancelled", force=True)
    return _finish(db, folder_id, plan, walk, state)


class _State:
    def __init__(self, folder_id: str, on_progress: Progress | None) -> None:
        self.folder_id, self.on_progress = folder_id, on_progress
        self.started = time.monotonic()
        self.last = 0.0
        keys = ("seen", "new", "changed", "unchanged", "broken", "missing", "moved", "restored")
        self.counts: dict[str, Any] = dict.fromkeys(keys, 0) | {
            "to_process": 0,
            "processed": 0,
            "captions_changed": 0,
            "captions_imported": 0,
        }

    def report(self, phase: str, force: bool = False, **extra: Any) -> dict[str, Any]:
        now = time.monotonic()
        elapsed = now - self.started
        payload = {"folder_id": self.folder_id, "phase": phase, **self.counts, **extra}
        payload["elapsed"] = round(elapsed, 2)
        payload["rate"] = round(self.counts["processed"] / elapsed, 1) if elapsed > 0 else 0.0
        if self.on_progress and (force or now - self.last >= PROGRESS_EVERY):
            self.last = now
            self.on_progress(payload)
        return payload


class _Plan:
    def __init__(self) -> None:
        self.process: list[str] = []  # new or changed paths
        self.unchanged: list[str] = []
        self.restored: list[str] = []  # row ids of missing files that are back unchanged
        self.missing: dict[str, str] = {}  # row id -> hash: rows whose path is gone (relinkable by hash)
        self.other = 0  # paths another tracked folder already owns


def _plan(walk: WalkResult, existing: dict[str, Any], taken: set[str]) -> _Plan:
    plan = _Plan()
    for path, (size, mtime) in walk.files.items():
        row = existing.get(path)
        if row is None:
            if path in taken:
                plan.other += 1
            else:
                plan.process.append(path)
        elif row.size_bytes == size and row.mtime_ns == mtime:
            plan.unchanged.append(path)
            if not row.file_exists:
                plan.restored.append(row.id)
        else:
            plan.process.append(path)
    plan.missing = {row.id: row.file_hash for path, row in existing.items() if path not in walk.files}
    return plan


def _apply_unchanged(
    db: Database, plan: _Plan, walk: WalkResult, existing: dict[str, Any], previous_scan_ns: int
) -> list[dict[str, Any]]:
    """Bring back restored files; re-import captions that appeared, vanished or changed since the last scan.
    Returns the caption updates of unchanged images (the summary's "captions changed")."""
    now = utcnow()
    updates = [{"id": row_id, "file_exists": True, "last_verified": now} for row_id in plan.restored]
    for path in plan.unchanged:
        row = existing[path]
        caption = paired_caption_path(path, walk.captions)
        if caption is None and row.imported_caption_path is None:
            continue
        if caption != row.imported_caption_path or (
            caption is not None and walk.caption_mtimes[caption] >= previous_scan_ns
        ):
            updates.append({"id": row.id, **caption_fields(caption)})
    write_rows(db, [], updates)
    return updates[len(plan.restored) :]


def _process(db, settings, folder_id, root, walk, existing, plan, state, executor, should_stop) -> bool:
    options = _options(settings)
    pool = executor or process_pool(settings["image_processing"]["scan_workers"])
    # (paths, suspect): a suspect is one file of a chunk whose worker died, retried alone to find the culprit.
    chunks = [(plan.process[i : i + CHUNK], False) for i in range(0, len(plan.process), CHUNK)]
    limit = 2 * (getattr(pool, "_max_workers", 2) or 2)  # bounded in-flight work bounds memory
    pending: dict[Future, tuple[list[str], bool]] = {}
    inserts: list[dict] = []
    updates: list[dict] = []
    where = (folder_id, root, walk, existing, plan, {d: r for r, d in plan.missing.items() if d}, state)
    while chunks or pending:
        if should_stop and should_stop():
            for future in pending:
                future.cancel()
            write_rows(db, inserts, updates)
            return True
        _submit(pool, chunks, pending, limit, options)
        done = wait(set(pending), return_when=FIRST_COMPLETED)[0]
        failure, broken = _collect_done(done, pending, chunks, where, inserts, updates, pool)
        if broken:  # a worker died (crash, out of memory): only the file it was on is lost
            pool = replacement_pool(pool)
        if failure is not None:  # keep every file measured so far (in flight too), then say why it stopped
            for future in pending:
                future.cancel()
            finished = wait(set(pending))[0] if pending else set()
            _collect_done(finished, pending, [], where, inserts, updates)
            write_rows(db, inserts, updates)
            raise failure
        if len(inserts) + len(updates) >= FLUSH_ROWS:
            write_rows(db, inserts, updates)
            inserts, updates = [], []
        state.report("processing")
    write_rows(db, inserts, updates)
    return False


def _submit(pool, chunks: list, pending: dict, limit: int, options: ScanOptions) -> None:
    """Fill the pool up to `limit` chunks; a suspect file runs alone, so a second crash names it."""
    while chunks and len(pending) < limit:
        paths, suspect = chunks[0]
        if pending and (suspect or any(s for _, s in pending.values())):
            return
        chunks.pop(0)
        pending[pool.submit(process_files, paths, options)] = (paths, suspect)


def _collect_done(
    done, pending: dict, chunks: list, where: tuple[Any, ...], inserts, updates, pool=None
) -> tuple[OSError | None, bool]:
    """Collect finished chunks; returns (the first OSError a chunk raised, whether the pool broke)."""
    failure, broken = None, False
    for future in done:
        paths, suspect = pending.pop(future)
        if future.cancelled():
            continue
        try:
            results = future.result()
        except BrokenProcessPool:
            broken = True
            if not suspect:  # which file of the chunk killed the worker? Each is retried on its own.
                chunks[:0] = [([path], True) for path in paths]
                continue
            results = [_worker_died(paths[0], death_cause(pool) if pool is not None else None)]
        except OSError as exc:  # e.g. the thumbnails' disk is full
            failure = failure or exc
            continue
        for result in results:
            _collect(result, where, inserts, updates)
    return failure, broken


def _worker_died(path: str, cause: str | None) -> dict[str, Any]:
    how = cause or "died (a crash in the image decoder, or out of memory)"
    return {
        "path": path,
        "file_hash": "",
        "scan_error": f"the worker process reading it {how}; the scan went on without it",
        "file_type": os.path.splitext(path)[1].lower().lstrip(".") or "unknown",
        "mime_type": mimetypes.guess_type(path)[0],
    }


def _collect(result, where: tuple[Any, ...], inserts, updates) -> None:
    folder_id, root, walk, existing, plan, missing_by_hash, state = where
    path = result.pop("path")
    size, mtime = walk.files[path]
    row = existing.get(path)
    fields = row_fields(result, path, root, size, mtime) | caption_fields(
        paired_caption_path(path, walk.captions)
    )
    state.counts["processed"] += 1
    state.counts["broken"] += bool(fields["scan_error"])
    state.counts["captions_imported"] += bool(fields.get("imported_caption"))
    moved_from = None if row or fields["scan_error"] else missing_by_hash.pop(fields["file_hash"], None)
    if row is not None:
        state.counts["changed"] += 1
        updates.append({"id": row.id, **fields})
    elif moved_from is not None:
        # Same bytes as a file that vanished from this folder: it was renamed or moved, keep its captions.
        state.counts["moved"] += 1
        plan.missing.pop(moved_from, None)
        updates.append({"id": moved_from, **fields})
    else:
        state.counts["new"] += 1
        inserts.append({"id": new_id(), "folder_id": folder_id, "date_added": utcnow(), **fields})


def _finish(db: Database, folder_id: str, plan: _Plan, walk: WalkResult, state: _State) -> dict[str, Any]:
    now = utcnow()
    gone = list(plan.missing)
    with db.session() as session:
        for start in range(0, len(gone), 500):
            chunk = gone[start : start + 500]
            session.execute(
                update(TrackedFile)
                .where(TrackedFile.id.in_(chunk), TrackedFile.file_exists.is_(True))
                .values(file_exists=False)
            )
        # Unchanged files are not rewritten: the folder's last_scanned is when their presence was verified.
        missing = session.scalar(
            select(func.count()).where(TrackedFile.folder_id == folder_id, TrackedFile.file_exists.is_(False))
        )
        folder = session.get_one(TrackedFolder, folder_id)
        folder.file_count = _present_count(session, folder_id)
        folder.last_scanned = now
        folder.last_scan_error = _unreadable_summary(walk.unreadable)
    state.counts["missing"] = missing or 0
    state.counts["restored"] = len(plan.restored)
    return state.report(
        "done",
        force=True,
        unreadable=walk.unreadable[:20],
        skipped_links=walk.skipped[:20],
        error=_unreadable_summary(walk.unreadable),
        ignored=walk.ignored,
    )


def _finish_unreachable(db: Database, folder_id: str, root: str, state: _State) -> dict[str, Any]:
    message = f"The folder {root} is not there (moved, renamed or an unplugged drive?). Its files are marked missing."
    with db.session() as session:
        session.execute(
            update(TrackedFile).where(TrackedFile.folder_id == folder_id).values(file_exists=False)
        )
        folder = session.get_one(TrackedFolder, folder_id)
        folder.last_scanned, folder.last_scan_error, folder.file_count = utcnow(), message, 0
        state.counts["missing"] = (
            session.scalar(select(func.count()).where(TrackedFile.folder_id == folder_id)) or 0
        )
    return state.report("error", force=True, error=message)


def _mark_started(db: Database, folder_id: str) -> None:
    with db.session() as session:
        session.get_one(TrackedFolder, folder_id).scan_started = utcnow()


def _mark_ended(db: Database, folder_id: str, error: str | None) -> None:
    """The scan is over: what it saved is counted; a failure says why (best effort on a full disk)."""
    try:
        with db.session() as session:
            folder = session.get(TrackedFolder, folder_id)
            if folder is None:
                return
            folder.scan_started = None
            folder.file_count = _present_count(session, folder_id)
            if error:
                folder.last_scan_error = error
    except Exception:  # noqa: BLE001 - the database's own disk may be the full one; the scan's error stands
        return


def recover_interrupted(db: Database) -> int:
    """On start: folders whose scan the app died in say so, with what was saved. Returns how many."""
    with db.session() as session:
        folders = session.scalars(select(TrackedFolder).where(TrackedFolder.scan_started.is_not(None))).all()
        for folder in folders:
            folder.file_count = _present_count(session, folder.id)
            saved = session.scalar(select(func.count()).where(TrackedFile.folder_id == folder.id)) or 0
            started = (folder.scan_started or utcnow()).strftime("%Y-%m-%d %H:%M UTC")
            folder.last_scan_error = (
                f"The scan started {started} was interrupted (the app stopped or crashed); {saved} files were "
                "saved. Scan again to finish: files already measured are skipped."
            )
            folder.scan_started = None
        return len(folders)


def _present_count(session, folder_id: str) -> int:
    query = select(func.count()).where(
        TrackedFile.folder_id == folder_id,
        TrackedFile.file_exists.is_(True),
        TrackedFile.scan_error.is_(None),
    )
    return session.scalar(query) or 0


def _unreadable_summary(unreadable: list[str]) -> str | None:
    if not unreadable:
        return None
    first = unreadable[0]
    more = f" and {len(unreadable) - 1} more" if len(unreadable) > 1 else ""
    return f"{len(unreadable)} unreadable folder(s), skipped: {first}{more}. Check their permissions."


def _options(settings: Settings) -> ScanOptions:
    return ScanOptions(
        thumbnails_dir=str(settings.thumbnails_dir),
        thumbnail_size=settings["thumbnails"]["size"],
        thumbnail_quality=settings["thumbnails"]["quality"],
        max_pixels=settings["image_processing"]["max_image_pixels"] or None,
        training_resolution=settings["image_processing"]["training_resolution"],
    )


def _epoch_ns(moment: datetime | None) -> int:
    return int(moment.replace(tzinfo=timezone.utc).timestamp() * 1e9) if moment else 0
