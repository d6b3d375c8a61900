"""The Settings page's vision section under the user fixture, against the fake servers."""

from __future__ import annotations

import yaml
from nicegui import ui
from nicegui.testing import User

from tests.app_services import running


def point_at(url: str, **more) -> None:
    running().settings["vision"].update(base_url=url, retry_backoff=0.0, **more)


def element(user: User, marker: str):
    return next(iter(user.find(marker=marker).elements))


async def test_status_badge_test_connection_and_save(user: User, fake_ollama) -> None:
    point_at(fake_ollama.url)
    await user.open("/settings")
    await user.should_see(marker="vision-settings")
    await user.should_see(marker="access-settings")  # the page is a list of sections
    await user.should_see(marker="vision-model-status", content="Ready", retries=50)
    await user.should_not_see(marker="vision-download")

    user.find(marker="vision-test").click()
    await user.should_see(marker="check-server")
    await user.should_see("Ollama 0.33.0 answers at", retries=50)
    await user.should_see("qwen3-vl:4b-instruct is installed")
    await user.should_see(marker="check-vision")

    element(user, "vision-max_tokens").set_value(2048)
    user.find(marker="vision-save").click()
    await user.should_see("Vision settings saved")
    saved = yaml.safe_load(running().settings.config_path.read_text(encoding="utf-8"))
    assert saved["vision"]["max_tokens"] == 2048 and saved["vision"]["model"] == "qwen3-vl:4b-instruct"


async def test_download_a_missing_model_with_progress(user: User, fake_ollama) -> None:
    point_at(fake_ollama.url)
    fake_ollama.pull_delay = 0.05
    await user.open("/settings")
    await user.should_see(marker="vision-model-status", content="Ready", retries=50)
    element(user, "vision-model-select").set_value("qwen3-vl-8b")
    await user.should_see(marker="vision-model-status", content="Not downloaded", retries=50)
    user.find(marker="vision-download").click()
    await user.should_see(marker="download-dialog")
    await user.should_see("Downloading qwen3-vl:8b-instruct")
    await user.should_see("Download complete", retries=50)
    assert "qwen3-vl:8b-instruct" in fake_ollama.models
    await user.should_see(marker="vision-model-status", content="Ready", retries=50)


async def test_unknown_tag_says_so_and_offers_retry(user: User, fake_ollama) -> None:
    point_at(fake_ollama.url, model="qwen3-vl:999b")
    await user.open("/settings")
    await user.should_see(marker="vision-model-status", content="Not downloaded", retries=50)
    assert element(user, "vision-custom-model").value == "qwen3-vl:999b"
    user.find(marker="vision-download").click()
    await user.should_see("is not a model the server can download", retries=50)
    await user.should_see(marker="download-retry")
    user.find(marker="download-close").click()


async def test_unreachable_backend_and_what_the_test_says(user: User, dead_url) -> None:
    point_at(dead_url)
    await user.open("/settings")
    await user.should_see(marker="vision-model-status", content="Backend unreachable", retries=50)
    user.find(marker="vision-test").click()
    await user.should_see(marker="check-server")
    await user.should_see("cannot connect", retries=50)


async def test_lm_studio_without_download_api_shows_the_lms_command(user: User, fake_openai) -> None:
    point_at(fake_openai.url, backend="openai", model="qwen/qwen3-vl-4b")
    fake_openai.download_api = False
    await user.open("/settings")
    await user.should_see(marker="vision-model-status", content="Ready", retries=50)
    await user.should_see(marker="vision-api-key")
    element(user, "vision-model-select").set_value("qwen3-vl-2b")
    await user.should_see(marker="vision-model-status", content="Not downloaded", retries=50)
    user.find(marker="vision-download").click()
    await user.should_see(marker="download-command", content="lms get qwen/qwen3-vl-2b", retries=50)


async def test_switching_backend_swaps_the_default_url(user: User) -> None:
    await user.open("/settings")
    await user.should_see(marker="vision-backend")
    element(user, "vision-backend").set_value("openai")
    assert element(user, "vision-base-url").value == "http://localhost:1234"
    assert isinstance(element(user, "vision-model-select"), ui.select)
    assert "qwen/qwen3-vl-4b" in element(user, "vision-model-select").options["qwen3-vl-4b"]
