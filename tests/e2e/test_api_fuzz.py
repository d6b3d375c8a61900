"""Schemathesis over /openapi.json against a running server: every operation, real ids, zero 5xx.

main.py runs in a subprocess (real HTTP, the app's own middleware and error mapping), seeded through the
API itself with a scanned folder, a dataset, a caption set, a caption, a finished caption job (fake
Ollama), an export, a saved view and a batch, so path parameters name things that exist and each case
reaches the operation's real logic instead of a 404. Query strings and bodies are fuzzed from the schema.
Operations that destroy the seed run last (see LAST); none is skipped.
"""

from __future__ import annotations

import contextlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.e2e.live_server import LiveServer
from tests.job_seed import write_images

pytestmark = pytest.mark.e2e
EXAMPLES = 15  # per operation and mode: ~1,700 cases in about a minute on 2 cores
MODEL = "qwen3-vl:4b-instruct"  # installed on the fake Ollama

# These run after every other operation, in this order, because each one removes or rewires part of the
# seed the others need: pausing/cancelling jobs and exports, dropping files from the dataset, the settings
# (restored after each case, see _restore_settings), then the deletes, the folder last.
LAST = [
    ("POST", "/api/folders/{folder_id}/scan/cancel"),
    ("POST", "/api/vision/jobs/{job_id}/cancel"),
    ("POST", "/api/export/jobs/{export_id}/cancel"),
    ("POST", "/api/vision/models/download/{model}/cancel"),
    ("PUT", "/api/system/config"),
    ("POST", "/api/datasets/{dataset_id}/files/exclude"),
    ("POST", "/api/datasets/{dataset_id}/files/remove"),
    ("DELETE", "/api/datasets/{dataset_id}/files/{file_id}"),
    ("DELETE", "/api/views/{view_id}"),
    ("DELETE", "/api/export/presets/{name}"),
    ("DELETE", "/api/captions/{caption_id}"),
    ("DELETE", "/api/caption-sets/{caption_set_id}"),
    ("DELETE", "/api/datasets/{dataset_id}"),
    ("DELETE", "/api/folders/{folder_id}"),
]


@pytest.fixture
def server(fake_vision_server: LiveServer) -> LiveServer:
    return fake_vision_server  # everything it may touch on disk lies under .root


def _ok(response: httpx.Response) -> dict:
    assert response.status_code < 300, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json()


def _wait(client: httpx.Client, url: str, done, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = _ok(client.get(url))
        if done(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.2)


def seed(server: LiveServer) -> dict[str, str]:
    """Real ids for every path parameter, made through the API the way a user would."""
    root: Path = server.root  # type: ignore[attr-defined]
    write_images(root / "photos", 4)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        folder = _ok(client.post("/api/folders", json={"path": str(root / "photos"), "scan": True}))
        _wait(client, f"/api/folders/{folder['id']}/scan", lambda s: s.get("phase") in ("done", "error"))
        files = _ok(client.get(f"/api/folders/{folder['id']}/files"))
        files = files["files"] if isinstance(files, dict) else files
        file_ids = [f["id"] for f in files]
        assert len(file_ids) == 4, files
        dataset = _ok(client.post("/api/datasets", json={"name": "Fuzz"}))
        _ok(client.post(f"/api/datasets/{dataset['id']}/files", json={"file_ids": file_ids}))
        caption_set = _ok(client.post(f"/api/datasets/{dataset['id']}/caption-sets", json={"name": "Tags"}))
        set_id = caption_set["id"]
        caption = _ok(
            client.post(
                f"/api/caption-sets/{set_id}/captions",
                json={"file_id": file_ids[0], "caption_text": "a red square, flat colour"},
            )
        )
        _ok(client.put(f"/api/captions/{caption['id']}", json={"caption_text": "a red square"}))
        revisions = _ok(client.get(f"/api/captions/{caption['id']}/revisions"))
        revisions = revisions["revisions"] if isinstance(revisions, dict) else revisions
        batch = _ok(
            client.post(
                f"/api/caption-sets/{set_id}/batch",
                json={"updates": [{"file_id": file_ids[1], "caption_text": "red, square"}]},
            )
        )
        job = _ok(client.post(f"/api/caption-sets/{set_id}/auto-generate", json={"parallel": 1}))
        _wait(
            client, f"/api/vision/jobs/{job['job_id']}", lambda j: j["status"] not in ("pending", "running")
        )
        export = _ok(
            client.post(
                f"/api/datasets/{dataset['id']}/export",
                json={
                    "caption_set_id": set_id,
                    "export_type": "zip",
                    "export_path": str(root / "export.zip"),
                },
            )
        )
        export_id = export.get("export_id") or export["id"]
        done = _wait(
            client,
            f"/api/export/jobs/{export_id}",
            lambda e: e["status"] in ("completed", "failed", "cancelled"),
        )
        assert done["status"] == "completed", done  # GET .../download then serves a real ZIP
        view = _ok(client.post(f"/api/datasets/{dataset['id']}/views", json={"name": "Red", "query": "red"}))
        crop_batch = _ok(
            client.post(
                f"/api/datasets/{dataset['id']}/crops/centre", json={"file_ids": file_ids, "aspect": "1:1"}
            )
        )
        _ok(client.put("/api/export/presets/fuzz", json={}))
    return {
        "folder_id": folder["id"],
        "file_id": file_ids[0],
        "dataset_id": dataset["id"],
        "caption_set_id": set_id,
        "caption_id": caption["id"],
        "revision_id": revisions[-1]["id"],
        "batch_id": batch.get("batch_id") or batch["id"],
        "job_id": job["job_id"],
        "export_id": export_id,
        "view_id": view["id"],
        "crop_batch_id": crop_batch["batch_id"],
        "name": "fuzz",
        "model": MODEL,
        "file_ids": file_ids,
        # `path` (GET /static/{path}) stays fuzzed: any text is a valid request for a static file.
    }


def _with_real_ids(body, ids: dict[str, str], file_ids: list[str]):
    """The body with every id field the seed knows set to a real one (top level and one list deep)."""
    known = {**ids, "file_ids": file_ids}
    if isinstance(body, dict):
        return {k: (known[k] if k in known else _with_real_ids(v, ids, file_ids)) for k, v in body.items()}
    if isinstance(body, list):
        return [_with_real_ids(item, ids, file_ids) if isinstance(item, dict) else item for item in body]
    return body


def _real_body(case, substitute: bool, ids: dict):
    if substitute and isinstance(case.body, dict | list):
        plain = {k: v for k, v in ids.items() if isinstance(v, str)}
        case.body = _with_real_ids(case.body, plain, ids["file_ids"])
    return case


def _restore_settings(server: LiveServer, session: requests.Session) -> None:
    """A fuzzed PUT /api/system/config may widen allowed_folders or repoint the vision server: put them back."""
    patch = {
        "server": {"allowed_folders": [str(server.root)]},  # type: ignore[attr-defined]
        "vision": {"backend": "ollama", "base_url": server.vision_url},  # type: ignore[attr-defined]
    }
    assert session.put(server.url + "/api/system/config", json=patch, timeout=30).status_code == 200


def _ordered(operations: list) -> list:
    rank = {key: index for index, key in enumerate(LAST)}
    return sorted(operations, key=lambda op: rank.get((op.method.upper(), op.path), -1))


@dataclass
class Tally:
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    answered_2xx: set[tuple[str, str]] = field(default_factory=set)


def _fuzz(url: str, session: requests.Session, operation, strategy, tally: Tally, after_case=None) -> None:
    """Up to EXAMPLES cases of one operation; a 5xx or no answer is recorded, the run goes on."""
    key = (operation.method.upper(), operation.path)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases every run: a failure here reproduces
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case) -> None:
        tally.cases += 1
        try:
            response = case.call(base_url=url, session=session, timeout=30)
        except requests.RequestException as exc:
            tally.failures.append(f"{key}: no answer ({exc}) for {case.as_curl_command()}")
            return
        if response.status_code >= 500:
            tally.failures.append(
                f"{key}: {response.status_code} {response.text[:300]} for {case.as_curl_command()}"
            )
        elif response.status_code < 300:
            tally.answered_2xx.add(key)
        if after_case is not None:
            after_case(key)

    with contextlib.suppress(Unsatisfiable):  # negative mode, for an operation with nothing to make invalid
        run()


