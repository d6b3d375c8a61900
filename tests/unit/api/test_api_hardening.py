"""No request gets a 500: bounded integers, domain errors mapped once, LIKE text literal, names printable,
read-only databases and lost races answered with what to do, and a JSON last resort with an error id."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.testclient import TestClient

from app.api import register_api
from app.container import build_services
from tests.factories import make_tracked_files

HUGE = "793733375121612237950681088"


@pytest.fixture
def api(core) -> FastAPI:
    app = FastAPI()
    register_api(app, build_services(core))
    return app


@pytest.fixture
def client(api) -> TestClient:
    return TestClient(api, raise_server_exceptions=False)


@pytest.fixture
def dataset_id(client, core) -> str:
    ids = make_tracked_files(core.db, 2)
    dataset = client.post("/api/datasets", json={"name": "Nova"}).json()
    client.post(f"/api/datasets/{dataset['id']}/files", json={"file_ids": ids})
    return dataset["id"]


@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "-1", "abc", "1e3", "9223372036854775808", "\x00"])
def test_out_of_range_or_non_numeric_offsets_get_422(client, value: str):
    answer = client.get("/api/folders/any/files", params={"limit": 1, "offset": value})
    assert answer.status_code == 422, value


@pytest.mark.parametrize("value", ["-1", "65", HUGE, "x"])
def test_duplicates_max_distance_out_of_range_gets_422(client, dataset_id: str, value: str):
    answer = client.get(f"/api/datasets/{dataset_id}/duplicates", params={"max_distance": value})
    assert answer.status_code == 422


def test_duplicates_at_the_bounds_answer(client, dataset_id: str):
    for value in (0, 64):
        assert (
            client.get(f"/api/datasets/{dataset_id}/duplicates", params={"max_distance": value}).status_code
            == 200
        )


@pytest.mark.parametrize("value", [0, -5, 10**7, 2**63])
def test_caption_limits_out_of_range_get_422(client, dataset_id: str, value: int):
    answer = client.post(f"/api/datasets/{dataset_id}/caption-sets", json={"name": "N", "max_length": value})
    assert answer.status_code == 422


def test_a_huge_search_is_refused_and_wildcards_are_literal(client, dataset_id: str):
    assert client.get("/api/datasets", params={"search": "a" * 60_000}).status_code == 422
    client.post("/api/datasets", json={"name": "100% cotton"})
    client.post("/api/datasets", json={"name": "snake_case"})
    names = lambda text: [d["name"] for d in client.get("/api/datasets", params={"search": text}).json()]  # noqa: E731
    assert names("%") == ["100% cotton"]
    assert names("_") == ["snake_case"]
    assert names("\\") == []
    assert names("nov") == ["Nova"]


@pytest.mark.parametrize("name", ["a\x00b", "line\nbreak", "tab\there", "bell\x07", "del\x7f", "\x9bcsi"])
def test_control_characters_in_names_get_422(client, dataset_id: str, name: str):
    assert client.post("/api/datasets", json={"name": name}).status_code == 422
    assert client.put(f"/api/datasets/{dataset_id}", json={"name": name}).status_code == 422
    answer = client.post(f"/api/datasets/{dataset_id}/caption-sets", json={"name": name})
    assert answer.status_code == 422
    assert "control characters" in str(answer.json()["detail"])


@pytest.mark.parametrize("query", ["(", ")", "a AND", "(tag:x", "\x00"])
def test_find_replace_with_a_bad_query_gets_422_with_the_message(client, dataset_id: str, query: str):
    caption_set = client.post(f"/api/datasets/{dataset_id}/caption-sets", json={"name": "N"}).json()
    for path in ("find-replace", "find-replace/preview"):
        answer = client.post(
            f"/api/caption-sets/{caption_set['id']}/{path}",
            json={"find": "a", "replace": "b", "query": query},
        )
        assert answer.status_code in (200, 422), (path, query, answer.text)
        if query in ("(", ")"):
            assert answer.status_code == 422 and "does not parse" in answer.json()["detail"]


@pytest.mark.parametrize("pattern", ["(", "[a-", "a{2,1}", "\\", "(?P<x"])
def test_find_replace_with_a_bad_regex_gets_4xx_with_the_message(client, dataset_id: str, pattern: str):
    caption_set = client.post(f"/api/datasets/{dataset_id}/caption-sets", json={"name": "N"}).json()
    answer = client.post(
        f"/api/caption-sets/{caption_set['id']}/find-replace/preview",
        json={"find": pattern, "replace": "b", "regex": True},
    )
    assert 400 <= answer.status_code < 500 and answer.json()["detail"]


def _raiser(api: FastAPI, exc: Exception) -> TestClient:
    @api.get("/api/boom")
    def boom() -> None:
        raise exc

    return TestClient(api, raise_server_exceptions=False)


def test_the_last_resort_answers_json_with_an_error_id_in_the_log(api, caplog):
    client = _raiser(api, ZeroDivisionError("division by zero"))
    with caplog.at_level(logging.ERROR, logger="app.api"):
        answer = client.get("/api/boom")
    assert answer.status_code == 500
    body = answer.json()
    assert body["error_id"] and body["error_id"] in body["detail"]
    assert "division" not in body["detail"], "internals stay in the log"
    logged = [r for r in caplog.records if body["error_id"] in r.getMessage()]
    assert logged and logged[0].exc_info, "the traceback is logged under the error id"


def test_a_read_only_database_gets_503_with_what_to_do(api):
    error = OperationalError("INSERT", {}, Exception("attempt to write a readonly database"))
    answer = _raiser(api, error).get("/api/boom")
    assert answer.status_code == 503
    assert "read-only" in answer.json()["detail"] and "writable" in answer.json()["detail"]
    assert "sqlite3" not in answer.text and "INSERT" not in answer.text


def test_a_lost_unique_race_gets_409(api):
    error = IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: captions.caption_set_id"))
    answer = _raiser(api, error).get("/api/boom")
    assert answer.status_code == 409 and "Try again" in answer.json()["detail"]
    assert "UNIQUE" not in answer.text


def test_twenty_parallel_first_saves_of_one_image_answer_200_or_409(client, core, dataset_id: str):
    from concurrent.futures import ThreadPoolExecutor

    caption_set = client.post(f"/api/datasets/{dataset_id}/caption-sets", json={"name": "Race"}).json()
    file_id = client.get(f"/api/datasets/{dataset_id}/files").json()[0]["file_id"]
    url = f"/api/caption-sets/{caption_set['id']}/captions"

    def save(index: int) -> int:
        return client.post(url, json={"file_id": file_id, "caption_text": f"caption {index}"}).status_code

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(save, range(20)))
    assert set(codes) <= {200, 409}, codes
    assert len(client.get(url).json()) == 1, "one caption per file and set"


def test_the_export_request_is_typed_in_the_openapi_and_bounded(api, client, dataset_id: str):
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/api/datasets/{dataset_id}/export"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"]["$ref"].endswith("/ExportRequest")
    for bad in (
        {"repeats": 10**30},
        {"numbering": {"start": -1}},
        {"image_processing": {"jpeg_quality": "x"}},
    ):
        assert client.post(f"/api/datasets/{dataset_id}/export/plan", json=bad).status_code == 422, bad


def test_a_first_save_that_lost_the_unique_race_is_saved_over_the_winner(client, dataset_id, monkeypatch):
    from app.services.captions import captions as captions_service

    caption_set = client.post(f"/api/datasets/{dataset_id}/caption-sets", json={"name": "Lost"}).json()
    file_id = client.get(f"/api/datasets/{dataset_id}/files").json()[0]["file_id"]
    real, calls = captions_service.write_caption, []

    def racing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))
        return real(*args, **kwargs)

    monkeypatch.setattr(captions_service, "write_caption", racing)
    url = f"/api/caption-sets/{caption_set['id']}/captions"
    answer = client.post(url, json={"file_id": file_id, "caption_text": "mine"})
    assert answer.status_code == 200 and len(calls) == 2
