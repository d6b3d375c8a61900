"""Filter language on 20,000 grid rows: parse once and evaluate vs. a naive re-parse per row."""

from __future__ import annotations

import random
import time

import pytest

from app.services.grid.query import compile_query, filter_rows
from app.services.grid.query_syntax import parse_query
from app.services.tokens import _cached_count

pytestmark = pytest.mark.bench

QUERY = '(tag:smile OR caption:"red dress") -tag:hat quality>=0.3 tokens<60'
WORDS = [
    "smile",
    "hat",
    "red dress",
    "woman",
    "outdoors",
    "portrait",
    "bokeh",
    "sunlight",
    "blue sky",
    "ohwx",
]


def _rows(n: int) -> list[dict]:
    rng = random.Random(7)
    return [
        {
            "file_id": str(i),
            "filename": f"IMG_{i:05d}.jpg",
            "file_path": f"/photos/shoot{i % 7}/IMG_{i:05d}.jpg",
            "quality_score": rng.random(),
            "quality_flags": ["blurry"] if i % 9 == 0 else [],
            "caption_text": ", ".join(rng.sample(WORDS, rng.randint(2, 8))),
            "caption_state": "generated",
        }
        for i in range(n)
    ]


def test_filter_20000_rows():
    rows = _rows(20_000)
    start = time.perf_counter()
    kept = filter_rows(rows, QUERY)
    cold = time.perf_counter() - start  # token counts not cached yet
    start = time.perf_counter()
    assert filter_rows(rows, QUERY) == kept
    warm = time.perf_counter() - start

    start = time.perf_counter()
    naive = [row for row in rows if compile_query(QUERY)(row)]  # re-parses the query for every row
    baseline = time.perf_counter() - start
    assert naive == kept
    parse = min(_timed(lambda: parse_query(QUERY)) for _ in range(200))
    print(
        f"\n20,000 rows, {len(kept)} kept: cold {cold * 1000:.0f} ms, warm {warm * 1000:.0f} ms; "
        f"naive re-parse per row {baseline * 1000:.0f} ms (ratio {baseline / warm:.1f}x); "
        f"one parse {parse * 1e6:.0f} us; token cache {_cached_count.cache_info().currsize} texts"
    )


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start
