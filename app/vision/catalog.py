"""The curated vision models (models.yaml beside this file, extended by <data-dir>/models.yaml)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)
BUILTIN_PATH = Path(__file__).with_name("models.yaml")
# Settings say "openai" for LM Studio and every OpenAI-compatible server; the catalog names LM Studio's models.
CATALOG_BACKEND = {"ollama": "ollama", "openai": "lmstudio"}
DEFAULT_URLS = {"ollama": "http://localhost:11434", "openai": "http://localhost:1234"}


@dataclass(frozen=True)
class CuratedModel:
    """One curated model with its name on each backend."""

    id: str
    name: str
    description: str = ""
    vram_mb: int | None = None
    size_mb: int | None = None
    speed: str = ""
    quality: str = ""
    recommended_for: tuple[str, ...] = ()
    default: bool = False
    backends: dict[str, dict[str, Any]] = field(default_factory=dict)

    def model_name(self, backend: str) -> str | None:
        """The name this backend ("ollama" or "openai") knows the model by, or None."""
        entry = self.backends.get(CATALOG_BACKEND.get(backend, backend)) or {}
        return entry.get("model_name")

    def pull_command(self, backend: str) -> str:
        """The terminal command that downloads the model for this backend."""
        return pull_command(backend, self.model_name(backend) or self.id)

    def as_dict(self, backend: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "vram_mb": self.vram_mb,
            "size_mb": self.size_mb,
            "speed": self.speed,
            "quality": self.quality,
            "recommended_for": list(self.recommended_for),
            "default": self.default,
            "model_name": self.model_name(backend),
            "pull_command": self.pull_command(backend),
        }


def load_catalog(data_dir: Path | None = None) -> list[CuratedModel]:
    """The built-in models, with the user's <data-dir>/models.yaml merged in (same id = override fields).

    A broken user file is logged and ignored so the built-in list still works.
    """
    entries = {entry["id"]: entry for entry in _read(BUILTIN_PATH)}
    user_path = data_dir / "models.yaml" if data_dir else None
    if user_path and user_path.exists():
        try:
            for entry in _read(user_path):
                merged = {**entries.get(entry["id"], {}), **entry}
                if entry.get("backends") and entry["id"] in entries:
                    merged["backends"] = {**entries[entry["id"]].get("backends", {}), **entry["backends"]}
                entries[entry["id"]] = merged
        except (yaml.YAMLError, ValueError, KeyError, TypeError) as exc:
            log.warning("%s ignored: %s", user_path, exc)
    return [_model(entry) for entry in entries.values()]


def default_model(catalog: list[CuratedModel]) -> CuratedModel:
    """The model marked default (the first one when none is)."""
    return next((m for m in catalog if m.default), catalog[0])


def find_model(catalog: list[CuratedModel], name: str) -> CuratedModel | None:
    """The curated model with this id or backend name, or None for a custom name."""
    for model in catalog:
        if name == model.id or name in {b.get("model_name") for b in model.backends.values()}:
            return model
    return None


def pull_command(backend: str, model_name: str) -> str:
    """`ollama pull <name>` or `lms get <name>`."""
    return f"ollama pull {model_name}" if backend == "ollama" else f"lms get {model_name}"


def _read(path: Path) -> list[dict[str, Any]]:
    # Parsed once per file version: generate_caption resolves names per image, and YAML parsing on the
    # event loop cost a caption job ~20 ms per image (120 ms on a busy machine).
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _PARSED:
        _PARSED[key] = _parse(path)
    return _PARSED[key]


_PARSED: dict[tuple[str, int, int], list[dict[str, Any]]] = {}


def _parse(path: Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    models = data.get("models") if isinstance(data, dict) else None
    if not isinstance(models, list):
        raise ValueError("expected a top-level 'models:' list")
    for entry in models:
        if not isinstance(entry, dict) or not entry.get("id"):
            raise ValueError(f"every model needs an id, got {entry!r}")
    return models


def _model(entry: dict[str, Any]) -> CuratedModel:
    known = set(CuratedModel.__dataclass_fields__)
    values = {k: v for k, v in entry.items() if k in known}
    values["recommended_for"] = tuple(values.get("recommended_for") or ())
    values.setdefault("name", entry["id"])
    return CuratedModel(**values)
