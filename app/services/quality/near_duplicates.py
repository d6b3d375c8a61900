"""Near-duplicate groups in a dataset: exact copies by SHA-256, look-alikes by dHash distance and colour grid."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy
from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from app import models
from app.db import Database
from app.errors import Conflict
from app.services.quality.colour_signature import ColourSignature, colours_agree, thumbnail_signature
from app.services.quality.quality_shapes import (
    DuplicateFile,
    DuplicateGroup,
    ExcludeFile,
    KeepBestPreview,
    KeepFile,
    KeptBest,
)
from app.services.thumbnails import thumbnail_url

# dHash bits that may differ for two files to count as the same picture when their colour grids agree too.
# Measured on real photos (tests/unit/services/quality/test_near_duplicates_real.py): resized, JPEG q20-25 and 2-5 % cropped
# copies differ by up to 14 of 64 bits, different photos by 11 or more, so the colour grid decides those.
DEFAULT_MAX_DISTANCE = 14
# Without a colour signal (no thumbnail to read) dHash decides alone, and only this strictly: resized and
# recompressed copies differ by 0-4 bits, different shots of one scene by well over 10.
DHASH_ONLY_MAX_DISTANCE = 6
MAX_DISTANCE_LIMIT = 24  # the largest threshold the dialog offers
PAIRS_PER_BLOCK = 2_000_000  # hash pairs compared at once (16 MB of distances)

# agree(first_id, second_id, bits) -> whether the pair counts as alike, given their dHash distance.
Agree = Callable[[str, str, int], bool]


def group_hashes(
    hashes: dict[str, str], max_distance: int = DHASH_ONLY_MAX_DISTANCE, agree: Agree | None = None
) -> list[list[str]]:
    """Group ids whose hex hashes are within max_distance bits (transitively); groups of 2+ only.

    agree, when given, must also accept each joined pair (a second signal such as colour).
    """
    ids = [i for i, h in hashes.items() if h]
    if not ids:
        return []
    parent = {i: i for i in ids}

    def find(item: str) -> str:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for first, second, bits in _close_pairs(ids, [int(hashes[i], 16) for i in ids], max_distance):
        if find(first) != find(second) and (agree is None or agree(first, second, bits)):
            parent[find(first)] = find(second)
    groups: dict[str, list[str]] = defaultdict(list)
    for file_id in ids:
        groups[find(file_id)].append(file_id)
    return [members for members in groups.values() if len(members) > 1]


def _close_pairs(ids: list[str], values: list[int], max_distance: int) -> Iterator[tuple[str, str, int]]:
    """Every pair within max_distance bits, with its distance. All pairs are compared, vectorised in blocks:
    a pigeonhole index stops pruning at the thresholds the dialog offers (14 bits: 4-bit chunks)."""
    if any(value >> 64 for value in values):  # not a 64-bit hash: compare in Python
        for a, b in itertools.combinations(range(len(ids)), 2):
            if (bits := (values[a] ^ values[b]).bit_count()) <= max_distance:
                yield ids[a], ids[b], bits
        return
    array = numpy.array(values, dtype=numpy.uint64)
    block = max(1, PAIRS_PER_BLOCK // len(ids))
    for start in range(0, len(ids), block):
        rows = array[start : start + block]
        distances = numpy.bitwise_count(rows[:, None] ^ array[None, start:])
        for row, column in zip(*numpy.nonzero(distances <= max_distance), strict=True):
            if column > row:  # column counts from start, like row: each pair once, never itself
                yield ids[start + row], ids[start + column], int(distances[row, column])


def colour_agreement(signature: Callable[[str], ColourSignature | None], max_distance: int) -> Agree:
    """Pairs must agree in colour; a pair lacking a colour signal needs dHash within the strict limit."""

    def agree(first: str, second: str, bits: int) -> bool:
        one, other = signature(first), signature(second)
        if one is None or other is None:
            return bits <= min(max_distance, DHASH_ONLY_MAX_DISTANCE)
        return colours_agree(one, other)

    return agree


def duplicate_groups(
    db: Database,
    dataset_id: str,
    max_distance: int = DEFAULT_MAX_DISTANCE,
    thumbnails_dir: Path | None = None,
) -> list[DuplicateGroup]:
    """Groups of exact and near duplicates among a dataset's included files, best first in each group.

    Look-alikes need dHash within max_distance bits and colour grids (read from the thumbnails in
    thumbnails_dir) that agree; without a thumbnail, dHash alone within DHASH_ONLY_MAX_DISTANCE.

    Each group is "exact" or "near", names its best file, and lists its files best first.
    """
    with db.session() as session:
        rows = session.execute(
            select(models.TrackedFile, models.DatasetFile.excluded)
            .join(models.DatasetFile, models.DatasetFile.file_id == models.TrackedFile.id)
            .where(models.DatasetFile.dataset_id == dataset_id)
        ).all()
    files = {f.id: _ranked_file(f, excluded) for f, excluded in rows}
    by_hash: dict[str, list[str]] = defaultdict(list)
    for tracked, _ in rows:
        by_hash[tracked.file_hash].append(tracked.id)
    grouped: set[str] = set()
    result: list[DuplicateGroup] = []
    for members in by_hash.values():
        if len(members) > 1:
            result.append(_group("exact", members, files))
            grouped.update(members)
    # One representative per exact group joins the perceptual comparison.
    representatives = {
        f.id: f.phash for f, _ in rows if f.phash and (f.id not in grouped or _first(by_hash, f))
    }
    keys = {f.id: f.thumbnail_key for f, _ in rows}
    signatures: dict[str, ColourSignature | None] = {}

    def signature(file_id: str) -> ColourSignature | None:
        if file_id not in signatures:  # read lazily: only files whose dHash is close to another's
            signatures[file_id] = thumbnail_signature(thumbnails_dir, keys.get(file_id))
        return signatures[file_id]

    agree = colour_agreement(signature, max_distance)
    for members in group_hashes(representatives, max_distance, agree):
        expanded = sorted({m for member in members for m in by_hash[files[member][1].file_hash]})
        result.append(_group("near", expanded, files))
    return result


def keep_best_preview(db: Database, dataset_id: str, file_ids: list[str]) -> KeepBestPreview:
    """What "keep best" would do: the file it keeps, and the files it excludes (with whether the caption was
    edited by hand).

    Best weighs quality, resolution and captions: a hand-edited caption counts most, then any caption.
    """
    with db.session() as session:
        members = _members(session, dataset_id, file_ids)
        edited = _edited_ids(session, [tracked.id for _, tracked in members])
        captioned = _captioned_ids(session, [tracked.id for _, tracked in members])
    if not members:
        return KeepBestPreview(keep=None, exclude=[])
    best = max(members, key=lambda pair: _best_rank(pair[1], pair[1].id in edited, pair[1].id in captioned))[
        1
    ]
    return KeepBestPreview(
        keep=KeepFile(file_id=best.id, filename=best.filename, thumbnail_url=_thumb(best)),
        exclude=[
            ExcludeFile(
                file_id=t.id, filename=t.filename, edited_caption=t.id in edited, thumbnail_url=_thumb(t)
            )
            for _, t in members
            if t.id != best.id
        ],
    )


def _thumb(tracked: models.TrackedFile) -> str:
    return thumbnail_url(tracked.id, tracked.thumbnail_key)


def keep_best(db: Database, dataset_id: str, file_ids: list[str], confirm_edited: bool = False) -> KeptBest:
    """Keep the best of a group included and exclude the rest. Refuses (Conflict) to exclude an image with a
    hand-edited caption unless confirm_edited, naming those images."""
    preview = keep_best_preview(db, dataset_id, file_ids)
    if preview.keep is None:
        return KeptBest(kept=None, excluded=0)
    kept = preview.keep.file_id
    edited = [f.filename for f in preview.exclude if f.edited_caption]
    if edited and not confirm_edited:
        raise Conflict(
            f"{len(edited)} of the images to exclude have a hand-edited caption ({', '.join(edited[:5])}); "
            "confirm to exclude them anyway"
        )
    with db.session() as session:
        for member, tracked in _members(session, dataset_id, file_ids):
            member.excluded = tracked.id != kept
    return KeptBest(kept=kept, excluded=len(preview.exclude), edited_excluded=edited)


def _members(
    session: Session, dataset_id: str, file_ids: list[str]
) -> Sequence[Row[models.DatasetFile, models.TrackedFile]]:
    return session.execute(
        select(models.DatasetFile, models.TrackedFile)
        .join(models.TrackedFile, models.TrackedFile.id == models.DatasetFile.file_id)
        .where(models.DatasetFile.dataset_id == dataset_id, models.DatasetFile.file_id.in_(file_ids))
    ).all()


def _edited_ids(session: Session, file_ids: list[str]) -> set[str]:
    query = select(models.Caption.file_id).where(
        models.Caption.file_id.in_(file_ids), models.Caption.manually_edited.is_(True)
    )
    return set(session.scalars(query))


def _captioned_ids(session: Session, file_ids: list[str]) -> set[str]:
    query = select(models.Caption.file_id).where(
        models.Caption.file_id.in_(file_ids), models.Caption.caption_text != ""
    )
    return set(session.scalars(query))


def _best_rank(tracked: models.TrackedFile, edited: bool, captioned: bool) -> tuple[bool, float, float]:
    """Edited caption first; then quality blended with resolution (up to one megapixel) and any caption."""
    pixels = min((tracked.width or 0) * (tracked.height or 0) / 1_048_576, 1.0)
    blended = (tracked.quality_score or 0.0) + 0.5 * pixels + (0.25 if captioned else 0.0)
    return (edited, blended, tracked.file_size_mb or 0)


def _rank(tracked: models.TrackedFile) -> tuple[float, int, float]:
    return (
        tracked.quality_score or 0.0,
        (tracked.width or 0) * (tracked.height or 0),
        tracked.file_size_mb or 0,
    )


# A file of a group with what orders it: quality, then pixels, then bytes (best first).
Ranked = tuple[tuple[float, int, float], DuplicateFile]


def _group(kind: str, members: list[str], files: dict[str, Ranked]) -> DuplicateGroup:
    ordered = [file for _, file in sorted((files[m] for m in members), key=lambda f: f[0], reverse=True)]
    return DuplicateGroup(kind=kind, best=ordered[0].file_id, files=ordered)


def _first(by_hash: dict[str, list[str]], tracked: models.TrackedFile) -> bool:
    return by_hash[tracked.file_hash][0] == tracked.id


def _ranked_file(tracked: models.TrackedFile, excluded: bool) -> Ranked:
    return _rank(tracked), DuplicateFile(
        file_id=tracked.id,
        filename=tracked.filename,
        file_hash=tracked.file_hash,
        width=tracked.width,
        height=tracked.height,
        file_size_mb=tracked.file_size_mb,
        quality_score=tracked.quality_score,
        quality_flags=json.loads(tracked.quality_flags or "[]"),
        excluded=excluded,
        thumbnail_url=thumbnail_url(tracked.id, tracked.thumbnail_key),
    )
