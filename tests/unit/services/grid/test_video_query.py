"""Video filters in the grid's query language: duration>, fps:, frames<."""

from __future__ import annotations

import pytest

from app.services.grid.query import filter_rows, query_error
from app.services.grid.query_syntax import Compare, format_query, parse_query


def _row(name, **video):
    row = {
        "file_id": name,
        "filename": name,
        "file_path": f"/v/{name}",
        "caption_text": "",
        "quality_flags": [],
    }
    row.update(video)
    return row


ROWS = [
    _row("still.jpg"),
    _row("short.mp4", is_video=True, duration_seconds=1.5, fps=24.0, frame_count=36),
    _row("long.webm", is_video=True, duration_seconds=12.0, fps=29.97, frame_count=360),
    _row("pal.mkv", is_video=True, duration_seconds=4.0, fps=25.0, frame_count=100),
]


def names(query):
    return [row["file_id"] for row in filter_rows(ROWS, query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("duration>2", ["long.webm", "pal.mkv"]),
        ("duration<=1.5", ["short.mp4"]),
        ("fps:24", ["short.mp4"]),
        ("fps:30", ["long.webm"]),  # 29.97 is the NTSC 30
        ("fps=25", ["pal.mkv"]),
        ("fps:29.97", ["long.webm"]),
        ("fps>=25", ["long.webm", "pal.mkv"]),
        ("frames<81", ["short.mp4"]),
        ("frames:100", ["pal.mkv"]),
        ("NOT duration>0", ["still.jpg"]),  # an image has no duration: it never matches a comparison
        ("duration>1 AND frames<200", ["short.mp4", "pal.mkv"]),
    ],
)
def test_video_filters(query, expected):
    assert names(query) == expected


@pytest.mark.parametrize("query", ["fps:", "fps:fast", "frames<many", "duration>", 'fps:"24"', "fps:inf"])
def test_a_video_filter_without_a_number_is_a_clear_error(query):
    error = query_error(query)
    assert error is not None and "needs a number" in error.message


def test_fps_colon_reads_back_as_an_equality():
    node = parse_query("fps:24")
    assert node == Compare("fps", "=", 24.0)
    assert parse_query(format_query(node)) == node
