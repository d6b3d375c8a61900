"""Every caption-set count follows caption_changed: the toolbar's choice as well as the dataset list."""

from __future__ import annotations

from nicegui.testing import User

from app.services.captions import caption_sets, captions
from tests.app_services import running
from tests.ui.test_workspace_grid import eventually, open_dataset


async def test_the_caption_set_choice_follows_a_caption_saved_elsewhere(user: User) -> None:
    seeded, grid = await open_dataset(user, count=6, captioned_every=3)
    select = next(iter(user.find(marker="set-select").elements))
    before = caption_sets.get_caption_set(running().db, seeded.caption_set_id)
    label = f"({before.caption_count}/6)"
    assert label in select.options[seeded.caption_set_id]
    uncaptioned = next(fid for fid, r in grid.rows.items() if not r.get("caption_text"))
    # another tab or the API: the save sends the one event every count follows
    captions.save_caption(running().db, seeded.caption_set_id, uncaptioned, "typed", source="manual")
    after = f"({before.caption_count + 1}/6)"
    await eventually(lambda: after in select.options[seeded.caption_set_id])
