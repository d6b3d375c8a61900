"""Batch edit, find & replace, recent changes and the tag panel under the user fixture."""

from __future__ import annotations

import asyncio

from nicegui import ui
from nicegui.testing import User

from app.services.datasets import dataset_members
from app.ui.workspace.caption_tools.batch_edit_dialog import BatchEditDialog
from app.ui.workspace.caption_tools.batch_preview import GridScope
from app.ui.workspace.caption_tools.find_replace_dialog import FindReplaceDialog
from app.ui.workspace.caption_tools.recent_changes import RecentChangesDialog
from app.ui.workspace.caption_tools.tag_panel import TagPanel, tag_query
from tests.app_services import running
from tests.caption_tools_seed import seed_caption_set


async def eventually(predicate, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    assert predicate()


def texts(seeded) -> list[str | None]:
    rows = dataset_members.list_dataset_files(running().db, seeded["dataset_id"], seeded["id"])
    return [row["caption_text"] for row in rows]


async def open_page(user: User, build):
    await user.open("/")
    seeded = seed_caption_set(running().db)
    results: dict = {}

    @ui.page("/tools-test")
    def tools_page() -> None:
        build(seeded, results)

    await user.open("/tools-test")
    return seeded, results


async def test_find_replace_previews_then_applies_one_undoable_batch(user: User) -> None:
    def build(seeded, results):
        async def run_dialog():
            scope = GridScope(seeded["id"], selected_ids=[], shown_ids=seeded["file_ids"])
            results["result"] = await FindReplaceDialog(running().db, scope)

        async def run_recent():
            results["undone"] = await RecentChangesDialog(running().db, seeded["id"]).choose()

        ui.button("open", on_click=run_dialog).mark("open-dialog")
        ui.button("recent", on_click=run_recent).mark("open-recent")

    seeded, results = await open_page(user, build)
    user.find(marker="open-dialog").click()
    await user.should_see(marker="find-text", retries=50)
    user.find(marker="find-text").type("Smile")
    user.find(marker="replace-text").type("grin")
    user.find(marker="find-whole-word").click()
    apply = next(iter(user.find(marker="edit-apply").elements))
    assert not apply.enabled  # nothing applies before a preview
    user.find(marker="edit-preview").click()
    await user.should_see("3 of 4 captions would change", retries=50)
    assert apply.enabled
    assert texts(seeded)[0] == "ohwx, woman, smile, red dress"  # the preview wrote nothing
    user.find(marker="find-case").click()  # a changed form needs a new preview
    assert not apply.enabled
    user.find(marker="edit-preview").click()
    await user.should_see("1 of 4 captions would change", retries=50)
    user.find(marker="edit-apply").click()
    await eventually(lambda: "result" in results)
    assert results["result"].changed == 1
    assert texts(seeded)[1] == "ohwx, woman, hat, grin"

    user.find(marker="open-recent").click()
    await user.should_see(marker="recent-batch-undo", retries=50)
    await user.should_see('Replace text "Smile" with "grin"', retries=50)
    user.find(marker="recent-batch-undo").click()
    await user.should_see(marker="recent-batch-undone", retries=50)
    assert texts(seeded)[1] == "ohwx, woman, hat, Smile"


async def test_batch_edit_adds_after_the_trigger_phrase_on_the_selection(user: User) -> None:
    def build(seeded, results):
        async def run_dialog():
            scope = GridScope(
                seeded["id"], selected_ids=seeded["file_ids"][2:3], shown_ids=seeded["file_ids"]
            )
            results["result"] = await BatchEditDialog(running().db, scope)

        ui.button("open", on_click=run_dialog).mark("open-dialog")

    seeded, results = await open_page(user, build)
    user.find(marker="open-dialog").click()
    await user.should_see(marker="batch-op", retries=50)
    next(iter(user.find(marker="batch-op").elements)).value = "apply_trigger"
    user.find(marker="edit-preview").click()
    await user.should_see("1 of 1 captions would change", retries=50)
    await user.should_see("ohwx, woman, hat, outdoors", marker="preview-after", retries=50)
    user.find(marker="edit-apply").click()
    await eventually(lambda: "result" in results)
    assert texts(seeded)[2] == "ohwx, woman, hat, outdoors"
    assert texts(seeded)[0] == "ohwx, woman, smile, red dress"


async def test_tag_panel_click_filters_and_alt_click_negates(user: User) -> None:
    def build(seeded, results):
        results["queries"] = []
        panel = TagPanel(running().db, on_query=results["queries"].append, on_changed=lambda ids: None)
        results["panel"] = panel
        ui.button("load", on_click=lambda: panel.show_set(seeded["id"])).mark("load-tags")

    seeded, results = await open_page(user, build)
    user.find(marker="load-tags").click()
    await user.should_see("red dress", retries=50)
    user.find(marker="tag-panel-item", content="hat").trigger("click", {"altKey": False})
    user.find(marker="tag-panel-item", content="red dress").trigger("click", {"altKey": True})
    await eventually(lambda: len(results["queries"]) == 2)
    assert results["queries"] == ["tag:hat", '-tag:"red dress"']
    user.find(marker="tag-panel-filter").type("sm")
    await user.should_not_see("outdoors")
    assert tag_query("a:b") == 'tag:"a:b"'


async def test_tag_panel_renames_a_tag_after_a_preview(user: User) -> None:
    def build(seeded, results):
        results["changed"] = []
        panel = TagPanel(running().db, on_query=lambda q: None, on_changed=results["changed"].append)
        ui.button("load", on_click=lambda: panel.show_set(seeded["id"])).mark("load-tags")

    seeded, results = await open_page(user, build)
    user.find(marker="load-tags").click()
    await user.should_see("outdoors", retries=50)
    menu = next(
        button for button in user.find(marker="tag-panel-menu").elements if _tag_of(button) == "smile"
    )
    with user.client:
        for listener in menu._event_listeners.values():
            if listener.type == "click":
                listener.handler(None)
    await user.should_see(marker="tag-actions-title", content='Tag "smile"')
    user.find(marker="tag-rename").click()
    await user.should_see(marker="tag-new-name", retries=50)
    new_name = next(iter(user.find(marker="tag-new-name").elements))
    new_name.value = "grin"
    user.find(marker="edit-preview").click()
    await user.should_see("3 of 4 captions would change", retries=50)
    user.find(marker="edit-apply").click()
    await eventually(lambda: len(results["changed"]) == 1)
    assert texts(seeded)[:2] == ["ohwx, woman, grin, red dress", "ohwx, woman, hat, grin"]
    await user.should_see("grin", retries=50)


def _tag_of(button) -> str:
    """The tag of a panel row's ⋮ button: the row's first label."""
    return button.parent_slot.parent.default_slot.children[0].text
