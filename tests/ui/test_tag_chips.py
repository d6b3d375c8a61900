"""TagChips and the editor's tag tools under the user fixture: chips, removal, reordering, autocomplete."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User

from app.ui.workspace.editor.editor_tag_tools import EditorTagTools
from app.ui.workspace.editor.tag_chips import TagChips
from tests.app_services import running
from tests.caption_tools_seed import seed_caption_set


async def open_tools(user: User, text: str = "ohwx, woman, smile") -> tuple[ui.textarea, EditorTagTools]:
    await user.open("/")  # starts the app (and its Core)
    seeded = seed_caption_set(running().db)
    made = {}

    @ui.page("/chips-test")
    async def chips_page() -> None:
        made["text"] = ui.textarea(value=text).mark("caption-input")
        made["tools"] = EditorTagTools(running().db, made["text"])
        await made["tools"].show_set(seeded["id"], "tags")

    await user.open("/chips-test")
    return made["text"], made["tools"]


def chips_of(tools: EditorTagTools) -> list[str]:
    """The chip texts in screen order."""
    return [chip.text for chip in tools.chips.chip_row.default_slot.children if isinstance(chip, ui.chip)]


async def test_tags_style_opens_as_chips_in_caption_order(user: User) -> None:
    textarea, tools = await open_tools(user)
    assert tools.view.value == "tags" and not textarea.visible
    assert chips_of(tools) == ["ohwx", "woman", "smile"]
    await user.should_see(content="5 / 75 tokens", retries=50)  # the commas are tokens too


async def test_remove_reorder_and_textarea_stay_in_sync(user: User) -> None:
    textarea, tools = await open_tools(user)
    chips: TagChips = tools.chips
    [chip] = user.find(marker="tag-chip", content="woman").elements
    chip.set_value(False)  # what the chip's × does in the browser
    assert textarea.value == "ohwx, smile"
    assert chips_of(tools) == ["ohwx", "smile"]

    user.find(marker="tag-chip", content="ohwx").trigger("dragstart")
    user.find(marker="tag-chip", content="smile").trigger("drop")
    assert textarea.value == "smile, ohwx"

    textarea.value = "ohwx, hat"  # typing in the text view updates the chips
    assert chips_of(tools) == ["ohwx", "hat"]
    assert chips.tags == ["ohwx", "hat"]


async def test_autocomplete_ranks_the_sets_tags_by_frequency(user: User) -> None:
    textarea, tools = await open_tools(user, text="ohwx")
    user.find(marker="tag-input").type("s")
    await user.should_see(marker="tag-suggestion", retries=50)
    suggestions = [button.text for button in tools.chips.suggestion_row.default_slot.children]
    assert suggestions[0] == "smile (3)"  # prefix matches first, most frequent first
    assert "ohwx (3)" not in suggestions  # already in the caption
    user.find(marker="tag-input").clear().type("red").trigger("keydown.enter")
    assert textarea.value == "ohwx, red"
    user.find(marker="tag-input").type("hat")
    user.find("hat (2)").click()
    assert textarea.value == "ohwx, red, hat"


async def test_toggle_switches_between_text_and_chips(user: User) -> None:
    textarea, tools = await open_tools(user)
    tools.view.value = "text"
    assert textarea.visible and not tools.chips.visible
    textarea.value = "a photo of a cat"
    await user.should_see(content="5 / 75 tokens", retries=50)
    textarea.value = "red, " * 40
    await user.should_see(content="80 / 75 tokens (5 cut off)", retries=50)
