"""Settings → Extra servers for caption jobs, under the user fixture against the fake servers."""

from __future__ import annotations

import yaml
from nicegui.testing import User

from tests.app_services import running


def saved_endpoints() -> list:
    return yaml.safe_load(running().settings.config_path.read_text(encoding="utf-8"))["vision"]["endpoints"]


def element(user: User, marker: str):
    return next(iter(user.find(marker=marker).elements))


async def test_add_check_save_and_remove_a_server(user: User, fake_ollama, dead_url) -> None:
    await user.open("/settings")
    await user.should_see(marker="endpoints-empty")
    user.find(marker="endpoint-add").click()
    await user.should_see(marker="endpoint-0")
    element(user, "endpoint-url-0").set_value(fake_ollama.url + "/")
    element(user, "endpoint-parallel-0").set_value(3)
    user.find(marker="endpoint-check-0").click()
    await user.should_see(marker="endpoint-result-0", content="answers at", retries=50)
    await user.should_see("qwen3-vl:4b-instruct is installed")

    user.find(marker="endpoint-add").click()
    await user.should_see(marker="endpoint-1")
    element(user, "endpoint-url-1").set_value(dead_url)
    user.find(marker="endpoint-check-1").click()
    await user.should_see(marker="endpoint-result-1", content="✗", retries=50)

    user.find(marker="endpoints-save").click()
    await user.should_see("Saved 2 extra servers")
    assert saved_endpoints() == [{"url": fake_ollama.url, "parallel": 3}, {"url": dead_url, "parallel": 1}]
    assert running().settings["vision"]["endpoints"][0] == {"url": fake_ollama.url, "parallel": 3}

    user.find(marker="endpoint-remove-1").click()
    user.find(marker="endpoints-save").click()
    await user.should_see("Saved 1 extra server")
    assert saved_endpoints() == [{"url": fake_ollama.url, "parallel": 3}]


async def test_an_address_without_a_scheme_is_refused_and_nothing_is_saved(user: User) -> None:
    await user.open("/settings")
    user.find(marker="endpoint-add").click()
    await user.should_see(marker="endpoint-0")
    element(user, "endpoint-url-0").set_value("gpu2:11434")
    user.find(marker="endpoints-save").click()
    await user.should_see("write it as http://host:port")
    assert running().settings["vision"]["endpoints"] == []
