"""Settings: defaults < settings.yaml < environment (CAPTIONFORGE_...) < command line, in one object."""

from __future__ import annotations

import copy
import io
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from app.atomic_file import write_text_atomic
from app.errors import Invalid, StartupError

TEMPLATE_PATH = Path(__file__).with_name("settings_template.yaml")
PROJECT_DIR = Path(__file__).resolve().parent.parent
ENV_PREFIX = "CAPTIONFORGE_"
DEFAULTS: dict[str, dict[str, Any]] = yaml.safe_load(TEMPLATE_PATH.read_text(encoding="utf-8"))
CHOICES = {
    ("vision", "backend"): ("ollama", "openai"),
    ("editor", "on_navigate"): ("ask", "save", "discard"),
    ("server", "log_level"): ("DEBUG", "INFO", "WARNING", "ERROR"),
}
# Short environment names for the options people set most.
ENV_SHORTCUTS = {
    "DATABASE_URL": ("database", "url"),
    "HOST": ("server", "host"),
    "PORT": ("server", "port"),
    "LOG_LEVEL": ("server", "log_level"),
}


@dataclass
class Settings:
    """The merged settings plus where they live on disk."""

    data_dir: Path
    config_path: Path
    values: dict[str, dict[str, Any]] = field(default_factory=lambda: copy.deepcopy(DEFAULTS))
    # The merged values as loaded (file + environment + command line): a save writes only what differs.
    loaded: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.values[section]

    @property
    def database_url(self) -> str:
        return self.values["database"]["url"] or f"sqlite:///{self.data_dir / 'database.db'}"

    @property
    def thumbnails_dir(self) -> Path:
        return self.data_dir / "thumbnails"

    @property
    def exports_dir(self) -> Path:
        return Path(self.values["export"]["default_path"] or self.data_dir / "exports")

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    def public_dict(self) -> dict[str, dict[str, Any]]:
        """The settings as the API shows them: the API key is masked."""
        shown = copy.deepcopy(self.values)
        if shown["vision"].get("api_key"):
            shown["vision"]["api_key"] = "********"
        return shown


