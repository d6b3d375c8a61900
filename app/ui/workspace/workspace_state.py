"""The workspace page's state: what is selected where. One per page visit, never module-level."""

from __future__ import annotations

from nicegui import binding


@binding.bindable_dataclass
class WorkspaceState:
    """Selected dataset and caption set, the file in the editor and the grid's selection size."""

    dataset_id: str | None = None
    caption_set_id: str | None = None
    file_id: str | None = None
    selected_count: int = 0
    hidden_selected_count: int = 0  # selected, but hidden by the filter
    open_unselected: bool = False  # the editor shows an image outside a selection made on purpose
    shown_count: int = 0
    total_count: int = 0
