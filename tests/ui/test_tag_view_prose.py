"""Issue 23: the Tags view does not cut a caption written in sentences at every comma."""

from __future__ import annotations

import pytest
from nicegui.testing import User

from app.ui.workspace.editor.tag_chips import looks_like_prose
from tests.ui.test_tag_chips import chips_of, open_tools

PROSE = [
    "A woman stands in a sunny field, smiling at the camera.",
    "ohwx woman, standing in a wide field of tall golden grass at sunset",  # a trigger then a long phrase
    "A red car. It is parked.",
    "Close-up portrait of an old man with a grey beard and a wool hat",  # no comma, one long phrase
    "Ein Mann steht am Strand. Er lächelt.",  # other languages, accents
]
TAGS = [
    "1girl, red dress, looking at viewer, smile",
    "ohwx, woman, smile",
    "score_9, masterpiece, best quality, long sleeve white shirt",
    "",
    "   ",
    "solo",
    "a.b, c.d",  # dots inside tags are not sentence ends
]


@pytest.mark.parametrize("text", PROSE)
def test_sentences_are_prose(text: str) -> None:
    assert looks_like_prose(text)


@pytest.mark.parametrize("text", TAGS)
def test_tag_lists_are_not_prose(text: str) -> None:
    assert not looks_like_prose(text)


async def test_a_prose_caption_stays_in_text_view_with_a_note(user: User) -> None:
    textarea, tools = await open_tools(user, text=PROSE[0])
    assert tools.view.value == "text" and textarea.visible, "the set's tag style does not chop sentences"
    await user.should_see(marker="tags-prose-note")
    assert tools.chips.visible is False
    # A tag caption in the same set opens as chips again.
    textarea.value = "ohwx, woman, smile"
    await tools.show_set(tools.caption_set_id, "tags")
    assert tools.view.value == "tags" and chips_of(tools) == ["ohwx", "woman", "smile"]
    await user.should_not_see(marker="tags-prose-note")


async def test_choosing_tags_on_prose_is_refused_with_the_note(user: User) -> None:
    textarea, tools = await open_tools(user, text="ohwx, woman")
    tools.view.set_value("text")
    textarea.value = PROSE[2]
    tools.view.set_value("tags")
    assert tools.view.value == "text" and textarea.visible
    await user.should_see(marker="tags-prose-note")
    assert textarea.value == PROSE[2], "the text is untouched"
