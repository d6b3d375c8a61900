"""The filter language's parser: the AST it builds, the errors it reports, and format round trips."""

from __future__ import annotations

import pytest

from app.services.grid.query_syntax import (
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


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", None),
        ("   ", None),
        ("smile", Text("smile")),
        ("tag:smile", Field("tag", "smile")),
        ("TAG:Smile", Field("tag", "Smile")),
        ("-tag:hat", Not(Field("tag", "hat"))),
        ('caption:"red dress"', Field("caption", "red dress")),
        ("name:IMG_", Field("name", "IMG_")),
        ("folder:shoot1", Field("folder", "shoot1")),
        ("flag:blurry", Field("flag", "blurry")),
        ("quality<0.5", Compare("quality", "<", 0.5)),
        ("quality <= 0.5", Compare("quality", "<=", 0.5)),
        ("tokens>75", Compare("tokens", ">", 75.0)),
        ("chars>=200", Compare("chars", ">=", 200.0)),
        ("width=1024", Compare("width", "=", 1024.0)),
        ("quality>-1", Compare("quality", ">", -1.0)),
        ("uncaptioned", Keyword("uncaptioned")),
        ("Edited", Keyword("edited")),
        ('"edited"', Text("edited")),
        ('"say \\"hi\\""', Text('say "hi"')),
        ("close-up", Text("close-up")),
        ("red dress", And((Text("red"), Text("dress")))),
        ("a AND b", And((Text("a"), Text("b")))),
        ("a and b", And((Text("a"), Text("and"), Text("b")))),
        ("a OR b c", Or((Text("a"), And((Text("b"), Text("c")))))),
        ("(a OR b) c", And((Or((Text("a"), Text("b"))), Text("c")))),
        ("NOT a", Not(Text("a"))),
        ("NOT NOT a", Not(Not(Text("a")))),
        ("--a", Not(Not(Text("a")))),
        ("a - b", And((Text("a"), Text("-"), Text("b")))),
        ("-(a OR b)", Not(Or((Text("a"), Text("b"))))),
        (
            "tag:smile -tag:hat quality<0.5 OR uncaptioned",
            Or(
                (
                    And((Field("tag", "smile"), Not(Field("tag", "hat")), Compare("quality", "<", 0.5))),
                    Keyword("uncaptioned"),
                )
            ),
        ),
    ],
)
def test_parses_the_documented_forms(query, expected):
    assert parse_query(query) == expected


@pytest.mark.parametrize(
    ("query", "position", "words"),
    [
        ("(a", 0, "never closed"),
        ("a)", 1, "no matching '('"),
        ("()", 0, "Empty parentheses"),
        ('caption:"red', 8, "quote is never closed"),
        ("tag:", 3, "needs a value"),
        ("tag: ", 3, "needs a value"),
        ("quality<abc", 7, "needs a number"),
        ("quality<inf", 7, "needs a number"),
        ("foo:bar", 0, "Unknown field 'foo'"),
        ("quality:0.5", 0, "quality>N"),
        ("tag>3", 0, "cannot be compared"),
        ("a OR", 4, "ends too early"),
        ("OR a", 0, "needs a condition on both sides"),
        ("NOT", 3, "ends too early"),
        (":x", 0, "Unexpected ':'"),
        ("a >3", 0, "'a' cannot be compared"),
    ],
)
def test_errors_say_where_and_why(query, position, words):
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert caught.value.position == position
    assert words in caught.value.message
    assert f"at character {position + 1}" in str(caught.value)


def test_an_operator_word_after_a_colon_is_a_value():
    assert parse_query("tag:OR") == Field("tag", "OR")


def test_deep_nesting_is_refused_with_a_query_error_not_a_crash():
    with pytest.raises(QueryError, match="nests deeper"):
        parse_query("(" * 500 + "a" + ")" * 500)
    with pytest.raises(QueryError, match="nests deeper"):
        parse_query("NOT " * 500 + "a")
    assert parse_query("(" * 20 + "a" + ")" * 20) == Text("a")


@pytest.mark.parametrize(
    "query",
    [
        "tag:smile -tag:hat",
        'caption:"red dress" OR name:IMG_',
        "(a OR b) (c OR NOT d)",
        "quality<0.5 tokens>75 chars>=200.25",
        '"edited" edited "AND" tag:"a b" tag:-x "-y"',
        'caption:"quote \\" and \\\\ backslash"',
    ],
)
def test_format_round_trips(query):
    node = parse_query(query)
    assert parse_query(format_query(node)) == node
