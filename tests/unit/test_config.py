"""Settings: template on first start, precedence, validation with file and line."""

import copy

import pytest

from app.config import DEFAULTS, load_settings, merge_into
from app.errors import Invalid, StartupError


def test_first_start_writes_the_documented_template(tmp_path):
    settings = load_settings(tmp_path / "d", environ={})
    text = settings.config_path.read_text()
    for section in ("database:", "vision:", "thumbnails:", "export:", "image_processing:", "server:"):
        assert section in text
    assert settings["server"]["host"] == "127.0.0.1"
    assert (tmp_path / "d" / "thumbnails").is_dir() and (tmp_path / "d" / "logs").is_dir()
    assert settings.database_url.endswith("/d/database.db")


def test_precedence_cli_over_env_over_file(tmp_path):
    data = tmp_path / "d"
    load_settings(data, environ={})
    (data / "settings.yaml").write_text("server:\n  port: 9001\nvision:\n  temperature: 0.5\n")
    env = {"CAPTIONFORGE_PORT": "9002", "CAPTIONFORGE_VISION__MODEL": "qwen3-vl:8b-instruct"}
    settings = load_settings(data, environ=env, cli={"server": {"port": 9003}})
    assert settings["server"]["port"] == 9003
    assert settings["vision"]["model"] == "qwen3-vl:8b-instruct"
    assert settings["vision"]["temperature"] == 0.5
    assert load_settings(data, environ=env)["server"]["port"] == 9002
    assert load_settings(data, environ={})["server"]["port"] == 9001


def test_broken_yaml_names_file_and_line(tmp_path):
    data = tmp_path / "d"
    load_settings(data, environ={})
    (data / "settings.yaml").write_text("server:\n  port: 8080\n vision: [\n")
    with pytest.raises(StartupError, match=r"settings.yaml, line \d+: not valid YAML"):
        load_settings(data, environ={})


def test_wrong_type_names_key_and_line(tmp_path):
    data = tmp_path / "d"
    load_settings(data, environ={})
    (data / "settings.yaml").write_text("server:\n  host: 127.0.0.1\n  port: eighty\n")
    with pytest.raises(StartupError, match=r"line 3: server.port: expected a whole number"):
        load_settings(data, environ={})


def test_unknown_key_and_bad_choice_are_invalid():
    values = copy.deepcopy(DEFAULTS)
    with pytest.raises(Invalid, match="vision.colour: unknown key"):
        merge_into(values, {"vision": {"colour": 1}})
    with pytest.raises(Invalid, match="must be one of ollama, openai"):
        merge_into(values, {"vision": {"backend": "kobold"}})
    with pytest.raises(Invalid, match="unknown section"):
        merge_into(values, {"gpu": {}})


def test_unwritable_data_dir_is_one_clear_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StartupError, match="is not writable.*--data-dir"):
        load_settings(blocker / "data", environ={})
