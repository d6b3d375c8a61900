"""Pytest fixtures: the fake Ollama and OpenAI-compatible servers, one of each per session, reset per test.

def test_x(fake_ollama):
    fake_ollama.script("fenced", "busy_503")   # the next two chat replies misbehave
    fake_ollama.latency = 0.2; fake_ollama.parallel = 2
    ... point the client at fake_ollama.url ...
    assert fake_ollama.chat_requests()[0]["images"][0]["format"] == "JPEG"
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.vision.reachability import forget_checks
from tests.fakes import ollama_server, openai_server
from tests.fakes.server import LoopbackServer, free_port


@pytest.fixture(scope="session")
def _ollama_server() -> Iterator[ollama_server.FakeOllama]:
    state = ollama_server.FakeOllama()
    server = LoopbackServer(ollama_server.create_app(state)).start()
    state.url = server.url
    yield state
    server.stop()


@pytest.fixture(scope="session")
def _openai_server() -> Iterator[openai_server.FakeOpenAI]:
    state = openai_server.FakeOpenAI()
    server = LoopbackServer(openai_server.create_app(state)).start()
    state.url = server.url
    yield state
    server.stop()


@pytest.fixture
def fake_ollama(_ollama_server: ollama_server.FakeOllama) -> ollama_server.FakeOllama:
    """A fake Ollama on loopback with qwen3-vl:4b-instruct installed and every knob at its default."""
    _ollama_server.reset()
    forget_checks()  # the server is shared across tests; what an earlier test saw is not this one's
    return _ollama_server


@pytest.fixture
def fake_openai(_openai_server: openai_server.FakeOpenAI) -> openai_server.FakeOpenAI:
    """A fake LM Studio on loopback with qwen/qwen3-vl-4b downloaded and every knob at its default."""
    _openai_server.reset()
    forget_checks()
    return _openai_server


@pytest.fixture
def dead_url() -> str:
    """A loopback URL where nothing listens (connection refused)."""
    return f"http://127.0.0.1:{free_port()}"
