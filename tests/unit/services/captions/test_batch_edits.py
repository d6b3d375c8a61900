"""Batch edits on a caption set: preview, apply as one batch, recent batches, undo (and undo of the undo)."""

from __future__ import annotations

import pytest

from app.errors import Conflict, Invalid
from app.services.captions import batch_edits, caption_batches, captions, tags
from app.services.datasets import dataset_members
from app.services.grid import saved_views
from tests.caption_tools_seed import CAPTIONS, seed_caption_set


@pytest.fixture
def caption_set(core):
    return seed_caption_set(core.db)


def texts(core, caption_set):
    rows = dataset_members.list_dataset_files(core.db, caption_set["dataset_id"], caption_set["id"])
    return [row["caption_text"] for row in rows]


def test_preview_changes_nothing_and_shows_before_after_and_total(core, caption_set):
    edit = {"op": "add", "text": "hat", "position": "start"}
    preview = batch_edits.preview_batch(core.db, caption_set["id"], edit, limit=1)
    assert preview.total == 2 and preview.scanned == 4
    assert [sample.model_dump() for sample in preview.samples] == [
        {
            "file_id": caption_set["file_ids"][0],
            "filename": "img_0001.jpg",
            "before": "ohwx, woman, smile, red dress",
            "after": "ohwx, hat, woman, smile, red dress",
            "reason": None,
        }
    ]
    assert texts(core, caption_set)[0] == CAPTIONS[0]


def test_apply_writes_one_batch_and_undo_restores_every_caption(core, caption_set):
    result = batch_edits.apply_batch(core.db, caption_set["id"], {"op": "remove_tag", "tag": "smile"})
    assert result.changed == 3 and result.label == 'Remove tag "smile"'
    assert texts(core, caption_set) == [
        "ohwx, woman, red dress",
        "ohwx, woman, hat",
        CAPTIONS[2],
        None,
        "ohwx, man",
    ]

    [batch] = batch_edits.recent_batches(core.db, caption_set["id"])
    assert batch.batch_id == result.batch_id and batch.count == 3 and not batch.undone

    undo = batch_edits.undo_batch(core.db, result.batch_id)
    assert undo.restored == 3 and undo.skipped == 0
    assert texts(core, caption_set) == CAPTIONS
    undo_row, original = batch_edits.recent_batches(core.db, caption_set["id"])
    assert original.undone and undo_row.label.startswith("Undo of") and undo_row.count == 3
    with pytest.raises(Conflict):
        batch_edits.undo_batch(core.db, result.batch_id)

    batch_edits.undo_batch(core.db, undo.batch_id)  # undo the undo: the edit is back
    assert texts(core, caption_set)[0] == "ohwx, woman, red dress"


def test_undo_gives_generated_and_imported_captions_back_their_state(core, caption_set):
    first, second = caption_set["file_ids"][:2]
    captions.save_caption(core.db, caption_set["id"], first, CAPTIONS[0], source="generated")
    captions.save_caption(core.db, caption_set["id"], second, CAPTIONS[1], source="imported")

    def states() -> list:
        rows = dataset_members.list_dataset_files(core.db, caption_set["dataset_id"], caption_set["id"])
        return [row["caption_state"] for row in rows[:3]]

    before = states()
    assert before[:2] == ["generated", "imported"], before
    result = batch_edits.apply_batch(core.db, caption_set["id"], {"op": "strip", "text": "woman"})
    assert states()[:2] == ["edited", "edited"], "a batch edit counts as an edit by hand"
    batch_edits.undo_batch(core.db, result.batch_id)
    assert states() == before


def test_undo_leaves_captions_edited_since_the_batch(core, caption_set):
    result = batch_edits.apply_batch(core.db, caption_set["id"], {"op": "strip", "text": "woman"})
    first = caption_set["file_ids"][0]
    captions.save_caption(core.db, caption_set["id"], first, "edited by hand")
    undo = batch_edits.undo_batch(core.db, result.batch_id)
    assert (undo.restored, undo.skipped) == (2, 1)
    assert texts(core, caption_set)[:3] == ["edited by hand", CAPTIONS[1], CAPTIONS[2]]


def test_scopes_selection_and_filter(core, caption_set):
    edit = {"op": "replace", "find": "woman", "replace": "person"}
    selection = batch_edits.preview_batch(
        core.db, caption_set["id"], edit, file_ids=caption_set["file_ids"][1:3]
    )
    assert selection.total == 2
    filtered = batch_edits.apply_batch(core.db, caption_set["id"], edit, query="tag:hat -tag:ohwx")
    assert filtered.changed == 1
    assert texts(core, caption_set)[2] == "person, hat, outdoors"


def test_trigger_phrase_and_regex_replace(core, caption_set):
    batch_edits.apply_batch(core.db, caption_set["id"], {"op": "apply_trigger"})
    assert texts(core, caption_set)[2] == "ohwx, woman, hat, outdoors"
    edit = {"op": "replace", "find": r"^ohwx, (\w+)", "replace": r"ohwx \1", "regex": True}
    preview = batch_edits.preview_batch(core.db, caption_set["id"], edit)
    assert preview.total == 4 and preview.samples[0].after == "ohwx woman, smile, red dress"


