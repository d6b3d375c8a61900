"""Leaving an edited caption (issue 23): the unsaved state shows, the default asks, "remember my choice"
writes the setting, "discard" mode discards, and the Settings page edits the choice and the other defaults."""

from __future__ import annotations

import yaml
from nicegui.testing import User

from app.config import DEFAULTS
from tests.app_services import running
from tests.ui.test_workspace_editor import open_image, stored
from tests.ui.test_workspace_grid import open_dataset


def element(user: User, marker: str):
    return next(iter(user.find(marker=marker).elements))


def saved_yaml() -> dict:
    return yaml.safe_load(running().settings.config_path.read_text(encoding="utf-8"))


def test_the_default_asks() -> None:
    assert DEFAULTS["editor"]["on_navigate"] == "ask"


async def test_unsaved_text_shows_on_the_field_and_goes_away_when_saved(user: User) -> None:
    seeded, grid = await open_dataset(user)
    await open_image(user, grid, seeded, 1)
    field = element(user, "caption-input")
    assert "cf-unsaved" not in field.classes
    user.find(marker="caption-input").type("typed by accident")
    await user.should_see("Unsaved changes", marker="caption-unsaved", retries=50)
    assert "cf-unsaved" in field.classes and field.props.get("bg-color") == "amber-1"
    user.find(marker="editor-save").click()
    await user.should_not_see(marker="caption-unsaved", retries=50)
    assert "cf-unsaved" not in field.classes


async def test_remember_my_choice_writes_the_setting_and_stops_asking(user: User) -> None:
    seeded, grid = await open_dataset(user, on_navigate="ask")
    await open_image(user, grid, seeded, 0)
    user.find(marker="caption-input").clear().type("throw this away")
    user.find(marker="editor-next").click()
    await user.should_see(marker="unsaved-dialog", retries=50)
    element(user, "unsaved-remember").set_value(True)
    user.find(marker="unsaved-discard").click()
    await user.should_see("img_00001.jpg", marker="editor-filename", retries=50)
    assert stored(seeded, 0) == "a synthetic photo number 0"  # the stored text is untouched
    assert running().settings["editor"]["on_navigate"] == "discard"
    assert saved_yaml()["editor"]["on_navigate"] == "discard"
    # Next time it does not ask: it discards.
    user.find(marker="caption-input").clear().type("also thrown away")
    user.find(marker="editor-next").click()
    await user.should_see("img_00002.jpg", marker="editor-filename", retries=50)
    await user.should_not_see(marker="unsaved-dialog")
    assert stored(seeded, 1) is None  # img 1 had no caption and still has none


async def test_clicking_another_tile_asks_too(user: User) -> None:
    seeded, grid = await open_dataset(user, on_navigate="ask")
    await open_image(user, grid, seeded, 0)
    user.find(marker="caption-input").clear().type("half done")
    user.find(marker="thumb-grid").trigger("tile_click", {"id": seeded.file_ids[5]})
    await user.should_see(marker="unsaved-dialog", retries=50)
    user.find(marker="unsaved-stay").click()
    await user.should_not_see(marker="unsaved-dialog", retries=50)
    await user.should_see("img_00000.jpg", marker="editor-filename")
    assert element(user, "caption-input").value == "half done"


async def test_settings_page_edits_save_on_leave_and_the_defaults(user: User) -> None:
    await user.open("/settings")
    await user.should_see(marker="workspace-settings")
    element(user, "settings-on_navigate").set_value("save")
    element(user, "settings-image_processing-training_resolution").set_value(768)
    element(user, "settings-thumbnails-size").set_value(320)
    element(user, "settings-export-jpeg_quality").set_value(90)
    element(user, "settings-export-caption_extension").set_value("caption")
    user.find(marker="workspace-settings-save").click()
    await user.should_see("Editing and export settings saved")
    settings = running().settings
    assert settings["editor"]["on_navigate"] == "save"
    assert settings["image_processing"]["training_resolution"] == 768
    on_disk = saved_yaml()
    assert on_disk["thumbnails"]["size"] == 320 and on_disk["export"]["jpeg_quality"] == 90
    assert on_disk["export"]["caption_extension"] == "caption"


async def test_settings_page_rejects_bad_values_with_a_message(user: User) -> None:
    await user.open("/settings")
    await user.should_see(marker="workspace-settings")
    element(user, "settings-export-jpeg_quality").set_value(None)
    user.find(marker="workspace-settings-save").click()
    await user.should_see("Enter a number for export.jpeg_quality")
    assert running().settings["export"]["jpeg_quality"] == DEFAULTS["export"]["jpeg_quality"]
