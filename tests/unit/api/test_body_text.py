"""JSON bodies with unpaired surrogate escapes ("\\udcff"): valid JSON, not Unicode text. A clear 422 on
every route, wherever the text sits (a value, a key, a list, a field the model refuses); pairs still pass."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from app.api import register_api
from app.container import build_services

JSON = {"content-type": "application/json"}


@pytest.fixture
def client(core) -> TestClient:
    app = FastAPI()
    register_api(app, build_services(core))
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/api/datasets", rb'{"name": "nova \udcff"}'),  # into the database
        ("post", "/api/datasets", rb'{"name": "x", "tags": ["a", "\ud800"]}'),  # in a list
        ("put", "/api/system/config", rb'{"vision": {"model": "\udfff"}}'),  # into settings.yaml
        ("put", "/api/system/config", rb'{"vision": {"\udcff": 1}}'),  # a key the model refuses (422 echo)
        ("post", "/api/tokens", rb'{"text": "\ud800"}'),  # into the tokenizer
        ("post", "/api/folders", rb'{"path": "/tmp/\udcff"}'),
        ("put", "/api/export/presets/mine", rb'{"trigger": "\udcff"}'),
    ],
)
def test_a_lone_surrogate_in_a_body_gets_a_422_not_a_500(client, method, url, body):
    answer = getattr(client, method)(url, content=body, headers=JSON)
    assert answer.status_code == 422, answer.text
    assert "surrogate" in answer.json()["detail"]


def test_a_surrogate_pair_is_an_ordinary_character(client):
    answer = client.post("/api/datasets", content=rb'{"name": "nova \ud83d\ude00"}', headers=JSON)
    assert answer.status_code == 201, answer.text
    assert answer.json()["name"] == "nova \U0001f600"
