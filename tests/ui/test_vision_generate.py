"""The editor's Generate dialog under the user fixture, against the fake Ollama."""

from __future__ import annotations

import asyncio

from nicegui import ui
from nicegui.testing import User

from app import models
from app.ui.workspace.editor.generate_panel import GenerateDialog
from app.vision.ollama import OllamaBackend
from tests.app_services import running


def seed(image_path) -> tuple[str, str]:
    with running().db.session() as session:
        folder = models.TrackedFolder(path=str(image_path.parent), name="images")
        session.add(folder)
        session.flush()
        file = models.TrackedFile(
            folder_id=folder.id,
            filename=image_path.name,
            file_path=str(image_path),
            file_hash="h",
            file_size_mb=0.1,
            file_type="jpg",
        )
        dataset = models.Dataset(name="D", name_filesystem_safe="d-gen")
        session.add_all([file, dataset])
        session.flush()
        caption_set = models.CaptionSet(
            dataset_id=dataset.id, name="main", style="natural_simple", trigger_phrase="ohwx"
        )
        session.add(caption_set)
        session.flush()
        return file.id, caption_set.id


async def until(condition, tries: int = 100) -> None:
    for _ in range(tries):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the dialog did not close")


async def open_dialog(user: User, file_id: str, caption_set_id: str, results: list) -> None:
    @ui.page("/generate-test")
    def generate_test() -> None:
        async def run() -> None:
            results.append(await GenerateDialog(running(), file_id, caption_set_id))

        ui.button("go", on_click=run).mark("go")

    await user.open("/generate-test")
    user.find(marker="go").click()


async def test_generate_shows_caption_quality_time_and_accept_returns_it(
    user: User, fake_ollama, make_image
) -> None:
    running().settings["vision"].update(base_url=fake_ollama.url, retry_backoff=0.0)
    file_id, set_id = seed(make_image("cat.jpg"))
    results: list = []
    await open_dialog(user, file_id, set_id, results)
    await user.should_see(marker="generate-accept", retries=50)
    caption = next(iter(user.find(marker="generated-caption").elements))
    assert caption.value.startswith("ohwx, a red square")
    await user.should_see(marker="generated-quality", content="overall 0.82")
    await user.should_see(marker="generated-time", content="Took")
    caption.set_value("ohwx, a red square, edited")
    user.find(marker="generate-accept").click()
    await until(lambda: results)
    assert results[0].caption == "ohwx, a red square, edited" and results[0].quality_score == 0.82


async def test_generate_failure_offers_retry_and_discard_returns_none(
    user: User, fake_ollama, make_image
) -> None:
    running().settings["vision"].update(base_url=fake_ollama.url, retry_backoff=0.0)
    file_id, set_id = seed(make_image("cat.jpg"))
    fake_ollama.script("thinking_only")
    results: list = []
    await open_dialog(user, file_id, set_id, results)
    await user.should_see("budget thinking", retries=50)
    user.find(marker="generate-retry").click()
    await user.should_see(marker="generate-accept", retries=50)
    user.find(marker="generate-discard").click()
    await until(lambda: results)
    assert results == [None]


async def test_no_server_fails_at_once_with_a_link_to_settings(
    user: User, make_image, dead_url, monkeypatch
) -> None:
    running().settings["vision"].update(base_url=dead_url, max_retries=3, retry_backoff=30.0)
    asked: list[str] = []

    async def chat(self, model, prompt, image):  # the retrying request (30 s of backoff): must not run
        asked.append(model)

    monkeypatch.setattr(OllamaBackend, "chat", chat)
    file_id, set_id = seed(make_image("cat.jpg"))
    await open_dialog(user, file_id, set_id, [])
    await user.should_see(f"The vision server at {dead_url} does not answer", retries=50)
    await user.should_see(marker="generate-settings-link")
    link = next(iter(user.find(marker="generate-settings-link").elements))
    assert link.props["href"] == "/settings"
    assert asked == [], "no caption request (with its retries) against a server that is not there"
    error = next(iter(user.find(marker="generate-error").elements)).text
    assert ").)" not in error and "?)." not in error and ".." not in error
