"""Reply parsing, caption post-processing, prompts and the curated catalog, without a server."""

from __future__ import annotations

import pytest

from app.services.captions.postprocess import clean_tags, finish_caption
from app.vision.catalog import default_model, find_model, load_catalog
from app.vision.errors import EmptyCaption, VisionError
from app.vision.parsing import cut_repetition, extract_json, parse_quality, parse_reply, strip_thinking
from app.vision.prompts import build_prompt, fill_placeholders


@pytest.mark.parametrize(
    "reply",
    [
        '{"caption": "a cat on a mat", "quality": {"overall": 0.7}, "flags": ["blurry"]}',
        '```json\n{"caption": "a cat on a mat", "quality": {"overall": 0.7}, "flags": ["blurry"]}\n```',
        'Here you go: {"caption": "a cat on a mat", "quality": {"overall": 0.7}, "flags": ["blurry"],} Enjoy!',
        '<think>hmm, a cat</think>{"caption": "a cat on a mat", "quality": {"overall": 0.7}, "flags": ["blurry"]}',
        'Okay.</think>\n{"caption": "a cat on a mat", "quality": {"overall": 0.7}, "flags": ["blurry"]}',
    ],
)
def test_json_answers_in_any_wrapping(reply: str) -> None:
    parsed = parse_reply(reply)
    assert (parsed.caption, parsed.quality["overall"], parsed.flags) == ("a cat on a mat", 0.7, ["blurry"])


@pytest.mark.parametrize(
    "reply",
    [
        "A cat on a mat.",
        "Here is a caption: A cat on a mat.",
        'Sure! Here\'s a detailed caption for the image:\n\n"A cat on a mat."',
        "Caption: “A cat on a mat.”",
        "**A cat on a mat.**",
    ],
)
def test_plain_text_answers(reply: str) -> None:
    parsed = parse_reply(reply)
    assert parsed.caption == "A cat on a mat." and parsed.quality == {}
    assert parsed.flags == ["unparsed_response"]


def test_json_cut_off_by_the_token_limit_still_gives_the_caption() -> None:
    parsed = parse_reply(
        '{"caption": "a cat on a mat, a cat on a mat, a cat on a mat, a cat on', done_reason="length"
    )
    assert parsed.caption == "a cat on a mat" and "truncated" in parsed.flags


def test_empty_content_with_length_is_the_thinking_failure() -> None:
    with pytest.raises(
        EmptyCaption, match="the model spent its budget thinking; use an -instruct model or raise max tokens"
    ):
        parse_reply("", done_reason="length")
    with pytest.raises(EmptyCaption, match="budget thinking"):
        parse_reply("<think>I see a cat and", done_reason="length")
    with pytest.raises(EmptyCaption, match="empty caption"):
        parse_reply("   ", done_reason="stop")


def test_json_without_a_caption_is_an_error() -> None:
    with pytest.raises(VisionError, match="without a caption"):
        parse_reply('{"answer": 42}')


def test_tags_as_a_list_and_quality_scales() -> None:
    parsed = parse_reply('{"tags": ["cat", "mat"], "quality": {"sharpness": 8, "exposure": 90}}')
    assert parsed.caption == "cat, mat"
    assert parsed.quality == {"sharpness": 0.8, "exposure": 0.9, "overall": 0.85}
    assert parse_quality({"overall": "n/a"}) == {}


def test_helpers() -> None:
    assert strip_thinking("a<think>b</think>c") == "ac"
    assert extract_json("no json here") is None
    assert cut_repetition("a dog running, running, running, running fast") == "a dog running"
    assert cut_repetition("a very good dog") == "a very good dog"


# --- post-processing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("a woman in a garden", "Nova Chorus, a woman in a garden"),
        ("A woman in a garden", "Nova Chorus, a woman in a garden"),
        ("Nova Chorus, a woman in a garden", "Nova Chorus, a woman in a garden"),
        ("nova chorus, a woman Nova Chorus, a woman in a garden", "Nova Chorus, a woman in a garden"),
        ("A red car on a road", "Nova Chorus, a woman, a red car on a road"),
        ("Nova Chorus, a woman", "Nova Chorus, a woman"),
    ],
)
def test_trigger_phrase_once_at_the_start(caption: str, expected: str) -> None:
    assert finish_caption(caption, style="natural_simple", trigger_phrase="Nova Chorus, a woman") == expected


