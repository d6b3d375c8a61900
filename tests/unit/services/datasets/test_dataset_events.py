"""Every change of a dataset or its members tells open pages (datasets_changed) once it has committed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.errors import NotFound
from app.models import TrackedFolder
from app.services.datasets import dataset_members, datasets
from tests.factories import make_tracked_files


@pytest.fixture
def seen(core):
    events: list[tuple[str, dict]] = []
    core.db.publish = lambda kind, payload: events.append((kind, dict(payload)))
    return events


def test_each_change_sends_one_event_naming_its_dataset(core, seen):
    ids = make_tracked_files(core.db, 3)
    dataset = datasets.create_dataset(core.db, "D")
    dataset_members.add_files(core.db, dataset.id, ids)
    dataset_members.set_excluded(core.db, dataset.id, ids[:1], True)
    dataset_members.reorder(core.db, dataset.id, list(reversed(ids)))
    dataset_members.remove_files(core.db, dataset.id, ids[:1])
    datasets.update_dataset(core.db, dataset.id, name="E")
    datasets.delete_dataset(core.db, dataset.id)
    assert seen == [("datasets_changed", {"dataset_id": dataset.id})] * 7


def test_a_dataset_made_from_a_folder_is_one_event(core, seen):
    make_tracked_files(core.db, 2, folder="/data/nova")
    with core.db.session() as session:
        folder_id = session.scalar(select(TrackedFolder.id).where(TrackedFolder.path == "/data/nova"))
    made = datasets.create_dataset_from_folder(core.db, folder_id)
    assert made.file_count == 2 and made.name == "nova"
    assert seen == [("datasets_changed", {"dataset_id": made.id})]


def test_a_refused_change_sends_nothing(core, seen):
    dataset = datasets.create_dataset(core.db, "D")
    seen.clear()
    with pytest.raises(NotFound):
        dataset_members.add_files(core.db, dataset.id, ["ghost"])
    assert seen == []
