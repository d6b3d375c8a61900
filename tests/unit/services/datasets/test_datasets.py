"""Datasets: slugs, CRUD, search, membership and cached statistics after every operation."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from app.errors import Conflict, Invalid, NotFound
from app.models import TrackedFolder
from app.services.captions import caption_sets, captions
from app.services.datasets import dataset_members, datasets
from app.services.datasets.dataset_stats import refresh_statistics
from app.services.slugs import slugify, unique_slug
from tests.factories import make_tracked_files


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Nova Chorus v2!", "nova-chorus-v2"),
        ("  Café  Crème ", "cafe-creme"),
        ("a/b\\c:d*e?", "a-b-c-d-e"),
        ("!!!", "dataset"),
        ("猫", "dataset"),
        ("CON", "con-dataset"),
        ("x" * 300, "x" * 80),
    ],
)
def test_slugify_makes_folder_safe_names(name, slug):
    assert slugify(name) == slug


def test_unique_slug_appends_a_number_on_clash():
    assert unique_slug("Nova", set()) == "nova"
    assert unique_slug("Nova", {"nova"}) == "nova-2"
    assert unique_slug("Nova!", {"nova", "nova-2"}) == "nova-3"


def test_create_gives_unique_slugs_and_refuses_duplicate_names(core):
    first = datasets.create_dataset(core.db, "Nova Chorus v2!", tags=["portrait", " Woman ", "portrait"])
    second = datasets.create_dataset(core.db, "nova chorus v2")
    assert first.slug == "nova-chorus-v2"
    assert second.slug == "nova-chorus-v2-2"
    assert first.tags == ["portrait", "Woman"]
    with pytest.raises(Conflict, match="already exists"):
        datasets.create_dataset(core.db, "NOVA Chorus v2!")
    with pytest.raises(Invalid, match="needs a name"):
        datasets.create_dataset(core.db, "   ")


def test_update_renames_with_a_new_slug_and_edits_fields(core):
    dataset = datasets.create_dataset(core.db, "Old")
    datasets.create_dataset(core.db, "Taken")
    updated = datasets.update_dataset(
        core.db, dataset.id, name="New Name", description=" d ", tags="a, b", category="char", notes="n"
    )
    assert (updated.name, updated.slug) == ("New Name", "new-name")
    assert (updated.description, updated.tags, updated.category, updated.notes) == (
        "d",
        ["a", "b"],
        "char",
        "n",
    )
    with pytest.raises(Conflict):
        datasets.update_dataset(core.db, dataset.id, name="taken")
    with pytest.raises(Invalid, match="Cannot change"):
        datasets.update_dataset(core.db, dataset.id, file_count=3)
    with pytest.raises(NotFound):
        datasets.update_dataset(core.db, "nope", name="x")


def test_search_matches_name_tag_and_category(core):
    datasets.create_dataset(core.db, "Landscapes", tags=["nature"])
    datasets.create_dataset(core.db, "Portraits", tags=["people"], category="Character")
    names = lambda q: [d.name for d in datasets.list_datasets(core.db, q)]  # noqa: E731
    assert names(None) == ["Landscapes", "Portraits"]
    assert names("land") == ["Landscapes"]
    assert names("PEOPLE") == ["Portraits"]
    assert names("charac") == ["Portraits"]
    assert names("zzz") == []


def test_statistics_follow_add_remove_and_twice_is_a_no_op(core):
    ids = make_tracked_files(core.db, 4, sizes_mb=[1.0, 2.0, 3.0, 4.0], quality=[0.2, 0.4, 0.6, None])
    dataset = datasets.create_dataset(core.db, "Stats")
    assert dataset_members.add_files(core.db, dataset.id, ids[:3]) == 3
    assert dataset_members.add_files(core.db, dataset.id, ids[:3] + ids[:1]) == 0
    stats = datasets.get_dataset(core.db, dataset.id)
    assert (stats.file_count, stats.total_size_mb, stats.avg_quality_score) == (3, 6.0, 0.4)
    assert dataset_members.add_files(core.db, dataset.id, ids) == 1
    stats = datasets.get_dataset(core.db, dataset.id)
    assert (stats.file_count, stats.total_size_mb, stats.avg_quality_score) == (4, 10.0, 0.4)
    assert dataset_members.remove_files(core.db, dataset.id, [ids[0], ids[1], "not-a-member"]) == 2
    stats = datasets.get_dataset(core.db, dataset.id)
    assert (stats.file_count, stats.total_size_mb, stats.avg_quality_score) == (2, 7.0, 0.6)
    assert dataset_members.remove_files(core.db, dataset.id, ids[2:]) == 2
    stats = datasets.get_dataset(core.db, dataset.id)
    assert (stats.file_count, stats.total_size_mb, stats.avg_quality_score) == (0, 0.0, None)


def test_add_unknown_files_is_not_found_and_adds_nothing(core):
    ids = make_tracked_files(core.db, 1)
    dataset = datasets.create_dataset(core.db, "D")
    with pytest.raises(NotFound, match="not tracked"):
        dataset_members.add_files(core.db, dataset.id, [ids[0], "ghost"])
    assert datasets.get_dataset(core.db, dataset.id).file_count == 0


def test_add_folder_adds_present_readable_files_only(core):
    ids = make_tracked_files(core.db, 3, folder="/p/a")
    make_tracked_files(core.db, 1, folder="/p/a", exists=False, prefix="gone")
    dataset = datasets.create_dataset(core.db, "D")
    files = dataset_members.list_dataset_files(core.db, dataset.id)
    assert files == []
    folder_id = _folder_id(core, "/p/a")
    assert dataset_members.add_folder(core.db, dataset.id, folder_id) == 3
    assert dataset_members.add_folder(core.db, dataset.id, folder_id) == 0
    assert [f["file_id"] for f in dataset_members.list_dataset_files(core.db, dataset.id)] == ids


def test_create_dataset_from_folder_names_it_after_the_folder(core):
    make_tracked_files(core.db, 2, folder="/p/Nova Shots")
    folder_id = _folder_id(core, "/p/Nova Shots")
    first = datasets.create_dataset_from_folder(core.db, folder_id)
    second = datasets.create_dataset_from_folder(core.db, folder_id)
    assert (first.name, first.slug, first.file_count) == ("Nova Shots", "nova-shots", 2)
    assert second.name == "Nova Shots (2)"


def test_exclude_and_reorder_show_in_the_file_list(core):
    ids = make_tracked_files(core.db, 4)
    dataset = datasets.create_dataset(core.db, "D")
    dataset_members.add_files(core.db, dataset.id, ids)
    assert dataset_members.set_excluded(core.db, dataset.id, [ids[1]], True) == 1
    dataset_members.reorder(core.db, dataset.id, [ids[3], ids[1]])
    rows = dataset_members.list_dataset_files(core.db, dataset.id)
    assert [r["file_id"] for r in rows] == [ids[3], ids[1], ids[0], ids[2]]
    assert [r["order_index"] for r in rows] == [0, 1, 2, 3]
    assert [r["excluded"] for r in rows] == [False, True, False, False]
    assert dataset_members.set_excluded(core.db, dataset.id, [ids[1]], False) == 1
    assert not any(r["excluded"] for r in dataset_members.list_dataset_files(core.db, dataset.id))
    with pytest.raises(Invalid, match="not in this dataset"):
        dataset_members.reorder(core.db, dataset.id, ["ghost"])
    # Excluded files still count as members.
    assert datasets.get_dataset(core.db, dataset.id).file_count == 4


def test_file_rows_carry_the_contract_fields(core):
    ids = make_tracked_files(core.db, 2, imported_captions=["a cat", None], flags=[["blurry"], []])
    dataset = datasets.create_dataset(core.db, "D")
    dataset_members.add_files(core.db, dataset.id, ids)
    caption_set = caption_sets.create_caption_set(core.db, dataset.id, "Natural", "natural_simple")
    captions.save_caption(core.db, caption_set.id, ids[0], "a tabby cat")
    first, second = dataset_members.list_dataset_files(core.db, dataset.id, caption_set.id)
    assert first["filename"] == "img_0001.jpg" and first["quality_flags"] == ["blurry"]
    assert first["has_imported"] is True and second["has_imported"] is False
    assert first["thumbnail_url"].startswith(f"/api/files/{ids[0]}/thumbnail?v=")
    assert (first["caption_text"], first["caption_state"]) == ("a tabby cat", "edited")
    assert first["caption_modified"] is not None and first["caption_id"]
    assert (second["caption_id"], second["caption_state"]) == (None, "none")
    expected = {"file_id", "filename", "file_path", "folder_id", "width", "height", "file_size_mb", "date_added",
                "order_index", "excluded", "quality_score", "quality_flags", "thumbnail_url", "has_imported",
                "caption_id", "caption_text", "caption_state", "caption_modified", "crop",
                "is_video", "duration_seconds", "fps", "frame_count", "video_url"}  # fmt: skip
    assert set(first) == expected


def test_delete_dataset_says_what_went_and_keeps_tracked_files(core):
    ids = make_tracked_files(core.db, 3)
    dataset = datasets.create_dataset(core.db, "D")
    dataset_members.add_files(core.db, dataset.id, ids)
    one = caption_sets.create_caption_set(core.db, dataset.id, "A", "tags")
    caption_sets.create_caption_set(core.db, dataset.id, "B", "natural_simple")
    captions.save_caption(core.db, one.id, ids[0], "x")
    captions.save_caption(core.db, one.id, ids[1], "y")
    summary = datasets.deletion_summary(core.db, dataset.id)
    assert (summary.files, summary.caption_sets, summary.captions) == (3, 2, 2)
    assert datasets.delete_dataset(core.db, dataset.id) == summary
    assert datasets.list_datasets(core.db) == []
    with pytest.raises(NotFound):
        datasets.get_dataset(core.db, dataset.id)
    other = datasets.create_dataset(core.db, "E")
    assert dataset_members.add_files(core.db, other.id, ids) == 3


def test_list_shows_caption_coverage_per_set(core):
    ids = make_tracked_files(core.db, 3)
    dataset = datasets.create_dataset(core.db, "D")
    dataset_members.add_files(core.db, dataset.id, ids)
    caption_set = caption_sets.create_caption_set(core.db, dataset.id, "Tags", "tags")
    captions.save_caption(core.db, caption_set.id, ids[0], "cat")
    [listed] = datasets.list_datasets(core.db)
    assert [s.model_dump() for s in listed.caption_sets] == [
        {"id": caption_set.id, "name": "Tags", "style": "tags", "caption_count": 1, "total": 3}
    ]
    assert listed.default_caption_set_id == caption_set.id


def test_refresh_statistics_repairs_after_a_folder_is_removed_behind_our_back(core):
    ids = make_tracked_files(core.db, 2, folder="/p/a") + make_tracked_files(core.db, 1, folder="/p/b")
    dataset = datasets.create_dataset(core.db, "D")
    dataset_members.add_files(core.db, dataset.id, ids)
    caption_set = caption_sets.create_caption_set(core.db, dataset.id, "S", "tags")
    captions.save_caption(core.db, caption_set.id, ids[0], "x")
    with core.db.session() as session:
        session.execute(delete(TrackedFolder).where(TrackedFolder.path == "/p/a"))
    assert refresh_statistics(core.db) == 1
    assert datasets.get_dataset(core.db, dataset.id).file_count == 1
    assert caption_sets.get_caption_set(core.db, caption_set.id).caption_count == 0


def _folder_id(core, path: str) -> str:
    with core.db.session() as session:
        return session.scalar(select(TrackedFolder.id).where(TrackedFolder.path == path))


def test_imported_captions_of_only_blanks_do_not_count(core):
    texts = ["a cat", " \t", "\n\r\n", None, "\tdog\n"]
    ids = make_tracked_files(core.db, len(texts), imported_captions=texts)
    dataset = datasets.create_dataset(core.db, "D")
    dataset_members.add_files(core.db, dataset.id, ids)
    assert datasets.dataset_statistics(core.db, dataset.id).with_imported_captions == 2
