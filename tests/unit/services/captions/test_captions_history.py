"""A deleted caption keeps its history; re-creating it continues the same history."""

from app.services.captions import caption_sets, captions
from app.services.datasets import dataset_members, datasets
from tests.factories import make_tracked_files


def test_deleted_caption_history_survives_and_can_be_restored(core):
    file_ids = make_tracked_files(core.db, 2)
    dataset = datasets.create_dataset(core.db, "History")
    dataset_members.add_files(core.db, dataset.id, file_ids)
    caption_set = caption_sets.create_caption_set(core.db, dataset.id, "Natural", "natural_simple")
    first = captions.save_caption(core.db, caption_set.id, file_ids[0], "a woman in a red dress")
    captions.save_caption(core.db, caption_set.id, file_ids[0], "a woman in a blue dress")
    captions.delete_caption(core.db, first["id"])
    again = captions.save_caption(core.db, caption_set.id, file_ids[0], "a portrait")
    history = captions.list_revisions(core.db, again["id"])
    assert [r.change_type for r in history] == ["manual", "delete", "manual", "manual"]
    assert history[1].previous_text == "a woman in a blue dress"
    restored = captions.revert_caption(core.db, again["id"], history[3].id)
    assert restored.caption_text == "a woman in a red dress"
