"""Caption sets and captions: flags, revisions, revert, conflicts, max_length, batches, statistics."""

from __future__ import annotations

import pytest

from app.errors import Conflict, Invalid, NotFound
from app.services.captions import caption_batches, caption_sets, captions
from app.services.datasets import dataset_members, datasets
from tests.factories import make_tracked_files


@pytest.fixture
def setup(core):
    """A dataset of 3 files (the first two with imported .txt captions) and one caption set."""
    ids = make_tracked_files(core.db, 3, imported_captions=["imported one", "imported two", None])
    dataset = datasets.create_dataset(core.db, "D")
    dataset_members.add_files(core.db, dataset.id, ids)
    caption_set = caption_sets.create_caption_set(
        core.db, dataset.id, "Natural", "natural_simple", max_length=40
    )
    return core.db, dataset, caption_set, ids


def _stats(db, set_id):
    s = caption_sets.get_caption_set(db, set_id)
    return s.caption_count, s.auto_generated_count, s.manually_edited_count, s.avg_quality_score


def test_source_and_flags_follow_the_seed(setup):
    db, _, cs, ids = setup
    generated = captions.save_caption(
        db, cs.id, ids[0], "a cat", source="generated", vision_model="qwen3-vl:4b", quality_score=0.8
    )
    assert (generated["source"], generated["auto_generated"], generated["manually_edited"]) == (
        "generated",
        True,
        False,
    )
    assert generated["vision_model"] == "qwen3-vl:4b" and generated["generation_date"]
    assert generated["caption_state"] == "generated"
    edited = captions.save_caption(db, cs.id, ids[0], "a grey cat")
    assert (edited["source"], edited["auto_generated"], edited["manually_edited"]) == (
        "generated",
        True,
        True,
    )
    assert edited["caption_state"] == "edited" and edited["quality_score"] == 0.8
    manual = captions.save_caption(db, cs.id, ids[1], "a dog")
    assert (manual["source"], manual["auto_generated"], manual["manually_edited"]) == ("manual", False, True)
    imported = captions.save_caption(db, cs.id, ids[2], "txt", source="imported")
    assert (imported["source"], imported["caption_state"]) == ("imported", "imported")
    assert _stats(db, cs.id) == (3, 1, 2, 0.8)


def test_every_change_writes_a_revision_and_revert_restores(setup):
    db, _, cs, ids = setup
    first = captions.save_caption(db, cs.id, ids[0], "one", source="generated")
    captions.save_caption(db, cs.id, ids[0], "two")
    captions.save_caption(db, cs.id, ids[0], "two")  # unchanged: no revision
    captions.save_caption(db, cs.id, ids[0], "three")
    history = captions.list_revisions(db, first["id"])
    assert [(r.previous_text, r.new_text, r.change_type) for r in history] == [
        ("two", "three", "manual"),
        ("one", "two", "manual"),
        (None, "one", "generated"),
    ]
    reverted = captions.revert_caption(db, first["id"], history[-1].id)
    assert reverted.caption_text == "one"
    latest = captions.list_revisions(db, first["id"])[0]
    assert (latest.previous_text, latest.new_text, latest.change_type) == ("three", "one", "revert")
    with pytest.raises(NotFound):
        captions.revert_caption(db, first["id"], "no-such-revision")


def test_max_length_is_enforced_with_a_clear_message(setup):
    db, _, cs, ids = setup
    with pytest.raises(Invalid, match=r"41 characters.*at most 40.*Shorten it by 1"):
        captions.save_caption(db, cs.id, ids[0], "x" * 41)
    assert captions.save_caption(db, cs.id, ids[0], "  " + "x" * 40 + "  ")["caption_text"] == "x" * 40
    with pytest.raises(Invalid, match="empty"):
        captions.save_caption(db, cs.id, ids[0], "   ")
    updated = caption_sets.update_caption_set(db, cs.id, max_length=10)
    assert updated.over_max_length == 1
    with pytest.raises(Invalid, match="max_length"):
        caption_sets.update_caption_set(db, cs.id, max_length=-5)


