"""PUT /api/system/config's body and the settings it answers with, as models built from the defaults.

Every section and key of settings_template.yaml is a field, so /docs lists them with their types and an
unknown section or key is a 422 naming it. Values are checked by app.config's one validator (the same
for settings.yaml, the environment and the command line), so its messages name the key, e.g.
"vision.temperature: expected a number"; the schema below only describes them.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model

from app.config import CHOICES, DEFAULTS

_ENDPOINT = {
    "anyOf": [
        {"type": "string", "examples": ["http://gpu2:11434"]},
        {
            "type": "object",
            "properties": {"url": {"type": "string"}, "parallel": {"type": "integer", "minimum": 1}},
            "required": ["url"],
        },
    ]
}


def _schema(section: str, key: str, default: Any) -> dict[str, Any]:
    """The JSON schema of one setting, from the type of its default."""
    if isinstance(default, bool):
        return {"type": "boolean"}
    if isinstance(default, int):
        top = {"maximum": 65535} if (section, key) == ("server", "port") else {}
        return {"type": "integer", "minimum": 0, **top}
    if isinstance(default, float):
        return {"type": "number"}
    if isinstance(default, list):
        return {"type": "array", "items": _ENDPOINT if key == "endpoints" else {"type": "string"}}
    choices = CHOICES.get((section, key))
    return {"type": "string", "enum": list(choices)} if choices else {"type": "string"}


def _section_model(section: str, *, partial: bool) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for key, default in DEFAULTS[section].items():
        described = Annotated[Any, WithJsonSchema(_schema(section, key, default))]
        fields[key] = (described, Field(None) if partial else Field(...))
    suffix = "Patch" if partial else "Out"
    name = "".join(part.title() for part in section.split("_")) + "Settings" + suffix
    config = ConfigDict(extra="forbid") if partial else ConfigDict(extra="allow")
    return create_model(name, __config__=config, **fields)


def _settings_model(name: str, *, partial: bool) -> type[BaseModel]:
    fields: dict[str, Any] = {
        section: (_section_model(section, partial=partial) | None, None)
        if partial
        else (_section_model(section, partial=partial), ...)
        for section in DEFAULTS
    }
    config = ConfigDict(extra="forbid") if partial else ConfigDict(extra="allow")
    return create_model(name, __config__=config, **fields)


SettingsPatch = _settings_model("SettingsPatch", partial=True)
SettingsPatch.__doc__ = "Any sections and keys of settings.yaml; what is not sent stays as it is."
SettingsOut = _settings_model("SettingsOut", partial=False)
SettingsOut.__doc__ = "Every setting as it applies now (vision.api_key masked)."


def patch_dict(patch: BaseModel) -> dict[str, Any]:
    """The sections and keys the client sent, in the settings.yaml shape (partial update); a section sent as
    null changes nothing, like one left out."""
    return {
        section: keys for section, keys in patch.model_dump(exclude_unset=True).items() if keys is not None
    }
