"""Filtering, sorting and selection rules of the image grid, over plain rows as list_dataset_files returns."""

from datetime import datetime

import pytest

from app.services.grid.grid_selection import Selection
from app.services.grid.grid_view import GridOptions, apply_view, filter_rows, sort_rows


def row(
    file_id,
    filename,
    *,
    caption="",
    state=None,
    quality=None,
    flags=(),
    excluded=False,
    size=1.0,
    day=1,
    order=0,
):
    return {
        "file_id": file_id,
        "filename": filename,
        "caption_text": caption or None,
        "caption_state": state or ("edited" if caption else "none"),
        "quality_score": quality,
        "quality_flags": list(flags),
        "excluded": excluded,
        "file_size_mb": size,
        "date_added": datetime(2024, 1, day),
        "order_index": order,
    }


ROWS = [
    row(
        "a", "beach.jpg", caption="a dog on the beach", state="edited", quality=0.9, size=3.0, day=3, order=0
    ),
    row(
        "b",
        "Alps.png",
        caption="snowy mountains",
        state="generated",
        quality=0.4,
        flags=["blurry"],
        day=1,
        order=1,
    ),
    row("c", "city.jpg", quality=0.7, excluded=True, size=0.5, day=2, order=2),
    row("d", "dog.webp", caption="imported text", state="imported", quality=None, size=2.0, day=4, order=3),
]


def ids(rows):
    return [r["file_id"] for r in rows]


@pytest.mark.parametrize(
    ("show", "expected"),
    [
        ("all", ["a", "b", "c", "d"]),
        ("uncaptioned", ["c"]),
        ("captioned", ["a", "b", "d"]),
        ("edited", ["a"]),
        ("flagged", ["b"]),
        ("excluded", ["c"]),
    ],
)
def test_show_filters(show, expected):
    assert ids(filter_rows(ROWS, GridOptions(show=show))) == expected


def test_quality_below_keeps_unmeasured_rows():
    assert ids(filter_rows(ROWS, GridOptions(quality_below=0.75))) == ["b", "c", "d"]


def test_search_matches_every_word_in_name_or_caption_case_insensitively():
    assert ids(filter_rows(ROWS, GridOptions(search="DOG"))) == ["a", "d"]
    assert ids(filter_rows(ROWS, GridOptions(search="dog beach"))) == ["a"]
    assert ids(filter_rows(ROWS, GridOptions(search="alps"))) == ["b"]
    assert ids(filter_rows(ROWS, GridOptions(search="nothing-like-this"))) == []


def test_filters_combine():
    assert ids(filter_rows(ROWS, GridOptions(show="captioned", search="dog", quality_below=0.5))) == ["d"]


@pytest.mark.parametrize(
    ("sort", "descending", "expected"),
    [
        ("order", False, ["a", "b", "c", "d"]),
        ("name", False, ["b", "a", "c", "d"]),
        ("name", True, ["d", "c", "a", "b"]),
        ("date", False, ["b", "c", "a", "d"]),
        ("quality", True, ["a", "c", "b", "d"]),
        ("quality", False, ["b", "c", "a", "d"]),
        ("caption_length", True, ["a", "b", "d", "c"]),
        ("size", False, ["c", "b", "d", "a"]),
    ],
)
def test_sorts(sort, descending, expected):
    assert ids(sort_rows(list(ROWS), GridOptions(sort=sort, descending=descending))) == expected


def test_unknown_choices_are_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match="uncaptioned"):
        filter_rows(ROWS, GridOptions(show="blue"))
    with pytest.raises(ValueError, match="quality"):
        apply_view(ROWS, GridOptions(sort="colour"))


def test_ten_thousand_rows_view():
    rows = [
        row(str(i), f"img_{i:05}.jpg", caption="x" * (i % 50), quality=(i % 100) / 100) for i in range(10_000)
    ]
    view = apply_view(rows, GridOptions(sort="quality", show="captioned", search="img_0"))
    assert len(view) == 9_800
    assert view[0]["quality_score"] <= view[-1]["quality_score"]


ORDER = ["a", "b", "c", "d", "e"]


def test_plain_click_selects_only_that_tile():
    selection = Selection()
    selection.click("b", ORDER)
    change = selection.click("c", ORDER)
    assert selection.selected == {"c"}
    assert change.added == {"c"} and change.removed == {"b"}


def test_ctrl_click_toggles():
    selection = Selection()
    selection.click("a", ORDER)
    selection.click("c", ORDER, toggle=True)
    assert selection.selected == {"a", "c"}
    change = selection.click("a", ORDER, toggle=True)
    assert selection.selected == {"c"} and change.removed == {"a"}


def test_shift_click_selects_a_range_from_the_anchor_in_either_direction():
    selection = Selection()
    selection.click("b", ORDER)
    selection.click("d", ORDER, extend=True)
    assert selection.selected == {"b", "c", "d"}
    selection.click("a", ORDER, extend=True)  # same anchor, the range flips side
    assert selection.selected == {"a", "b"}


def test_ctrl_shift_adds_a_range_to_the_selection():
    selection = Selection()
    selection.click("e", ORDER)
    selection.click("a", ORDER, toggle=True)
    selection.click("c", ORDER, toggle=True, extend=True)
    assert selection.selected == {"a", "b", "c", "e"}


def test_shift_click_without_anchor_selects_one():
    selection = Selection()
    selection.click("c", ORDER, extend=True)
    assert selection.selected == {"c"}


def test_all_none_invert_act_on_the_shown_tiles():
    selection = Selection()
    selection.select_all(["a", "b"])
    assert selection.selected == {"a", "b"}
    selection.invert(["b", "c"])
    assert selection.selected == {"a", "c"}
    assert selection.in_order(ORDER) == ["a", "c"]
    change = selection.clear()
    assert selection.selected == set() and change.removed == {"a", "c"}


def test_retain_forgets_removed_files():
    selection = Selection()
    selection.select_all(ORDER)
    selection.retain(["a", "b"])
    assert selection.selected == {"a", "b"}
