"""/docs loads Swagger UI from the app itself, so it works without a network."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api import register_api
from app.container import build_services


def test_docs_page_and_its_assets_come_from_the_app(core):
    api = FastAPI(docs_url=None, redoc_url=None)
    register_api(api, build_services(core))
    api.setup()
    client = TestClient(api)
    page = client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(src.startswith("/docs/assets/") for src in sources), sources
    assert "cdn" not in page.text.lower()
    for src in sources:
        answer = client.get(src)
        assert answer.status_code == 200 and len(answer.content) > 100, src
    assert client.get("/docs/assets/..%2F..%2Fsettings.yaml").status_code == 404
    assert client.get("/redoc", follow_redirects=False).headers["location"] == "/docs"
