"""generate_caption against the fake servers: what is sent, every parsing case, errors and retries."""

from __future__ import annotations

import asyncio
import base64
import copy

import pytest
from PIL import Image

from app.config import DEFAULTS
from app.errors import BackendUnavailable
from app.vision.client import generate_caption
from app.vision.errors import BackendRejected, EmptyCaption, ModelNotFound
from app.vision.prompts import CAPTION_SCHEMA
from app.vision.transport import rejection
from tests.fakes.behaviour import CAPTION

THINKING_MESSAGE = "the model spent its budget thinking; use an -instruct model or raise max tokens"


def vision(url: str, **overrides) -> dict:
    values = copy.deepcopy(DEFAULTS)
    values["vision"].update(base_url=url, retry_backoff=0.0, **overrides)
    return values


@pytest.fixture
def photo(make_image):
    return make_image("photo.jpg", size=(800, 600))


async def caption(url, path, style="natural_simple", **kw):
    settings = vision(url, **kw.pop("settings", {}))
    return await generate_caption(settings, path, style=style, **kw)


async def test_ollama_request_is_what_the_protocol_wants(fake_ollama, photo) -> None:
    result = await caption(fake_ollama.url, photo, settings={"max_tokens": 777, "temperature": 0.3})
    assert result.caption == CAPTION
    assert result.quality_score == 0.82 and result.quality_details["sharpness"] == 0.9
    assert result.backend == "ollama" and result.model == "qwen3-vl:4b-instruct"
    sent = fake_ollama.chat_requests()[0]
    body = sent["body"]
    assert body["think"] is False and body["stream"] is False and body["format"] == CAPTION_SCHEMA
    assert body["options"] == {"temperature": 0.3, "num_predict": 777, "num_ctx": 8192}
    assert body["keep_alive"] == "5m"
    image = body["messages"][0]["images"][0]
    assert not image.startswith("data:") and base64.b64decode(image)[:3] == b"\xff\xd8\xff"
    assert sent["images"][0]["format"] == "JPEG"


@pytest.mark.parametrize("mode", ["ok", "fenced", "prose", "trailing_commas", "think_block"])
async def test_json_in_any_wrapping_gives_the_caption_and_quality(fake_ollama, photo, mode) -> None:
    fake_ollama.script(mode)
    result = await caption(fake_ollama.url, photo)
    assert result.caption == CAPTION
    assert result.quality_score == 0.82 and result.flags == []


@pytest.mark.parametrize("mode", ["plain", "preamble", "quoted"])
async def test_plain_text_replies_become_clean_captions(fake_ollama, photo, mode) -> None:
    fake_ollama.script(mode)
    result = await caption(fake_ollama.url, photo)
    assert result.caption.lower().rstrip(".") == CAPTION
    assert result.quality_score is None and "unparsed_response" in result.flags


async def test_a_repetition_loop_is_cut(fake_ollama, photo) -> None:
    fake_ollama.script("repetition")
    result = await caption(fake_ollama.url, photo)
    assert result.caption == CAPTION + ", red square"
    assert "truncated" in result.flags


async def test_thinking_only_reply_is_a_clear_failure(fake_ollama, photo) -> None:
    fake_ollama.script("thinking_only")
    with pytest.raises(EmptyCaption, match=THINKING_MESSAGE):
        await caption(fake_ollama.url, photo)


@pytest.mark.parametrize("failures", [["busy_503", "busy_503"], ["error_500"], ["drop"], ["stream_error"]])
async def test_server_trouble_is_retried(fake_ollama, photo, failures) -> None:
    fake_ollama.script(*failures)
    result = await caption(fake_ollama.url, photo)
    assert result.caption == CAPTION
    assert len(fake_ollama.chat_requests()) == len(failures) + 1


async def test_captions_in_a_row_reuse_one_connection_and_survive_a_dropped_one(fake_ollama, photo) -> None:
    for _ in range(3):
        await caption(fake_ollama.url, photo)
    peers = [request["peer"] for request in fake_ollama.chat_requests()]
    assert len(set(peers)) == 1, "one kept-alive connection, not a connect per caption"
    fake_ollama.script("drop")
    assert (await caption(fake_ollama.url, photo)).caption == CAPTION
    assert (await caption(fake_ollama.url, photo)).caption == CAPTION


