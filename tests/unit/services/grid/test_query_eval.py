"""The filter language evaluated over grid rows (the list_dataset_files row shape)."""

from __future__ import annotations

import pytest

from app.services.grid.query import filter_rows, query_error


def _row(name, caption, **extra):
    row = {
        "file_id": name,
        "filename": f"{name}.jpg",
        "file_path": f"/photos/{extra.pop('folder', 'shoot1')}/{name}.jpg",
        "folder_id": "f1",
        "width": 1024,
        "height": 768,
        "excluded": False,
        "quality_score": 0.8,
        "quality_flags": [],
        "caption_text": caption,
        "caption_state": "generated" if caption else "none",
    }
    row.update(extra)
    return row


ROWS = [
    _row("IMG_001", "ohwx woman, smile, red dress, outdoors"),
    _row("IMG_002", "ohwx woman, hat, Smile", quality_score=0.3, quality_flags=["blurry"]),
    _row("IMG_003", None, folder="shoot2", quality_score=None),
    _row("DSC_004", "a photo of a woman in a red dress " * 12, caption_state="edited", width=512),
    _row("DSC_005", "ohwx woman, smiles, hat", folder="shoot2", excluded=True),
]


def names(query):
    return [row["file_id"] for row in filter_rows(ROWS, query)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["IMG_001", "IMG_002", "IMG_003", "DSC_004", "DSC_005"]),
        ("tag:smile", ["IMG_001", "IMG_002"]),  # exact tag, any case; "smiles" is another tag
        ("tag:smil*", ["IMG_001", "IMG_002", "DSC_005"]),
        ("-tag:hat", ["IMG_001", "IMG_003", "DSC_004"]),
        ('caption:"red dress"', ["IMG_001", "DSC_004"]),
        ("name:img_", ["IMG_001", "IMG_002", "IMG_003"]),
        ("folder:shoot2", ["IMG_003", "DSC_005"]),
        ("quality<0.5", ["IMG_002"]),  # no quality score never satisfies a comparison
        ("quality>=0.8", ["IMG_001", "DSC_004", "DSC_005"]),
        ("flag:blurry", ["IMG_002"]),
        ("tokens>75", ["DSC_004"]),
        ("chars>200", ["DSC_004"]),
        ("width<1000", ["DSC_004"]),
        ("uncaptioned", ["IMG_003"]),
        ("edited", ["DSC_004"]),
        ("excluded", ["DSC_005"]),
        ("dress", ["IMG_001", "DSC_004"]),
        ("dsc", ["DSC_004", "DSC_005"]),  # bare words also search the file name
        ("red dress", ["IMG_001", "DSC_004"]),
        ("tag:hat OR uncaptioned", ["IMG_002", "IMG_003", "DSC_005"]),
        ("tag:hat AND NOT flag:blurry", ["DSC_005"]),
        ("(tag:smile OR tag:hat) -folder:shoot2 quality>0.5", ["IMG_001"]),
    ],
)
def test_filters_rows(query, expected):
    assert names(query) == expected


def test_query_error_reports_for_inline_display_and_none_when_valid():
    assert query_error("tag:smile OR (edited") is not None
    error = query_error("tag:smile OR (edited")
    assert error.position == 13 and "never closed" in error.message
    assert query_error("tag:smile") is None
    assert query_error("") is None


def test_the_grid_view_filters_with_the_query_option():
    from app.services.grid.grid_view import GridOptions, apply_view

    shown = apply_view(ROWS, GridOptions(query="tag:hat", sort="name"))
    assert [row["file_id"] for row in shown] == ["DSC_005", "IMG_002"]
    with pytest.raises(ValueError, match="never closed"):
        apply_view(ROWS, GridOptions(query="(tag:hat"))
