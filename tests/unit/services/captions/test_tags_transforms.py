"""Pure caption transformations behind tag tools and batch edits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.errors import Invalid
from app.services.captions.caption_transforms import (
    add_phrase,
    apply_trigger,
    has_tag,
    join_tags,
    remove_tag,
    rename_tag,
    replace_text,
    split_tags,
    strip_phrase,
)


def test_split_and_join_tags():
    assert split_tags(" a, b ,,c , ") == ["a", "b", "c"]
    assert join_tags(["a", " b ", "", "c"]) == "a, b, c"
    assert has_tag("ohwx, Smile", "smile ") and not has_tag("smiles", "smile")


@pytest.mark.parametrize(
    ("text", "phrase", "position", "expected"),
    [
        ("ohwx, woman, smile", "hat", "end", "ohwx, woman, smile, hat"),
        ("ohwx, woman, smile", "hat", "start", "ohwx, hat, woman, smile"),  # after the trigger phrase
        ("woman, smile", "hat", "start", "hat, woman, smile"),  # no trigger: first
        ("ohwxman, smile", "hat", "start", "hat, ohwxman, smile"),  # trigger must be a whole word
        ("ohwx", "hat", "start", "ohwx, hat"),
        ("ohwx woman smiling.", "bokeh", "end", "ohwx woman smiling. bokeh"),
        ("ohwx, smile,", "hat", "end", "ohwx, smile, hat"),
        ("", "hat", "end", "hat"),
        ("ohwx, Hat", "hat", "end", "ohwx, Hat"),  # already there: unchanged
    ],
)
def test_add_phrase(text, phrase, position, expected):
    assert add_phrase(text, phrase, position=position, trigger_phrase="ohwx") == expected


def test_remove_and_rename_tags():
    assert remove_tag("ohwx, hat, smile, Hat", "hat") == "ohwx, smile"
    assert remove_tag("ohwx, smile", "hat") == "ohwx, smile"
    assert rename_tag("ohwx,smile,  hat", "smile", "grin") == "ohwx, grin, hat"
    assert rename_tag("ohwx, smile, grin", "smile", "grin") == "ohwx, grin"  # merged, no duplicate
    assert rename_tag("a,b", "c", "d") == "a,b"  # untouched text keeps its spacing


@pytest.mark.parametrize(
    ("text", "find", "replacement", "options", "expected"),
    [
        ("Red dress, red hat", "red", "blue", {}, "blue dress, blue hat"),
        ("Red dress, red hat", "red", "blue", {"case_sensitive": True}, "Red dress, blue hat"),
        ("reddish red", "red", "blue", {"whole_word": True}, "reddish blue"),
        ("a.b a-b", "a.b", "X", {}, "X a-b"),  # plain text: the dot is literal
        ("a.b a-b", "a.b", "X", {"regex": True}, "X X"),
        ("woman, 25 years", r"(\d+) years", r"\1yo", {"regex": True}, "woman, 25yo"),
        ("cost $1", "$1", r"\1", {}, r"cost \1"),  # plain replacement is literal
    ],
)
def test_replace_text(text, find, replacement, options, expected):
    assert replace_text(text, find, replacement, **options) == expected


def test_replace_reports_bad_patterns_plainly():
    with pytest.raises(Invalid, match="regular expression is not valid"):
        replace_text("x", "(unclosed", "y", regex=True)
    with pytest.raises(Invalid, match="replacement is not valid"):
        replace_text("x", "x", r"\2", regex=True)
    with pytest.raises(Invalid, match="text to find"):
        replace_text("x", "", "y")


def test_trigger_phrase_and_strip():
    assert apply_trigger("woman, smile", "ohwx") == "ohwx, woman, smile"
    assert apply_trigger("a photo of OHWX woman", "ohwx") == "a photo of OHWX woman"
    assert apply_trigger("", "ohwx") == "ohwx"
    assert strip_phrase("ohwx, woman, high quality, smile", "high quality") == "ohwx, woman, smile"
    assert strip_phrase("high quality, woman", "High Quality") == "woman"
    assert strip_phrase("woman , masterpiece", "masterpiece") == "woman"
    assert strip_phrase("masterpieces, woman", "masterpiece") == "masterpieces, woman"


tag = st.text(alphabet=st.characters(blacklist_characters=","), min_size=1, max_size=8).filter(str.strip)


@given(st.lists(tag, max_size=6), tag)
@settings(deadline=None)
def test_removed_tag_is_gone_and_others_stay_in_order(tags, victim):
    result = remove_tag(join_tags(tags), victim)
    assert not has_tag(result, victim)
    kept = [t.strip() for t in tags if t.strip().lower() != victim.strip().lower()]
    assert split_tags(result) == [t for t in kept if t]


@given(st.lists(tag, max_size=6), tag)
@settings(deadline=None, max_examples=300)
def test_adding_is_idempotent(tags, new):
    once = add_phrase(join_tags(tags), new, position="end")
    assert has_tag(once, new) or once.lower().endswith(new.strip().lower())  # after "." it joins with a space
    assert add_phrase(once, new, position="end") == once