def test_stale_expected_modified_is_a_conflict(setup):
    db, _, cs, ids = setup
    opened = captions.save_caption(db, cs.id, ids[0], "first")
    tab_b = captions.save_caption(db, cs.id, ids[0], "tab b", expected_modified=opened["modified_date"])
    assert tab_b["modified_date"] > opened["modified_date"]
    with pytest.raises(Conflict, match="changed elsewhere"):
        captions.save_caption(db, cs.id, ids[0], "tab a", expected_modified=opened["modified_date"])
    assert captions.get_caption(db, cs.id, ids[0])["caption"]["caption_text"] == "tab b"
    captions.delete_caption(db, tab_b["id"])
    with pytest.raises(Conflict, match="deleted"):
        captions.save_caption(db, cs.id, ids[0], "tab a", expected_modified=tab_b["modified_date"])
    with pytest.raises(Invalid, match="ISO"):
        captions.save_caption(db, cs.id, ids[0], "x", expected_modified="yesterday")


def test_files_outside_the_dataset_and_unknown_ids_are_refused(setup):
    db, _, cs, _ = setup
    [outsider] = make_tracked_files(db, 1, folder="/elsewhere")
    with pytest.raises(Invalid, match="add it to the dataset first"):
        captions.save_caption(db, cs.id, outsider, "x")
    with pytest.raises(NotFound):
        captions.save_caption(db, cs.id, "ghost", "x")
    with pytest.raises(NotFound):
        captions.save_caption(db, "ghost-set", outsider, "x")
    with pytest.raises(Invalid, match="source"):
        captions.save_caption(db, cs.id, outsider, "x", source="robot")


def test_statistics_after_delete_and_membership_changes(setup):
    db, dataset, cs, ids = setup
    a = captions.save_caption(db, cs.id, ids[0], "a", source="generated", quality_score=0.5)
    captions.save_caption(db, cs.id, ids[1], "b", source="generated", quality_score=1.0)
    assert _stats(db, cs.id) == (2, 2, 0, 0.75)
    dataset_members.remove_files(db, dataset.id, [ids[1]])
    assert _stats(db, cs.id) == (1, 1, 0, 0.5)
    dataset_members.add_files(db, dataset.id, [ids[1]])  # its caption comes back with it
    assert _stats(db, cs.id) == (2, 2, 0, 0.75)
    deleted = captions.delete_caption(db, a["id"])
    assert deleted.caption_text == "a"
    assert _stats(db, cs.id) == (1, 1, 0, 1.0)
    assert captions.get_caption(db, cs.id, ids[0])["caption"] is None


def test_init_from_imported_and_import_later(setup):
    db, dataset, _, ids = setup
    created = caption_sets.create_caption_set(
        db,
        dataset.id,
        "From txt",
        "custom",
        max_length=12,
        trigger_phrase="nova",
        init_from_imported=True,
        ensure_trigger=False,
    )
    assert (created.imported, created.skipped_too_long, created.caption_count) == (2, 0, 2)
    got = captions.get_caption(db, created.id, ids[0])
    assert got["caption"]["source"] == "imported" and got["imported_caption"] == "imported one"
    assert got["caption"]["imported_from_path"].endswith("img_0001.txt")
    [revision] = captions.list_revisions(db, got["caption"]["id"])
    assert revision.change_type == "import"
    strict = caption_sets.create_caption_set(
        db, dataset.id, "Strict", "tags", max_length=5, init_from_imported=True
    )
    assert (strict.imported, strict.skipped_too_long) == (0, 2)
    captions.save_caption(db, created.id, ids[0], "mine")
    report = caption_sets.import_captions(db, created.id)
    assert (report.imported, report.skipped_existing) == (0, 2)