async def test_503_beyond_the_retries_says_the_server_is_unavailable(fake_ollama, photo) -> None:
    fake_ollama.script(*["busy_503"] * 5)
    with pytest.raises(BackendUnavailable, match="server busy"):
        await caption(fake_ollama.url, photo, settings={"max_retries": 2})
    assert len(fake_ollama.chat_requests()) == 3


async def test_a_missing_model_is_not_retried(fake_ollama, photo) -> None:
    with pytest.raises(ModelNotFound, match="try pulling it first"):
        await caption(fake_ollama.url, photo, model="qwen3-vl:8b-instruct")
    assert len(fake_ollama.chat_requests()) == 1


async def test_a_curated_id_is_resolved_to_the_backend_name(fake_ollama, photo) -> None:
    result = await caption(fake_ollama.url, photo, model="qwen3-vl-4b")
    assert result.model == "qwen3-vl:4b-instruct"


async def test_no_server_is_backend_unavailable(dead_url, photo) -> None:
    with pytest.raises(BackendUnavailable, match="cannot connect"):
        await caption(dead_url, photo, settings={"max_retries": 1})


async def test_parallel_slots_queue_and_a_full_queue_answers_503(fake_ollama, photo) -> None:
    fake_ollama.latency = 0.05
    results = await asyncio.gather(*[caption(fake_ollama.url, photo) for _ in range(3)])
    assert [r.caption for r in results] == [CAPTION] * 3 and fake_ollama.max_active == 1
    fake_ollama.max_queue = 0
    fake_ollama.latency = 1.0
    first = asyncio.create_task(caption(fake_ollama.url, photo))
    while not fake_ollama.max_active or not fake_ollama.chat_requests()[3:]:
        await asyncio.sleep(0.01)  # the first request holds the only slot
    with pytest.raises(BackendUnavailable, match="server busy"):
        await caption(fake_ollama.url, photo, settings={"max_retries": 0})
    assert (await first).caption == CAPTION


async def test_trigger_phrase_and_max_length_are_applied(fake_ollama, photo) -> None:
    result = await caption(fake_ollama.url, photo, trigger_phrase="Nova Chorus, a woman", max_length=60)
    assert result.caption.startswith("Nova Chorus, a woman, a red square") and len(result.caption) <= 60
    prompt = fake_ollama.chat_requests()[0]["body"]["messages"][0]["content"]
    assert 'Begin the caption with: "Nova Chorus, a woman"' in prompt and "Maximum length: 60" in prompt


async def test_custom_prompt_placeholders_are_filled(fake_ollama, photo) -> None:
    await caption(
        fake_ollama.url,
        photo,
        style="custom",
        custom_prompt="Improve this caption of {filename} in {folder}: {imported_caption}",
        context={"imported_caption": "a red box"},
    )
    prompt = fake_ollama.chat_requests()[0]["body"]["messages"][0]["content"]
    assert prompt.startswith("Improve this caption of photo.jpg in images: a red box")


# --- the image sent ---------------------------------------------------------------------------------