def test_max_length_cuts_at_a_word_boundary() -> None:
    text = finish_caption("a photograph of a lighthouse at dusk", style="natural_simple", max_length=20)
    assert text == "a photograph of a" and len(text) <= 20
    assert finish_caption("short", style="natural_simple", max_length=20) == "short"


def test_tags_are_cleaned_deduplicated_and_fit() -> None:
    assert clean_tags(" cat,, Cat , #mat\n- sunny ., 'red'") == ["cat", "mat", "sunny", "red"]
    text = finish_caption("cat, mat, sunny, red, Nova", style="tags", trigger_phrase="Nova", max_length=16)
    assert text == "Nova, cat, mat"


# --- prompts ----------------------------------------------------------------------------------------


def test_each_style_has_its_prompt_with_constraints() -> None:
    simple = build_prompt("natural_simple", max_length=120, trigger_phrase="ohwx man")
    assert "one clear, concise sentence" in simple and "Maximum length: 120 characters." in simple
    assert 'Begin the caption with: "ohwx man"' in simple and '"caption"' in simple
    assert "2-3 sentence" in build_prompt("natural_detailed")
    tags = build_prompt("tags", trigger_phrase="ohwx")
    assert "comma-separated tags" in tags and 'The first tag must be exactly: "ohwx"' in tags


def test_custom_prompt_placeholders() -> None:
    prompt = build_prompt(
        "custom",
        custom_prompt="Rewrite for {trigger} ({max_length} chars) {filename} {folder}: {imported_caption} {other}",
        trigger_phrase="ohwx",
        max_length=99,
        context={"filename": "a.jpg", "folder": "set1", "imported_caption": "old text"},
    )
    assert prompt.startswith("Rewrite for ohwx (99 chars) a.jpg set1: old text {other}")
    assert fill_placeholders("{imported_caption}", {}) == ""


# --- catalog ----------------------------------------------------------------------------------------


def test_curated_models_default_to_instruct_tags(tmp_path) -> None:
    catalog = load_catalog(tmp_path)
    assert [m.id for m in catalog] == ["qwen3-vl-2b", "qwen3-vl-4b", "qwen3-vl-8b", "qwen3-vl-30b"]
    assert all(m.model_name("ollama").endswith("-instruct") for m in catalog)
    assert default_model(catalog).model_name("openai") == "qwen/qwen3-vl-4b"
    assert find_model(catalog, "qwen3-vl:8b-instruct").id == "qwen3-vl-8b"
    assert find_model(catalog, "my-own:1b") is None
    assert catalog[1].pull_command("openai") == "lms get qwen/qwen3-vl-4b"


def test_user_models_yaml_extends_and_overrides(tmp_path) -> None:
    (tmp_path / "models.yaml").write_text(
        "models:\n"
        "  - id: qwen3-vl-4b\n    backends: {ollama: {model_name: 'qwen3-vl:4b-instruct-q8_0'}}\n"
        "  - id: llava-7b\n    name: LLaVA 7B\n    backends: {ollama: {model_name: 'llava:7b'}}\n",
        encoding="utf-8",
    )
    catalog = load_catalog(tmp_path)
    four = find_model(catalog, "qwen3-vl-4b")
    assert four.model_name("ollama") == "qwen3-vl:4b-instruct-q8_0"
    assert four.model_name("openai") == "qwen/qwen3-vl-4b" and four.name == "Qwen3-VL 4B"
    assert catalog[-1].name == "LLaVA 7B"
    (tmp_path / "models.yaml").write_text("models: [", encoding="utf-8")
    assert len(load_catalog(tmp_path)) == 4  # a broken user file is ignored
