"""Keep best, exclude the rest: what goes is shown first, edited captions are never excluded silently."""

from __future__ import annotations

import pytest

from app import models
from app.container import attach, build_services
from app.errors import Conflict
from app.services.quality.near_duplicates import keep_best, keep_best_preview
from tests.unit.services.quality.test_curation import seed_dataset


def _caption(core, dataset_id: str, file_id: str, text: str, edited: bool) -> None:
    with core.db.session() as s:
        caption_set = s.query(models.CaptionSet).filter_by(dataset_id=dataset_id).first()
        if caption_set is None:
            caption_set = models.CaptionSet(dataset_id=dataset_id, name="Main", style="tags")
            s.add(caption_set)
            s.flush()
        s.add(
            models.Caption(
                caption_set_id=caption_set.id, file_id=file_id, caption_text=text, manually_edited=edited
            )
        )


def _excluded(core) -> dict[str, bool]:
    with core.db.session() as s:
        return {m.file_id: m.excluded for m in s.query(models.DatasetFile)}


def test_an_edited_caption_is_never_excluded_without_confirmation(core):
    dataset_id = seed_dataset(
        core, [{"id": "hi", "q": 0.95}, {"id": "mine", "q": 0.2}, {"id": "low", "q": 0.1}]
    )
    _caption(core, dataset_id, "mine", "my careful words", edited=True)
    preview = keep_best_preview(core.db, dataset_id, ["hi", "mine", "low"])
    assert preview.keep.file_id == "mine", "the hand-edited caption outweighs a higher quality score"
    assert {f.file_id for f in preview.exclude} == {"hi", "low"}
    assert _excluded(core) == {"hi": False, "mine": False, "low": False}, "a preview changes nothing"


def test_excluding_an_edited_caption_needs_confirm_edited(core):
    dataset_id = seed_dataset(core, [{"id": "a", "q": 0.9}, {"id": "b", "q": 0.2}])
    _caption(core, dataset_id, "a", "edited a", edited=True)
    _caption(core, dataset_id, "b", "edited b", edited=True)
    with pytest.raises(Conflict, match=r"hand-edited caption \(b.jpg\)"):
        keep_best(core.db, dataset_id, ["a", "b"])
    assert _excluded(core) == {"a": False, "b": False}, "refused: nothing excluded"
    result = keep_best(core.db, dataset_id, ["a", "b"], confirm_edited=True)
    assert result.edited_excluded == ["b.jpg"] and _excluded(core) == {"a": False, "b": True}


def test_best_weighs_resolution_and_captions_not_quality_alone(core):
    dataset_id = seed_dataset(
        core,
        [
            {"id": "tiny", "q": 0.6, "w": 256, "h": 256},
            {"id": "large", "q": 0.5, "w": 1024, "h": 1024},
        ],
    )
    assert keep_best_preview(core.db, dataset_id, ["tiny", "large"]).keep.file_id == "large"


def test_best_prefers_a_captioned_image(core):
    dataset_id = seed_dataset(core, [{"id": "bare", "q": 0.6}, {"id": "said", "q": 0.5}])
    _caption(core, dataset_id, "said", "a caption", edited=False)
    assert keep_best_preview(core.db, dataset_id, ["bare", "said"]).keep.file_id == "said"


def test_keep_best_api_previews_and_refuses_with_409(core):
    from fastapi import FastAPI
    from starlette.testclient import TestClient

    from app.api import _domain_error, curation
    from app.errors import CaptionForgeError

    api = FastAPI()

    attach(api, build_services(core))
    api.include_router(curation.router)
    api.add_exception_handler(CaptionForgeError, _domain_error)
    client = TestClient(api)
    dataset_id = seed_dataset(core, [{"id": "a", "q": 0.9}, {"id": "b", "q": 0.2}])
    _caption(core, dataset_id, "b", "edited b", edited=True)
    _caption(core, dataset_id, "a", "edited a", edited=True)
    base = [r.path for r in curation.router.routes if r.path.endswith("keep-best")][0].replace(
        "{dataset_id}", dataset_id
    )
    preview = client.post(base + "/preview", json={"file_ids": ["a", "b"]})
    assert preview.status_code == 200 and preview.json()["exclude"][0]["edited_caption"] is True
    refused = client.post(base, json={"file_ids": ["a", "b"]})
    assert refused.status_code == 409 and "hand-edited" in refused.json()["detail"]
    assert client.post(base, json={"file_ids": ["a", "b"], "confirm_edited": True}).status_code == 200
    assert client.post(base, json={"file_ids": ["a"]}).status_code == 422
