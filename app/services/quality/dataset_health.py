"""Dataset health: quality histogram, flag counts, aspect buckets, resolution spread, caption coverage."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session
from typing_extensions import Unpack

from app import models
from app.db import Database
from app.services.buckets import SDXL_BUCKETS, nearest_bucket
from app.services.crop_box import cropped_size, stored_box
from app.services.quality.quality_shapes import CaptionCoverage, Health, HistogramBin

QUALITY_BINS = 10
SHORT_SIDE_EDGES = [512, 768, 1024, 1536, 2048]
CAPTION_LENGTH_EDGES = [50, 100, 200, 300, 500]


def blended_quality(measured: float | None, model: float | None, measured_weight: float) -> float | None:
    """Overall quality: measured metrics weighted over the model's opinion; either alone when the other is missing."""
    if measured is None or model is None:
        return measured if model is None else model
    return round(measured_weight * measured + (1 - measured_weight) * model, 3)


def dataset_health(
    db: Database, dataset_id: str, caption_set_id: str | None = None, measured_weight: float = 0.7
) -> Health:
    """The numbers behind the health charts of a dataset's included files (one pass over the members).

    Buckets and short sides count each image as it will be exported (cropped).
    Returns quality_histogram (10 bins 0..1, plus "unscored"), flags {flag: n}, buckets {"WxH": n},
    short_side {"<512": n, ...}, coverage per caption set, and caption_lengths for caption_set_id.
    """
    with db.session() as session:
        rows = _included_members(session, dataset_id)
        sets = session.scalars(
            select(models.CaptionSet).where(models.CaptionSet.dataset_id == dataset_id)
        ).all()
        captions = _captions_of(session, dataset_id)
    member_ids = {row.id for row in rows}
    model_scores = {c.file_id: c.quality_score for c in captions if c.caption_set_id == caption_set_id}
    figures = _member_figures(rows, model_scores, measured_weight)
    coverage = [
        CaptionCoverage(
            caption_set_id=caption_set.id,
            name=caption_set.name,
            captioned=sum(
                1
                for c in captions
                if c.caption_set_id == caption_set.id and c.file_id in member_ids and c.caption_text.strip()
            ),
            total=len(member_ids),
        )
        for caption_set in sets
    ]
    lengths = Counter(
        _bin_label(len(c.caption_text), CAPTION_LENGTH_EDGES)
        for c in captions
        if c.caption_set_id == caption_set_id and c.file_id in member_ids
    )
    return Health(
        file_count=len(rows),
        coverage=coverage,
        caption_lengths={label: lengths.get(label, 0) for label in _bin_labels(CAPTION_LENGTH_EDGES)},
        **figures,
    )


def _included_members(session: Session, dataset_id: str) -> Sequence[Row[Unpack[tuple[Any, ...]]]]:
    """The included members' sizes, measured quality, flags and crop boxes."""
    return session.execute(
        select(
            models.TrackedFile.id,
            models.TrackedFile.width,
            models.TrackedFile.height,
            models.TrackedFile.quality_score,
            models.TrackedFile.quality_flags,
            models.DatasetFile.crop_x,
            models.DatasetFile.crop_y,
            models.DatasetFile.crop_w,
            models.DatasetFile.crop_h,
        )
        .join(models.DatasetFile, models.DatasetFile.file_id == models.TrackedFile.id)
        .where(models.DatasetFile.dataset_id == dataset_id, models.DatasetFile.excluded.is_(False))
    ).all()


def _captions_of(session: Session, dataset_id: str) -> Sequence[Row[Unpack[tuple[Any, ...]]]]:
    """Every caption of every caption set of the dataset: set, file, text and the model's quality score."""
    return session.execute(
        select(
            models.Caption.caption_set_id,
            models.Caption.file_id,
            models.Caption.caption_text,
            models.Caption.quality_score,
        )
        .join(models.CaptionSet, models.CaptionSet.id == models.Caption.caption_set_id)
        .where(models.CaptionSet.dataset_id == dataset_id)
    ).all()


def _member_figures(
    rows: Sequence[Row[Unpack[tuple[Any, ...]]]],
    model_scores: dict[str, float | None],
    measured_weight: float,
) -> dict[str, Any]:
    """The quality histogram, unscored count, flags, buckets and short sides of the members' rows."""
    histogram = [0] * QUALITY_BINS
    unscored = 0
    flags: Counter[str] = Counter()
    buckets: Counter[str] = Counter()
    short_sides: Counter[str] = Counter()
    for row in rows:
        score = blended_quality(row.quality_score, model_scores.get(row.id), measured_weight)
        if score is None:
            unscored += 1
        else:
            histogram[min(QUALITY_BINS - 1, int(score * QUALITY_BINS))] += 1
        flags.update(json.loads(row.quality_flags or "[]"))
        if row.width and row.height:
            # As the image will be exported: cropped first.
            width, height = cropped_size(row.width, row.height, stored_box(row))
            buckets[nearest_bucket(width, height)] += 1
            short_sides[_bin_label(min(width, height), SHORT_SIDE_EDGES)] += 1
    return {
        "quality_histogram": [
            HistogramBin(from_=i / QUALITY_BINS, to=(i + 1) / QUALITY_BINS, count=n)
            for i, n in enumerate(histogram)
        ],
        "unscored": unscored,
        "flags": dict(flags.most_common()),
        "buckets": {f"{w}x{h}": buckets.get(f"{w}x{h}", 0) for w, h in SDXL_BUCKETS},
        "short_side": {label: short_sides.get(label, 0) for label in _bin_labels(SHORT_SIDE_EDGES)},
    }


def _bin_labels(edges: list[int]) -> list[str]:
    labels = [f"<{edges[0]}"]
    labels += [f"{low}-{high}" for low, high in zip(edges, edges[1:], strict=False)]
    return labels + [f">={edges[-1]}"]


def _bin_label(value: int, edges: list[int]) -> str:
    labels = _bin_labels(edges)
    for index, edge in enumerate(edges):
        if value < edge:
            return labels[index]
    return labels[-1]
