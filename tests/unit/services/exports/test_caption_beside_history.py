"""Past writes beside the images: the list per caption set, Undo of any of them, and the backup pruning."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.testclient import TestClient

from app.api import _domain_error
from app.config import DEFAULTS
from app.container import attach, build_services
from app.errors import CaptionForgeError
from app.services.captions import caption_sets, captions
from app.services.captions.caption_shapes import WriteBesideResult
from app.services.exports import caption_files_beside as beside
from tests.unit.services.exports.test_caption_files_beside import seed


def _write(core, seeded, text: str, keep: int | None = None) -> WriteBesideResult:
    """Change every caption of the set to `text` + index and write it beside the images."""
    for index, file_id in enumerate(seeded["file_ids"]):
        captions.save_caption(core.db, seeded["id"], file_id, f"ohwx, {text} {index}")
    return beside.write_beside(core.db, core.settings.data_dir, seeded["id"], keep=keep)


def test_the_set_lists_its_writes_newest_first_with_counts_and_what_can_be_undone(core, tmp_path):
    root = tmp_path / "photos"
    seeded = seed(core, root, ["ohwx, a", "ohwx, b", None])
    (root / "img_0001.txt").write_text("by hand", encoding="utf-8")
    first = _write(core, seeded, "first")
    second = _write(core, seeded, "second")
    writes = beside.list_writes(core.settings.data_dir, seeded["id"])
    assert [w.backup_id for w in writes] == [second.backup_id, first.backup_id]
    assert (writes[1].files, writes[1].overwritten, writes[1].created_files) == (3, 1, 2)
    assert (writes[0].files, writes[0].overwritten) == (3, 3), "the second write overwrote all three"
    assert all(w.can_undo and not w.undone and w.created for w in writes)

    beside.undo_write_beside(core.settings.data_dir, second.backup_id)
    after = {w.backup_id: w for w in beside.list_writes(core.settings.data_dir, seeded["id"])}
    assert after[second.backup_id].undone and not after[second.backup_id].can_undo
    assert after[first.backup_id].can_undo, "the earlier write can still be undone"
    beside.undo_write_beside(core.settings.data_dir, first.backup_id)
    assert (root / "img_0001.txt").read_text() == "by hand", "undoing both, in turn, gives back the original"
    assert not (root / "img_0002.txt").exists()


def test_pruning_keeps_the_last_n_writes_of_the_set_only(core, tmp_path):
    seeded = seed(core, tmp_path / "photos", ["ohwx, a"])
    ids = [_write(core, seeded, f"v{n}").backup_id for n in range(5)]
    assert beside.prune_backups(core.settings.data_dir, seeded["id"], 2) == ids[:3]
    assert [w.backup_id for w in beside.list_writes(core.settings.data_dir, seeded["id"])] == ids[:2:-1]
    assert not (core.settings.data_dir / "caption-backups" / ids[0]).exists()


def test_pruning_never_deletes_the_newest_write_s_backup(core, tmp_path):
    seeded = seed(core, tmp_path / "photos", ["ohwx, a"])
    ids = [_write(core, seeded, f"v{n}").backup_id for n in range(3)]
    for keep in (0, -5):
        beside.prune_backups(core.settings.data_dir, seeded["id"], keep)
        assert [w.backup_id for w in beside.list_writes(core.settings.data_dir, seeded["id"])] == [ids[-1]]
    assert beside.undo_write_beside(core.settings.data_dir, ids[-1]).restored == 1


def test_a_write_prunes_with_the_setting_and_leaves_other_sets_alone(core, tmp_path):
    seeded = seed(core, tmp_path / "photos", ["ohwx, a"])
    dataset_id = caption_sets.get_caption_set(core.db, seeded["id"]).dataset_id
    other = {**seeded, "id": caption_sets.create_caption_set(core.db, dataset_id, "Other", "tags").id}
    other_id = _write(core, other, "o").backup_id
    results = [_write(core, seeded, f"v{n}", keep=2) for n in range(4)]
    assert results[2].pruned == [results[0].backup_id]
    assert len(beside.list_writes(core.settings.data_dir, seeded["id"])) == 2
    assert [w.backup_id for w in beside.list_writes(core.settings.data_dir, other["id"])] == [other_id]


def test_the_default_keeps_ten_and_a_damaged_backup_is_left_out_of_the_list(core, tmp_path):
    assert DEFAULTS["export"]["caption_backups_kept"] == 10
    seeded = seed(core, tmp_path / "photos", ["ohwx, a"])
    good = _write(core, seeded, "v").backup_id
    broken = core.settings.data_dir / "caption-backups" / "20000101-000000-000000"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json", encoding="utf-8")
    assert [w.backup_id for w in beside.list_writes(core.settings.data_dir, seeded["id"])] == [good]
    assert beside.list_writes(core.settings.data_dir, "no-such-set") == []


def test_the_history_endpoint_lists_the_writes(core, tmp_path):
    from app.api import caption_beside

    seeded = seed(core, tmp_path / "photos", ["ohwx, a"])
    api = FastAPI()
    attach(api, build_services(core))
    api.include_router(caption_beside.router)
    api.add_exception_handler(CaptionForgeError, _domain_error)
    client = TestClient(api)
    core.settings["export"]["caption_backups_kept"] = 1
    for n in range(2):
        captions.save_caption(core.db, seeded["id"], seeded["file_ids"][0], f"ohwx, v{n}")
        assert client.post(f"/api/caption-sets/{seeded['id']}/write-beside").status_code == 200
    history = client.get(f"/api/caption-sets/{seeded['id']}/write-beside/history")
    assert history.status_code == 200
    assert [(w["files"], w["can_undo"]) for w in history.json()] == [(1, True)], "kept: 1 (the setting)"