async def test_large_rotated_photo_is_sent_upright_downscaled_as_jpeg(fake_ollama, tmp_path) -> None:
    path = tmp_path / "big.jpg"
    image = Image.new("RGB", (4000, 3000), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90: displayed portrait
    image.save(path, "JPEG", exif=exif, quality=95)
    result = await caption(fake_ollama.url, path)
    sent = fake_ollama.chat_requests()[0]["images"][0]
    assert sent["format"] == "JPEG" and sent["height"] > sent["width"]
    assert sent["width"] * sent["height"] <= 1_500_000 and sent["exif_orientation"] is None
    assert sent["bytes"] < path.stat().st_size
    assert result.raw["image"]["mime"] == "image/jpeg"


async def test_webp_is_never_sent_and_tiny_images_are_enlarged(fake_openai, tmp_path) -> None:
    path = tmp_path / "tiny.webp"
    Image.new("RGB", (20, 10), (200, 0, 0)).save(path, "WEBP")
    await caption(fake_openai.url, path, settings={"backend": "openai", "model": "qwen/qwen3-vl-4b"})
    sent = fake_openai.chat_requests()[0]["images"][0]
    assert sent["format"] == "JPEG" and min(sent["width"], sent["height"]) >= 32


async def test_transparent_png_stays_png(fake_ollama, tmp_path) -> None:
    path = tmp_path / "logo.png"
    Image.new("RGBA", (300, 200), (200, 0, 0, 0)).save(path)
    await caption(fake_ollama.url, path)
    assert fake_ollama.chat_requests()[0]["images"][0]["format"] == "PNG"


# --- OpenAI-compatible ------------------------------------------------------------------------------


def lmstudio(url: str, **more) -> dict:
    return {"backend": "openai", "model": "qwen/qwen3-vl-4b", **more}


async def test_openai_request_uses_data_url_and_json_schema(fake_openai, photo) -> None:
    result = await caption(fake_openai.url, photo, settings=lmstudio(fake_openai.url, api_key="k1"))
    assert result.caption == CAPTION and result.backend == "openai"
    sent = fake_openai.chat_requests()[0]
    body = sent["body"]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == CAPTION_SCHEMA
    url = body["messages"][0]["content"][1]["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,") and sent["images"][0]["format"] == "JPEG"
    assert sent["headers"]["authorization"] == "Bearer k1"


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
async def test_reasoning_is_never_the_caption(fake_openai, photo, field) -> None:
    fake_openai.reasoning_field = field
    fake_openai.script("reasoning", {"content": "", "thinking": "I think this is red", "done_reason": "stop"})
    first = await caption(fake_openai.url, photo, settings=lmstudio(fake_openai.url))
    assert first.caption == CAPTION and first.raw["reasoning_chars"] > 0
    with pytest.raises(EmptyCaption):
        await caption(fake_openai.url, photo, settings=lmstudio(fake_openai.url))


async def test_openai_thinking_budget_and_errors(fake_openai, photo) -> None:
    fake_openai.script("thinking_only")
    with pytest.raises(EmptyCaption, match=THINKING_MESSAGE):
        await caption(fake_openai.url, photo, settings=lmstudio(fake_openai.url))
    with pytest.raises(ModelNotFound, match="not found"):
        await caption(fake_openai.url, photo, settings=lmstudio(fake_openai.url, model="nope/x"))
    fake_openai.no_models_loaded = True
    with pytest.raises(BackendRejected, match="No models loaded"):
        await caption(fake_openai.url, photo, settings=lmstudio(fake_openai.url))
    fake_openai.no_models_loaded = False
    fake_openai.api_key = "right"
    with pytest.raises(BackendRejected, match="API key"):
        await caption(fake_openai.url, photo, settings=lmstudio(fake_openai.url, api_key="wrong"))
    assert len(fake_openai.chat_requests()) == 4  # none of the 4xx were retried


async def test_openai_retries_busy_and_dropped(fake_openai, photo) -> None:
    fake_openai.script("busy_503", "drop", "error_500")
    result = await caption(fake_openai.url, photo, settings=lmstudio(fake_openai.url))
    assert result.caption == CAPTION and len(fake_openai.chat_requests()) == 4


async def test_an_ollama_tag_is_translated_after_switching_to_lm_studio(fake_openai, photo) -> None:
    settings = lmstudio(fake_openai.url, model="qwen3-vl:4b-instruct")
    result = await caption(fake_openai.url, photo, settings=settings)
    assert result.model == "qwen/qwen3-vl-4b"


def test_context_overflow_says_what_to_change() -> None:
    overflow = (
        "Trying to keep the first 5000 tokens ... the model is loaded with context length of only 4096 tokens"
    )
    assert "Lower the max image size" in str(rejection(400, overflow))