def test_edits_that_break_a_caption_are_skipped_not_applied(core, caption_set):
    too_long = {"op": "add", "text": "a very long phrase that does not fit", "position": "end"}
    preview = batch_edits.preview_batch(core.db, caption_set["id"], too_long)
    assert preview.total == 0 and len(preview.skipped) == 4
    assert "over the set's maximum of 40" in preview.skipped[0].reason
    emptied = batch_edits.apply_batch(
        core.db, caption_set["id"], {"op": "replace", "find": "ohwx, man, smile", "replace": ""}
    )
    assert emptied.changed == 0 and emptied.batch_id is None
    assert emptied.skipped[0].reason == "the caption would be empty"


def test_bad_edits_raise_invalid(core, caption_set):
    with pytest.raises(Invalid, match="regular expression"):
        batch_edits.preview_batch(core.db, caption_set["id"], {"op": "replace", "find": "(", "regex": True})
    with pytest.raises(Invalid, match="Unknown batch edit"):
        batch_edits.preview_batch(core.db, caption_set["id"], {"op": "explode"})


def test_tag_vocabulary_rename_and_delete(core, caption_set):
    vocabulary = tags.tag_vocabulary(core.db, caption_set["id"])
    assert [item.model_dump() for item in vocabulary[:4]] == [
        {"tag": "ohwx", "count": 3},
        {"tag": "smile", "count": 3},  # "Smile" counts too; the common spelling is shown
        {"tag": "woman", "count": 3},
        {"tag": "hat", "count": 2},
    ]
    assert tags.suggest_tags(vocabulary, "o", exclude=["ohwx"]) == ["outdoors", "woman"]

    preview = tags.preview_rename_tag(core.db, caption_set["id"], "smile", "grin")
    assert preview.total == 3 and preview.samples[1].after == "ohwx, woman, hat, grin"
    tags.rename_tag(core.db, caption_set["id"], "smile", "grin")
    tags.delete_tag(core.db, caption_set["id"], "hat")
    assert texts(core, caption_set) == [
        "ohwx, woman, grin, red dress",
        "ohwx, woman, grin",
        "woman, outdoors",
        None,
        "ohwx, man, grin",
    ]
    assert len(batch_edits.recent_batches(core.db, caption_set["id"])) == 2


def test_saved_views(core, caption_set):
    view = saved_views.create_saved_view(core.db, caption_set["dataset_id"], "Hats", "tag:hat")
    assert [v["name"] for v in saved_views.list_saved_views(core.db, caption_set["dataset_id"])] == ["Hats"]
    with pytest.raises(Conflict):
        saved_views.create_saved_view(core.db, caption_set["dataset_id"], "Hats", "tag:cap")
    with pytest.raises(Invalid, match="never closed"):
        saved_views.create_saved_view(core.db, caption_set["dataset_id"], "Bad", "(tag:x")
    saved_views.delete_saved_view(core.db, view["id"])
    assert saved_views.list_saved_views(core.db, caption_set["dataset_id"]) == []


def test_an_applied_batch_tells_open_pages_the_new_captions(core, caption_set):
    seen: list[tuple[str, dict]] = []
    core.db.publish = lambda kind, payload: seen.append((kind, dict(payload)))
    result = batch_edits.apply_batch(core.db, caption_set["id"], {"op": "remove_tag", "tag": "hat"})
    payloads = [payload for kind, payload in seen if kind == "caption_changed"]
    assert [p["file_id"] for p in payloads] == result.file_ids == caption_set["file_ids"][1:3]
    assert ("datasets_changed", {"dataset_id": caption_set["dataset_id"]}) in seen
    assert payloads[0]["caption_text"] == "ohwx, woman, Smile" and payloads[0]["caption_state"] == "edited"
    assert payloads[0]["modified_date"] and payloads[0]["caption_set_id"] == caption_set["id"]


def test_one_flush_per_batch_still_handles_a_file_twice_and_undo(core, caption_set):
    uncaptioned = caption_set["file_ids"][3]
    first = caption_set["file_ids"][0]
    saved = caption_batches.save_captions_batch(
        core.db,
        caption_set["id"],
        [
            {"file_id": uncaptioned, "caption_text": "new"},
            {"file_id": uncaptioned, "caption_text": "newer"},
            {"file_id": first, "caption_text": "changed"},
            {"file_id": first, "caption_text": "changed twice"},
        ],
        label="twice",
    )
    assert (saved.created, saved.updated) == (1, 3)
    assert texts(core, caption_set)[0] == "changed twice" and texts(core, caption_set)[3] == "newer"
    undo = batch_edits.undo_batch(core.db, saved.batch_id)
    assert undo.restored == 4  # newest first: each step back matches the next older change
    assert texts(core, caption_set) == CAPTIONS  # the created caption is gone again
