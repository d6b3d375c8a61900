"""GET/PUT /api/system/config and GET /api/system/stats through the real app."""

import httpx
import yaml

from tests.e2e.live_server import start_server, stop_server


def test_config_roundtrip_and_stats(tmp_path):
    server = start_server(tmp_path / "d")
    try:
        config = httpx.get(server.url + "/api/system/config").json()
        assert config["server"]["host"] == "127.0.0.1"
        response = httpx.put(
            server.url + "/api/system/config", json={"vision": {"base_url": "http://127.0.0.1:11434"}}
        )
        assert response.status_code == 200
        assert response.json()["vision"]["base_url"] == "http://127.0.0.1:11434"
        saved = yaml.safe_load((tmp_path / "d" / "settings.yaml").read_text())
        assert saved["vision"]["base_url"] == "http://127.0.0.1:11434"
        assert (
            httpx.get(server.url + "/api/system/config").json()["vision"]["base_url"]
            == "http://127.0.0.1:11434"
        )
        bad = httpx.put(server.url + "/api/system/config", json={"vision": {"temperature": "hot"}})
        assert bad.status_code == 422 and "vision.temperature" in bad.json()["detail"]
        no_scheme = {"vision": {"endpoints": [{"url": "gpu2:11434", "parallel": 2}]}}
        bad = httpx.put(server.url + "/api/system/config", json=no_scheme)
        assert bad.status_code == 422 and "write it as http://host:port" in bad.json()["detail"]
        servers = [{"url": "http://gpu2:11434/", "parallel": "2"}, "http://gpu2:11434", " "]
        saved = httpx.put(server.url + "/api/system/config", json={"vision": {"endpoints": servers}})
        assert saved.json()["vision"]["endpoints"] == [{"url": "http://gpu2:11434", "parallel": 2}]
        stats = httpx.get(server.url + "/api/system/stats").json()
        assert stats["counts"]["datasets"] == 0
        assert httpx.get(server.url + "/docs").status_code == 200
    finally:
        stop_server(server)


def test_registering_the_api_again_does_not_nest_the_lifespan(core):
    """NiceGUI's test plugin registers the routers on every run; FastAPI must not wrap the lifespan each time."""
    from fastapi import FastAPI

    from app.api import register_api
    from app.container import build_services

    fastapi_app = FastAPI()
    original = fastapi_app.router.lifespan_context
    register_api(fastapi_app, build_services(core))
    register_api(fastapi_app, build_services(core))
    assert fastapi_app.router.lifespan_context is original
