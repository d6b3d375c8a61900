"""filter_rows (a column at a time) keeps exactly the rows the one-row-at-a-time predicate keeps."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services.grid.query import compile_query, filter_rows
from app.services.grid.query_syntax import format_query
from tests.unit.services.grid.test_query_properties import any_query, ast, row


def _row(name, caption, **extra):
    return {"file_id": name, "filename": f"{name}.jpg", "file_path": f"/p/{name}.jpg", "caption_text": caption,
            "quality_score": 0.5, "quality_flags": [], "caption_state": "generated", **extra}  # fmt: skip


ROWS = [
    _row("A", "Smile, RED dress,  outdoors "),
    _row("B", "smile,,hat, , Ünïcödé Tag"),
    _row("C", None, quality_score=None),
    _row("D", ""),
    _row("E", "   "),
    _row("F", 'she said "hi", back\\slash, close-up'),
    _row("G", "İstanbul, STRASSE, straße, ﬁre"),  # lower() lengthens İ; ß and ﬁ have no simple lower twin
    _row("H", "a, b, c" * 40, quality_score=0.2, width=None),
    {"file_id": "I"},  # a row with none of the fields: never matches a field, never crashes
]

QUERIES = [
    "tag:smile", "tag:SMILE", "-tag:smile", 'tag:"red dress"', "tag:red", 'tag:"red, dress"', 'tag:""',
    "tag:hat", "tag:ünïcödé*", "tag:*", "tag:?at", "tag:i̇stanbul", "tag:straße", "tag:strasse", "tag:ﬁre",
    'caption:"red dress"', "caption:DRESS", 'caption:"said \\"hi\\""', "caption:back\\slash", 'caption:","',
    'caption:""', "caption:i̇", "smile", '"RED DRESS"', "b.jpg", "name:a.", "tokens>0", "tokens=0", "tokens>=75",
    "chars<1", "chars>100", "quality<0.3", "quality>=0.5", "quality=0.5", "width>0", "uncaptioned",
    "captioned", "NOT captioned", "(tag:smile OR tag:hat) -tag:outdoors tokens<20", "tag:smile tag:hat",
    "tag:nothing OR uncaptioned", "NOT (tag:smile OR uncaptioned) quality>0.3", "edited", "generated",
    "flag:blurry", "folder:p",
]  # fmt: skip


def _one_at_a_time(rows, query):
    predicate = compile_query(query)
    return [item["file_id"] for item in rows if predicate(item)]


@pytest.mark.parametrize("query", QUERIES)
def test_same_rows_as_one_row_at_a_time(query):
    assert [item["file_id"] for item in filter_rows(ROWS, query)] == _one_at_a_time(ROWS, query)


def test_tags_match_whole_parts_in_any_case_and_ignore_empty_parts():
    def ids(query):
        return [item["file_id"] for item in filter_rows(ROWS, query)]

    assert ids("tag:smile") == ["A", "B"]
    assert ids('tag:"red dress"') == ["A"]
    assert ids('tag:"red, dress"') == []  # a comma always splits: no tag holds one
    assert ids('tag:""') == []
    assert ids("tag:ünïcödé*") == ["B"]
    assert ids("uncaptioned") == ["C", "D", "E", "I"]  # none, empty and blank captions alike
    assert ids('caption:"said \\"hi\\""') == ["F"]


def test_a_caption_edited_in_place_is_read_again():
    rows = [_row("A", "smile, hat"), _row("B", "hat")]
    assert [item["file_id"] for item in filter_rows(rows, "tag:smile tokens>1")] == ["A"]
    rows[1]["caption_text"] = "Smile, hat, more words here"
    assert [item["file_id"] for item in filter_rows(rows, "tag:smile tokens>1")] == ["A", "B"]


@given(ast, st.lists(row, max_size=8))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_tree_keeps_the_same_rows_as_one_row_at_a_time(node, rows):
    query = format_query(node)
    assert [item["file_id"] for item in filter_rows(rows, query)] == _one_at_a_time(rows, query)


@given(any_query, st.lists(row, max_size=5))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_keeps_the_same_rows_or_fails_the_same_way(text, rows):
    try:
        expected = _one_at_a_time(rows, text)
    except ValueError as error:
        with pytest.raises(type(error)):
            filter_rows(rows, text)
        return
    assert [item["file_id"] for item in filter_rows(rows, text)] == expected
