"""A caption set guarantees its trigger phrase on save and on import, unless its switch is off."""

from __future__ import annotations

import pytest

from app.errors import Invalid
from app.services.captions import caption_sets, captions
from app.services.datasets import dataset_members, datasets
from tests.export_seed import seed_dataset
from tests.factories import make_tracked_files


@pytest.fixture
def dataset(core):
    ids = make_tracked_files(core.db, 2, imported_captions=["a woman on a beach", None])
    dataset = datasets.create_dataset(core.db, "D")
    dataset_members.add_files(core.db, dataset.id, ids)
    return core.db, dataset.id, ids


@pytest.mark.parametrize(
    ("style", "typed", "saved"),
    [
        ("natural_simple", "A woman on a beach", "ohwx, a woman on a beach"),
        ("natural_simple", "ohwx, a woman", "ohwx, a woman"),  # already there: not twice
        ("natural_simple", "OHWX a woman", "OHWX a woman"),  # any case counts
        ("tags", "beach, ohwx, smile", "ohwx, beach, smile"),  # the trigger tag leads, once
        ("natural_simple", "line one\nline two", "ohwx, line one\nline two"),
    ],
)
def test_a_new_caption_gets_the_trigger(dataset, style, typed, saved) -> None:
    db, dataset_id, ids = dataset
    caption_set = caption_sets.create_caption_set(db, dataset_id, "S", style, trigger_phrase="ohwx")
    assert caption_set.ensure_trigger is True
    assert captions.save_caption(db, caption_set.id, ids[1], typed, source="manual")["caption_text"] == saved


def test_imported_captions_get_the_trigger(dataset) -> None:
    db, dataset_id, ids = dataset
    created = caption_sets.create_caption_set(
        db, dataset_id, "S", "natural_simple", trigger_phrase="ohwx", init_from_imported=True
    )
    text = captions.get_caption(db, created.id, ids[0])["caption"]["caption_text"]
    assert text == "ohwx, a woman on a beach"


def test_the_switch_off_keeps_captions_as_written(dataset) -> None:
    db, dataset_id, ids = dataset
    caption_set = caption_sets.create_caption_set(
        db, dataset_id, "S", "natural_simple", trigger_phrase="ohwx"
    )
    caption_sets.update_caption_set(db, caption_set.id, ensure_trigger=False)
    assert caption_sets.get_caption_set(db, caption_set.id).ensure_trigger is False
    assert (
        captions.save_caption(db, caption_set.id, ids[1], "a cat", source="manual")["caption_text"] == "a cat"
    )
    for bad in ("yes", 1, None):
        with pytest.raises(Invalid, match="ensure_trigger must be true or false"):
            caption_sets.update_caption_set(db, caption_set.id, ensure_trigger=bad)


def test_export_writes_the_trigger_into_captions_saved_without_it(core, make_image, tmp_path) -> None:
    from app.services.exports import exports

    images = [make_image("a.jpg"), make_image("b.jpg")]
    seeded = seed_dataset(
        core.db, images, ["a woman on a beach", "novachorus, at night"], ensure_trigger=True
    )
    target = tmp_path / "out"
    request = {"caption_set_id": seeded.caption_set_id, "export_path": str(target)}
    started = exports.start_export(core.db, core.settings, seeded.dataset_id, request)
    assert exports.run_export(core.db, core.settings, started.export_id).status == "completed"
    written = [p.read_text(encoding="utf-8") for p in sorted(target.glob("*.txt"))]
    assert written == ["novachorus, a woman on a beach", "novachorus, at night"]
