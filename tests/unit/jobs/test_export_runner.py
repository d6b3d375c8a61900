"""The background export runner: one export at a time, cancel, live progress kept for the status endpoint."""

from __future__ import annotations

import time

from app.jobs.exports import ExportRunner
from app.services.exports import export_history
from tests.export_seed import seed_dataset


def _wait(core, export_id: str) -> dict:
    for _ in range(300):
        entry = export_history.get_export(core.db, export_id)
        if entry.status not in export_history.ACTIVE:
            return entry
        time.sleep(0.05)
    raise AssertionError("the export did not finish")


def test_runner_exports_in_the_background_and_keeps_the_last_progress(core, make_image, tmp_path):
    seeded = seed_dataset(core.db, [make_image(f"{i}.jpg") for i in range(3)])
    jobs = ExportRunner(core)
    started = jobs.start(
        seeded.dataset_id, {"caption_set_id": seeded.caption_set_id, "export_path": str(tmp_path / "out")}
    )
    assert started.status == "processing" and started.estimated_files == 3
    entry = _wait(core, started.export_id)
    assert entry.status == "completed" and entry.file_count == 3
    status = jobs.status(started.export_id)
    assert status.progress.status == "completed" and status.progress.file_count == 3


def test_a_queued_export_cancelled_before_its_turn_leaves_nothing(core, make_image, tmp_path):
    seeded = seed_dataset(core.db, [make_image(f"{i}.jpg") for i in range(3)])
    jobs = ExportRunner(core)
    with jobs._turn:  # another export is running: this one waits for its turn
        started = jobs.start(
            seeded.dataset_id, {"caption_set_id": seeded.caption_set_id, "export_path": str(tmp_path / "out")}
        )
        assert jobs.cancel(started.export_id)
    entry = _wait(core, started.export_id)
    assert entry.status == "cancelled"
    assert not (tmp_path / "out").exists()
    assert not jobs.cancel(started.export_id), "nothing left to cancel"


def test_status_is_final_as_soon_as_the_row_is_even_before_the_last_progress_event(
    core, make_image, tmp_path
):
    seeded = seed_dataset(core.db, [make_image(f"{i}.jpg") for i in range(2)])
    jobs = ExportRunner(core)
    emit = jobs._emit
    jobs._emit = lambda payload: (
        None if payload.get("status") == "completed" else emit(payload)
    )  # still on its way
    started = jobs.start(
        seeded.dataset_id, {"caption_set_id": seeded.caption_set_id, "export_path": str(tmp_path / "out")}
    )
    assert _wait(core, started.export_id).status == "completed"
    status = jobs.status(started.export_id)
    assert status.status == "completed"
    assert status.progress.status == "completed" and status.progress.file_count == 2


def test_deleting_a_dataset_while_its_export_runs_is_refused_and_the_history_stays(
    core, make_image, tmp_path
):
    import pytest

    from app.errors import Conflict
    from app.services.datasets import datasets

    seeded = seed_dataset(core.db, [make_image(f"{i}.jpg") for i in range(3)])
    jobs = ExportRunner(core)
    with jobs._turn:  # the export is pending, waiting for its turn
        started = jobs.start(
            seeded.dataset_id, {"caption_set_id": seeded.caption_set_id, "export_path": str(tmp_path / "out")}
        )
        with pytest.raises(Conflict, match="being exported"):
            datasets.delete_dataset(core.db, seeded.dataset_id)
        assert jobs.cancel(started.export_id)
    entry = _wait(core, started.export_id)
    assert entry.status == "cancelled", "the export has its history row"
    assert datasets.delete_dataset(core.db, seeded.dataset_id).name  # once it stopped, delete works


def test_an_export_whose_row_vanished_records_nothing_instead_of_crashing(core):
    export_history.update_export(core.db, "gone-id", status="failed")  # no AttributeError