def test_caption_set_crud_duplicate_and_names(setup):
    db, dataset, cs, ids = setup
    with pytest.raises(Conflict, match="already has a caption set"):
        caption_sets.create_caption_set(db, dataset.id, "natural", "tags")
    with pytest.raises(Invalid, match="style"):
        caption_sets.create_caption_set(db, dataset.id, "X", "poetry")
    captions.save_caption(db, cs.id, ids[0], "one", source="generated", quality_score=0.9)
    copy = caption_sets.duplicate_caption_set(db, cs.id, "Natural copy")
    assert (copy.style, copy.max_length, copy.caption_count, copy.auto_generated_count) == (
        "natural_simple",
        40,
        1,
        1,
    )
    copied = captions.get_caption(db, copy.id, ids[0])["caption"]
    assert copied["caption_text"] == "one" and copied["source"] == "generated"
    assert captions.list_revisions(db, copied["id"])[0].change_type == "batch"
    captions.save_caption(db, copy.id, ids[0], "changed in copy")
    assert captions.get_caption(db, cs.id, ids[0])["caption"]["caption_text"] == "one"
    renamed = caption_sets.update_caption_set(
        db, copy.id, name="Second", trigger_phrase=" nova ", style="tags"
    )
    assert (renamed.name, renamed.trigger_phrase, renamed.style) == ("Second", "nova", "tags")
    assert [s.name for s in caption_sets.list_caption_sets(db, dataset.id)] == ["Natural", "Second"]
    assert caption_sets.delete_caption_set(db, cs.id).model_dump() == {
        "caption_set_id": cs.id,
        "name": "Natural",
        "captions": 1,
    }
    assert datasets.get_dataset(db, dataset.id).default_caption_set_id == copy.id
    with pytest.raises(NotFound):
        caption_sets.get_caption_set(db, cs.id)


def test_batch_is_all_or_nothing_and_undoable(setup):
    db, _, cs, ids = setup
    captions.save_caption(db, cs.id, ids[0], "old")
    with pytest.raises(Invalid, match="nothing was changed"):
        caption_batches.save_captions_batch(
            db,
            cs.id,
            [{"file_id": ids[0], "caption_text": "new"}, {"file_id": ids[1], "caption_text": "y" * 50}],
        )
    assert captions.get_caption(db, cs.id, ids[0])["caption"]["caption_text"] == "old"
    result = caption_batches.save_captions_batch(
        db,
        cs.id,
        [{"file_id": ids[0], "caption_text": "new"}, {"file_id": ids[1], "caption_text": "fresh"}],
        label="replace old",
    )
    assert (result.created, result.updated, result.unchanged) == (1, 1, 0)
    history = captions.list_revisions(db, captions.get_caption(db, cs.id, ids[0])["caption"]["id"])
    assert (history[0].change_type, history[0].batch_id, history[0].batch_label) == (
        "batch",
        result.batch_id,
        "replace old",
    )
    assert _stats(db, cs.id)[0] == 2
    assert caption_batches.revert_batch(db, result.batch_id).model_dump() == {"reverted": 2, "skipped": 0}
    assert captions.get_caption(db, cs.id, ids[0])["caption"]["caption_text"] == "old"
    assert captions.get_caption(db, cs.id, ids[1])["caption"] is None
    assert _stats(db, cs.id)[0] == 1
    assert caption_batches.delete_captions(db, cs.id, ids) == 1
    assert _stats(db, cs.id)[0] == 0


def test_a_saved_caption_tells_open_pages_its_new_text_and_state(setup):
    db, _, cs, ids = setup
    seen: list[dict] = []
    db.publish = lambda kind, payload: seen.append(dict(payload)) if kind == "caption_changed" else None
    saved = captions.save_caption(db, cs.id, ids[0], "a cat")
    assert seen == [captions.caption_changed_payload(saved, cs.id, ids[0])]
    assert seen[0] == {
        "caption_set_id": cs.id,
        "file_id": ids[0],
        "caption_text": "a cat",
        "caption_state": "edited",
        "modified_date": saved["modified_date"],
    }
    captions.delete_caption(db, saved["id"])
    assert seen[-1] == captions.caption_changed_payload(None, cs.id, ids[0])
    assert seen[-1]["caption_state"] == "none" and seen[-1]["caption_text"] is None
