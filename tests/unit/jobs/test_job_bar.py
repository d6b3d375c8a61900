"""The job card's bar: the job's own work done, not the images it skipped when it was planned."""

from __future__ import annotations

from app.ui.jobs.job_progress import bar_fraction


def test_no_image_done_is_an_empty_bar_even_when_most_were_skipped() -> None:
    job = {
        "total_files": 120,
        "skipped_files": 110,
        "completed_files": 0,
        "failed_files": 0,
        "remaining_files": 10,
    }
    assert bar_fraction(job) == 0.0


def test_the_bar_counts_captioned_and_failed_of_the_work() -> None:
    job = {
        "total_files": 120,
        "skipped_files": 110,
        "completed_files": 4,
        "failed_files": 1,
        "remaining_files": 5,
    }
    assert bar_fraction(job) == 0.5
    assert bar_fraction({**job, "remaining_files": None}) == 0.5  # an older payload without remaining
    assert bar_fraction({"total_files": 0}) == 0.0
