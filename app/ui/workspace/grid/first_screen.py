"""A big dataset's first grid screen before all of its rows: the first rows first, the rest right after.

Reading 100,000 rows takes ~1.5 s and sending them ~1 s more. In dataset order with nothing filtered,
the first FIRST_SCREEN_ROWS rows are exactly the tiles the first screens show, so the workspace reads
and shows those (a LIMIT query, a few ms), then reads all rows and appends the rest to the grid.
Any other view (a sort, a filter) needs every row to know its first screen and reads them all at once.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

from app.services.grid.grid_view import GridOptions
from app.ui.workspace.grid.thumb_grid import ThumbGrid
from app.ui.workspace.workspace_state import GridRows, WorkspaceReads, WorkspaceState

Row = dict[str, Any]
FIRST_SCREEN_ROWS = 600  # more tiles than a 4K screen shows at the smallest tile size, and a scroll or two
APPEND_CHUNK = (
    10_000  # rows a message: one message of 100,000 rows holds ~15 MB of JSON and its lists at once
)


class Workspace(Protocol):
    """What the rest of the rows needs from the workspace controller."""

    state: WorkspaceState
    rows: GridRows
    reads: WorkspaceReads
    grid: ThumbGrid

    async def apply_view(self) -> None: ...

    async def load_rows(self, rows: list[Row] | None = None) -> None: ...


def first_screen_limit(options: GridOptions) -> int | None:
    """How many rows to read for the first screen: FIRST_SCREEN_ROWS in plain dataset order, else all."""
    plain = options.sort == "order" and not options.descending and options.show == "all"
    unfiltered = options.quality_below is None and not options.search.strip() and not options.query.strip()
    return FIRST_SCREEN_ROWS if plain and unfiltered else None


def is_first_screen(rows: list[Row]) -> bool:
    """True when `rows` may be only the first screen's rows (a dataset of exactly that size reads again)."""
    return len(rows) == FIRST_SCREEN_ROWS


async def load_the_rest(workspace: Workspace, shown: list[Row]) -> None:
    """Read every row of what `shown` began and append the rest to the grid; selection and editor stay."""
    wanted = (workspace.state.dataset_id, workspace.state.caption_set_id)
    rows = await workspace.reads.rows(*wanted)
    if (workspace.state.dataset_id, workspace.state.caption_set_id) != wanted or workspace.grid.is_deleted:
        return  # another dataset or caption set is shown now, or the page is gone
    same_start = [row["file_id"] for row in rows[: len(shown)]] == [row["file_id"] for row in shown]
    if workspace.rows.rows is not shown or not same_start:
        await workspace.load_rows(rows)  # members changed meanwhile: show the fresh list as a whole
        return
    rest = rows[len(shown) :]
    for start in range(0, len(rest), APPEND_CHUNK):
        workspace.grid.append_rows(rest[start : start + APPEND_CHUNK], workspace.grid.order)
        await asyncio.sleep(0.02)  # this chunk goes out (and its JSON is freed) before the next is built
        if workspace.grid.is_deleted:
            return
        if workspace.rows.rows is not shown:  # rows removed or reloaded meanwhile: read them again as a whole
            await workspace.load_rows()
            return
    workspace.rows.rows = shown + rest  # the shown rows stay: a caption saved meanwhile is in them
    workspace.state.total_count = len(workspace.rows.rows)
    await workspace.apply_view()  # the order over all rows, the counts