def fuzz(url: str, operations: list, ids: dict, after_case=None) -> Tally:
    """The harness: every operation (destructive ones last), positive and negative cases, real ids."""
    session = requests.Session()
    tally = Tally()
    for operation in _ordered(operations):
        names = re.findall(r"{(\w+)}", operation.path)
        fixed = {name: ids[name] for name in names if name in ids and name != "file_ids"}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed or None)
            except Exception as exc:  # an operation with nothing to make invalid has no negative cases
                print(f"{operation.method.upper()} {operation.path}: no {mode.value} cases ({exc})")
                continue
            if mode is GenerationMode.POSITIVE and "file_ids" in ids:
                # half the cases name real files, folders and sets in the body
                strategy = st.tuples(strategy, st.booleans()).map(lambda pair: _real_body(*pair, ids))
            _fuzz(url, session, operation, strategy, tally, after_case)
    return tally


def test_no_operation_answers_5xx(server: LiveServer) -> None:
    ids = seed(server)
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    session = requests.Session()
    started = time.monotonic()

    def after_case(key) -> None:
        if key == ("PUT", "/api/system/config"):
            _restore_settings(server, session)

    tally = fuzz(server.url, operations, ids, after_case)
    elapsed = time.monotonic() - started
    print(f"\nschemathesis: {len(operations)} operations, {tally.cases} cases, {elapsed:.1f}s")
    never = sorted({(o.method.upper(), o.path) for o in operations} - tally.answered_2xx)
    print(f"{len(never)} operations never answered 2xx (only 4xx for every case):")
    for method, path in never:
        print(f"  {method} {path}")
    report = "\n".join(tally.failures[:40])
    assert not tally.failures, f"{report}\n({len(tally.failures)} failures)\n{server.log()[-4000:]}"


def test_the_harness_reports_an_injected_5xx(core, monkeypatch) -> None:
    """The bar means something: the same harness, one route made to raise, and the harness says so."""
    from fastapi import FastAPI

    from app.api import register_api
    from app.container import build_services
    from app.services import system
    from tests.fakes.server import LoopbackServer

    def broken(*_args, **_kwargs):
        raise RuntimeError("injected failure")

    monkeypatch.setattr(system, "system_stats", broken)
    app = FastAPI()
    register_api(app, build_services(core))
    server = LoopbackServer(app).start()
    try:
        schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
        picked = {("GET", "/api/system/stats"), ("GET", "/api/system/identity")}  # broken, and a healthy one
        operations = [
            op
            for op in (r.ok() for r in schema.get_all_operations())
            if (op.method.upper(), op.path) in picked
        ]
        assert len(operations) == 2
        tally = fuzz(server.url, operations, {})
    finally:
        server.stop()
    assert tally.failures, "the injected 500 went unreported"
    assert all(f.startswith("('GET', '/api/system/stats'): 500") for f in tally.failures), tally.failures[:3]
    assert "error_id" in tally.failures[0]
    assert ("GET", "/api/system/identity") in tally.answered_2xx
