"""Typed bodies and answers: the settings patch and the preset save are models (unknown keys get 422, what
is not sent stays), and /openapi.json describes every answer, so /docs and clients know the shapes."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from app.api import register_api
from app.container import build_services


@pytest.fixture
def client(core) -> TestClient:
    app = FastAPI()
    register_api(app, build_services(core))
    return TestClient(app, raise_server_exceptions=False)


def _schema_of(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _free_form(spec: dict, schema: dict) -> bool:
    """An object (or a list of objects) the schema says nothing about."""
    schema = _schema_of(spec, schema)
    if schema.get("type") == "array":
        schema = _schema_of(spec, schema.get("items", {}))
    return schema == {} or (schema.get("type") == "object" and "properties" not in schema)


def test_every_json_answer_has_a_described_shape(client):
    spec = client.get("/openapi.json").json()
    vague = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                content = response.get("content", {})
                if not status.startswith("2") or status == "204" or set(content) - {"application/json"}:
                    continue  # images, ZIPs and event streams say their media type instead
                schema = content.get("application/json", {}).get("schema")
                if schema is None or _free_form(spec, schema):
                    vague.append(f"{method.upper()} {path}")
    assert not vague, vague


def test_every_json_body_is_a_described_model(client):
    spec = client.get("/openapi.json").json()
    vague = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if (
            schema := operation.get("requestBody", {})
            .get("content", {})
            .get("application/json", {})
            .get("schema")
        )
        and _free_form(spec, schema)
    ]
    assert not vague, vague


def test_the_settings_patch_is_described_section_by_section(client):
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/api/system/config"]["put"]["requestBody"]["content"]["application/json"]["schema"]
    patch = _schema_of(spec, body)
    assert {"server", "vision", "export", "editor"} <= set(patch["properties"])
    assert patch["additionalProperties"] is False
    vision = _schema_of(spec, patch["properties"]["vision"]["anyOf"][0])
    assert vision["properties"]["temperature"]["type"] == "number"
    assert vision["properties"]["backend"]["enum"] == ["ollama", "openai"]
    assert vision["additionalProperties"] is False


@pytest.mark.parametrize(
    ("patch", "where"),
    [
        ({"vision": {"temprature": 0.3}}, ["body", "vision", "temprature"]),
        ({"visoin": {}}, ["body", "visoin"]),
    ],
)
def test_an_unknown_setting_gets_a_422_naming_it(client, core, patch, where):
    before = core.settings.public_dict()
    answer = client.put("/api/system/config", json=patch)
    assert answer.status_code == 422
    assert any(error["loc"] == where for error in answer.json()["detail"]), answer.json()
    assert core.settings.public_dict() == before


def test_a_partial_settings_patch_changes_only_what_was_sent(client, core):
    model = core.settings["vision"]["model"]
    answer = client.put("/api/system/config", json={"vision": {"temperature": 0.5}, "editor": None})
    assert answer.status_code == 200, answer.text
    assert answer.json()["vision"]["temperature"] == 0.5 and answer.json()["vision"]["model"] == model
    assert core.settings["vision"]["model"] == model
    bad = client.put("/api/system/config", json={"vision": {"temperature": "hot"}})
    assert bad.status_code == 422 and "vision.temperature" in bad.json()["detail"]


@pytest.mark.parametrize("section", ["vision", "server", "editor"])
def test_a_section_sent_as_null_changes_nothing(client, core, section):
    before = core.settings.public_dict()
    answer = client.put("/api/system/config", json={section: None, "thumbnails": {}})
    assert answer.status_code == 200, answer.text
    assert answer.json() == before


def test_a_preset_saves_only_what_was_sent_and_refuses_unknown_options(client):
    saved = client.put("/api/export/presets/mine", json={"layout": "kohya", "repeats": 4})
    assert saved.status_code == 200, saved.text
    assert saved.json()["options"] == {"layout": "kohya", "repeats": 4}
    unknown = client.put("/api/export/presets/mine", json={"layout": "kohya", "jpg_quality": 90})
    assert unknown.status_code == 422
    assert any(error["loc"] == ["body", "jpg_quality"] for error in unknown.json()["detail"])
    out_of_range = client.put("/api/export/presets/mine", json={"jpeg_quality": 500})
    assert out_of_range.status_code == 422
    listed = {p["name"]: p for p in client.get("/api/export/presets").json()}
    assert listed["mine"]["options"] == {"layout": "kohya", "repeats": 4}
