"""Saving settings writes only what was changed in the app: no --lan, no env values, comments kept."""

from __future__ import annotations

import errno
import os

import pytest

from app.config import load_settings, save_settings
from app.errors import ReadOnlyStorage, StartupError, StorageFull
from app.services.exports import export_presets
from app.services.system import update_config


def test_a_lan_run_then_a_saved_setting_leaves_the_next_plain_start_on_loopback(tmp_path):
    cli = {"server": {"lan": True, "port": 18092, "open_browser": False}}
    settings = load_settings(tmp_path, cli=cli, environ={})
    update_config(settings, {"vision": {"model": "qwen3-vl:8b-instruct"}})
    again = load_settings(tmp_path, environ={})
    assert again["server"]["lan"] is False
    assert again["server"]["host"] == "127.0.0.1"
    assert again["server"]["port"] == 8080
    assert again["server"]["open_browser"] is True
    assert again["vision"]["model"] == "qwen3-vl:8b-instruct"


def test_environment_values_stay_out_of_the_file(tmp_path):
    env = {"CAPTIONFORGE_VISION__MODEL": "from-env", "CAPTIONFORGE_PORT": "9999"}
    settings = load_settings(tmp_path, environ=env)
    update_config(settings, {"thumbnails": {"quality": 70}})
    text = settings.config_path.read_text()
    assert "from-env" not in text and "9999" not in text
    again = load_settings(tmp_path, environ={})
    assert again["vision"]["model"] == "qwen3-vl:4b-instruct"
    assert again["thumbnails"]["quality"] == 70


def test_comments_and_key_order_survive_a_save(tmp_path):
    settings = load_settings(tmp_path, environ={})
    before = settings.config_path.read_text()
    update_config(settings, {"server": {"reconnect_timeout": 45}})
    after = settings.config_path.read_text()
    assert after == before.replace("reconnect_timeout: 30 ", "reconnect_timeout: 45 ")
    assert "# seconds a sleeping laptop may be away" in after


def test_save_without_a_patch_writes_only_in_app_changes(tmp_path):
    settings = load_settings(tmp_path, cli={"server": {"lan": True}}, environ={})
    settings.values["editor"]["on_navigate"] = "ask"
    save_settings(settings)
    again = load_settings(tmp_path, environ={})
    assert again["editor"]["on_navigate"] == "ask" and again["server"]["lan"] is False


def test_a_user_comment_of_their_own_survives(tmp_path):
    settings = load_settings(tmp_path, environ={})
    path = settings.config_path
    path.write_text("# my own note\nvision:\n  model: a   # keep this\n")
    settings = load_settings(tmp_path, environ={})
    update_config(settings, {"vision": {"temperature": 0.5}, "editor": {"on_navigate": "ask"}})
    text = path.read_text()
    assert text.startswith("# my own note\nvision:\n  model: a   # keep this\n")
    assert load_settings(tmp_path, environ={})["vision"]["temperature"] == 0.5


@pytest.mark.parametrize(
    ("code", "error", "words"),
    [(errno.ENOSPC, StorageFull, "full"), (errno.EROFS, ReadOnlyStorage, "read-only")],
)
def test_a_full_or_read_only_disk_keeps_memory_and_disk_in_step(tmp_path, monkeypatch, code, error, words):
    settings = load_settings(tmp_path, environ={})
    before = settings.config_path.read_text()

    def failing_fsync(_fd):
        raise OSError(code, "simulated")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(error, match=words):
        update_config(settings, {"vision": {"model": "other"}})
    assert settings["vision"]["model"] == "qwen3-vl:4b-instruct"  # memory unchanged
    assert settings.config_path.read_text() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert error.http_status in (507, 503)


def test_a_preset_on_a_full_disk_leaves_no_partial_file(tmp_path, monkeypatch):
    def failing_fsync(_fd):  # a full disk often shows only at flush/fsync, after a 0-byte file exists
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(StorageFull, match="disk holding .* is full"):
        export_presets.save_preset(tmp_path, "mine", {"jpeg_quality": 90})
    folder = tmp_path / export_presets.PRESET_DIR_NAME
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"CAPTIONFORGE_PORT": "70000"}, "CAPTIONFORGE_PORT"),
        ({"CAPTIONFORGE_PORT": "eighty"}, "CAPTIONFORGE_PORT"),
        ({"CAPTIONFORGE_VISION__TEMPERATURE": "hot"}, "CAPTIONFORGE_VISION__TEMPERATURE"),
        ({"CAPTIONFORGE_NOPE__KEY": "1"}, "CAPTIONFORGE_NOPE__KEY"),
        ({"CAPTIONFORGE_SERVER__LAN": "[unclosed"}, "CAPTIONFORGE_SERVER__LAN"),
    ],
)
def test_environment_errors_name_the_variable(tmp_path, env, words):
    with pytest.raises(StartupError, match=words):
        load_settings(tmp_path, environ=env)


def test_port_auto_from_the_environment_means_a_free_port(tmp_path):
    assert load_settings(tmp_path, environ={"CAPTIONFORGE_PORT": "auto"})["server"]["port"] == 0
