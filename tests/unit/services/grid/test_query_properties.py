"""Property-based tests of the filter language: no input crashes it, and text and AST round-trip."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services.grid.query import compile_query, filter_rows
from app.services.grid.query_syntax import (
    KEYWORDS,
    NUMBER_FIELDS,
    OPERATORS,
    TEXT_FIELDS,
    And,
    Compare,
    Field,
    Keyword,
    Not,
    Or,
    QueryError,
    Text,
    format_query,
    parse_query,
)

FRAGMENTS = [
    "(", ")", '"', "\\", "-", ":", "<", ">", "=", "<=", " ", "  ", "\t", "AND", "OR", "NOT", "and",
    "tag", "caption", "name", "folder", "flag", "quality", "tokens", "chars", "uncaptioned", "edited",
    "smile", "red dress", "0.5", "-1", "1e3", "nan", "inf", "*", "é", "\u2028", "\x00",
]  # fmt: skip
query_soup = st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join)
any_query = st.one_of(st.text(max_size=60), query_soup)

leaf = st.one_of(
    st.builds(Text, st.text(max_size=12)),
    st.builds(Field, st.sampled_from(TEXT_FIELDS), st.text(max_size=12)),
    st.builds(
        Compare,
        st.sampled_from(NUMBER_FIELDS),
        st.sampled_from(OPERATORS),
        st.floats(allow_nan=False, allow_infinity=False),
    ),
    st.builds(Keyword, st.sampled_from(KEYWORDS)),
)
ast = st.recursive(
    leaf,
    lambda children: st.one_of(
        st.builds(Not, children),
        st.builds(And, st.lists(children, min_size=2, max_size=4).map(tuple)),
        st.builds(Or, st.lists(children, min_size=2, max_size=4).map(tuple)),
    ),
    max_leaves=12,
)

row = st.fixed_dictionaries(
    {
        "file_id": st.uuids().map(str),
        "filename": st.text(max_size=12),
        "file_path": st.text(max_size=20),
        "folder_id": st.text(max_size=5),
        "width": st.one_of(st.none(), st.integers(0, 10000)),
        "height": st.one_of(st.none(), st.integers(0, 10000)),
        "excluded": st.booleans(),
        "quality_score": st.one_of(st.none(), st.floats(0, 1)),
        "quality_flags": st.lists(st.sampled_from(["blurry", "low_resolution", "dark"]), max_size=2),
        "caption_text": st.one_of(st.none(), st.text(max_size=40), query_soup),
        "caption_state": st.sampled_from(["none", "imported", "generated", "edited"]),
    }
)


@given(any_query)
@settings(max_examples=250, deadline=None)
def test_any_input_parses_or_raises_a_query_error(text):
    try:
        node = parse_query(text)
    except QueryError as error:
        assert 0 <= error.position <= len(text)
        assert error.message
        return
    # Whatever parses, formats to text that parses back to the same tree.
    assert parse_query(format_query(node)) == node


@given(ast)
@settings(max_examples=200, deadline=None)
def test_every_tree_formats_to_text_that_parses_back_to_it(node):
    assert parse_query(format_query(node)) == node


@given(any_query, st.lists(row, max_size=5))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_evaluation_never_crashes_on_any_query_and_row(text, rows):
    try:
        predicate = compile_query(text)
    except QueryError:
        return
    for item in rows:
        assert predicate(item) in (True, False)


@given(ast, st.lists(row, max_size=6))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_not_is_the_complement_and_or_is_the_union(node, rows):
    query = format_query(node)
    kept = filter_rows(rows, query)
    negated = filter_rows(rows, f"NOT ({query})")
    assert len(kept) + len(negated) == len(rows)
    assert not {id(r) for r in kept} & {id(r) for r in negated}
    both = filter_rows(rows, f"({query}) OR uncaptioned")
    assert {id(r) for r in both} == {id(r) for r in kept} | {id(r) for r in filter_rows(rows, "uncaptioned")}
