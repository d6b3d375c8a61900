"""A full disk while saving: a clear error that says where, nothing half-written, the draft kept.

SQLite's max_page_count makes the database "full" exactly like a full disk does (SQLITE_FULL).
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from app.db import Database
from app.errors import StorageFull
from app.services.captions import captions
from tests.caption_tools_seed import CAPTIONS, seed_caption_set


def fill_up(db: Database) -> None:
    """From now on the database cannot grow by a single page."""
    with db.engine.connect() as connection:
        pages = connection.execute(text("PRAGMA page_count")).scalar()

    def limit(dbapi_connection, _record) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    db.engine.dispose()
    event.listen(db.engine, "connect", limit)


def test_a_full_disk_says_so_and_keeps_the_caption_as_it_was(core) -> None:
    seeded = seed_caption_set(core.db, max_length=None)
    file_id = seeded["file_ids"][0]
    fill_up(core.db)
    with pytest.raises(StorageFull) as raised:
        captions.save_caption(core.db, seeded["id"], file_id, "a long new caption " * 4000)
    message = str(raised.value)
    assert "is full" in message and str(core.settings.data_dir) in message and "not saved" in message
    assert captions.get_caption(core.db, seeded["id"], file_id)["caption"]["caption_text"] == CAPTIONS[0]


async def test_the_editor_keeps_the_draft_and_shows_why_it_was_not_saved(user) -> None:
    from tests.app_services import running
    from tests.ui.test_workspace_editor import open_image, stored
    from tests.ui.test_workspace_grid import open_dataset

    seeded, grid = await open_dataset(user)
    await open_image(user, grid, seeded, 1)
    fill_up(running().db)
    user.find(marker="caption-input").type("a dog on a beach " * 3000)
    user.find(marker="editor-save").click()
    await user.should_see("is full", retries=50)
    await user.should_see("Unsaved changes", marker="caption-unsaved")
    assert stored(seeded, 1) is None