def load_settings(
    data_dir: str | Path | None = None,
    config_path: str | Path | None = None,
    cli: dict[str, dict[str, Any]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build Settings; creates the data dir and settings.yaml from the template on first start.

    Raises StartupError with one line (file, line, problem) for anything the user must fix.
    """
    env: Mapping[str, str] = os.environ if environ is None else environ
    data = Path(data_dir or env.get(ENV_PREFIX + "DATA_DIR") or PROJECT_DIR / "data").expanduser().resolve()
    _prepare_data_dir(data)
    path = Path(config_path or env.get(ENV_PREFIX + "CONFIG") or data / "settings.yaml").expanduser()
    if not path.exists():
        path.write_text(TEMPLATE_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings(data_dir=data, config_path=path)
    file_values, lines = _read_yaml(path)
    try:
        merge_into(settings.values, file_values)
    except Invalid as exc:
        line = lines.get(str(exc).split(":")[0])
        where = f"{path}, line {line}" if line else str(path)
        raise StartupError(f"{where}: {exc}. Fix it or delete the line to use the default.") from None
    for name, patch in _env_values(env).items():
        try:
            merge_into(settings.values, patch)
        except Invalid as exc:
            raise StartupError(
                f"environment variable {name}: {exc}. Fix it or unset it (unset {name})."
            ) from None
    try:
        merge_into(settings.values, cli or {})
    except Invalid as exc:
        raise StartupError(f"command line: {exc}. See --help.") from None
    settings.loaded = copy.deepcopy(settings.values)
    return settings


def merge_into(values: dict[str, dict[str, Any]], patch: dict[str, Any]) -> None:
    """Validate a partial settings object in the settings.yaml shape and merge it; raises Invalid."""
    if not isinstance(patch, dict):
        raise Invalid("settings must be a mapping of sections")
    checked: list[tuple[str, str, Any]] = []
    for section, entries in patch.items():
        if section not in DEFAULTS:
            raise Invalid(f"{section}: unknown section (known: {', '.join(DEFAULTS)})")
        if entries is None:
            continue
        if not isinstance(entries, dict):
            raise Invalid(f"{section}: expected a mapping of keys")
        for key, value in entries.items():
            checked.append((section, key, _check(section, key, value)))
    for section, key, value in checked:
        values[section][key] = value


def save_settings(settings: Settings, changed: dict[str, Any] | None = None) -> None:
    """Write what was changed in the app to settings.yaml, atomically, keeping its comments and key order.

    `changed` is the patch the user saved (settings.yaml shape); without it, every value that differs
    from the one loaded at start is written. Command-line and environment overrides are never written:
    a `--lan` run leaves the file as it was. Raises StorageFull / ReadOnlyStorage with nothing changed.
    """
    if changed is None:
        baseline = settings.loaded or DEFAULTS
        changed = {
            section: {k: v for k, v in entries.items() if baseline.get(section, {}).get(k, v) != v}
            for section, entries in settings.values.items()
        }
    rt = _round_trip()
    path = settings.config_path
    try:
        document = rt.load(path.read_text(encoding="utf-8")) if path.exists() else None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise Invalid(f"{path} cannot be read back for saving ({exc}); nothing was saved") from None
    if not isinstance(document, dict):
        document = CommentedMap()
    for section, entries in changed.items():
        if not entries:
            continue
        if not isinstance(document.get(section), dict):
            document[section] = CommentedMap()
        for key, value in entries.items():
            document[section][key] = copy.deepcopy(value)
    buffer = io.StringIO()
    rt.dump(document, buffer)
    write_text_atomic(path, buffer.getvalue(), "The settings")
    for section, entries in changed.items():  # saved values are no longer "as loaded" overrides
        for key, value in (entries or {}).items():
            settings.loaded.setdefault(section, {})[key] = copy.deepcopy(value)


def _round_trip() -> YAML:
    rt = YAML()  # round-trip: comments, key order and quoting survive
    rt.preserve_quotes = True
    rt.width = 4096
    return rt


def secret_file(data_dir: Path, name: str) -> str:
    """A random secret kept in the data dir (created once)."""
    path = data_dir / name
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = secrets.token_urlsafe(24)
    path.write_text(value, encoding="utf-8")
    path.chmod(0o600)
    return value


def _check(section: str, key: str, value: Any) -> Any:
    name = f"{section}.{key}"
    if key not in DEFAULTS[section]:
        raise Invalid(f"{name}: unknown key")
    default = DEFAULTS[section][key]
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise Invalid(f"{name}: expected true or false, got {value!r}")
    elif isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"{name}: expected a whole number, got {value!r}")
        if value < 0:
            raise Invalid(f"{name}: must not be negative")
        if (section, key) == ("server", "port") and value > 65535:
            raise Invalid(f"{name}: must be 1-65535, or 0 for a free port, got {value}")
    elif isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid(f"{name}: expected a number, got {value!r}")
        value = float(value)
    elif isinstance(default, list):
        if not isinstance(value, list):
            raise Invalid(f"{name}: expected a list, got {value!r}")
    elif isinstance(default, str):
        if value is None:
            value = ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise Invalid(f"{name}: expected text, got {value!r}")
        value = str(value)
        choices = CHOICES.get((section, key))
        if choices and value not in choices:
            raise Invalid(f"{name}: must be one of {', '.join(choices)}, got {value!r}")
    return value


def _read_yaml(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text)
        values = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise StartupError(f"{path}{line}: not valid YAML ({problem}). Fix it or delete the file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise StartupError(f"{path}: cannot be read ({exc}).") from None
    if not isinstance(values, dict):
        raise StartupError(f"{path}: expected sections like 'server:' and 'vision:' at the top level.")
    return values, _key_lines(node)


def _key_lines(node: Any) -> dict[str, int]:
    """Map 'section.key' (and 'section') to its 1-based line for error messages."""
    lines: dict[str, int] = {}
    if not isinstance(node, yaml.MappingNode):
        return lines
    for key_node, value_node in node.value:
        lines[key_node.value] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.MappingNode):
            for sub_key, _ in value_node.value:
                lines[f"{key_node.value}.{sub_key.value}"] = sub_key.start_mark.line + 1
    return lines


def _env_values(environ: Mapping[str, str]) -> dict[str, dict[str, dict[str, Any]]]:
    """Each CAPTIONFORGE_ variable's patch, keyed by the variable's name (so errors can name it)."""
    patches: dict[str, dict[str, dict[str, Any]]] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        rest = name[len(ENV_PREFIX) :]
        if rest in ENV_SHORTCUTS:
            section, key = ENV_SHORTCUTS[rest]
        elif "__" in rest:
            section, key = (part.lower() for part in rest.split("__", 1))
        else:
            continue
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
        if isinstance(DEFAULTS.get(section, {}).get(key), str) and not isinstance(value, str):
            value = raw
        if (section, key) == ("server", "port") and value == "auto":
            value = 0
        patches[name] = {section: {key: value}}
    return patches


def _prepare_data_dir(data: Path) -> None:
    try:
        for sub in (data, data / "thumbnails", data / "exports", data / "logs"):
            sub.mkdir(parents=True, exist_ok=True)
        probe = data / ".write-test"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise StartupError(
            f"The data dir {data} is not writable ({exc.strerror}). Choose another with --data-dir."
        ) from None
