"""Saved views: named grid queries (the filter language) per dataset."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.db import Database
from app.errors import Conflict, Invalid, NotFound
from app.models import SavedView
from app.services.datasets.dataset_members import require_dataset
from app.services.grid.query import parse_query
from app.services.grid.query_syntax import QueryError


def create_saved_view(db: Database, dataset_id: str, name: str, query: str) -> dict[str, Any]:
    """Save a named query for a dataset; Invalid for a blank name or a query that does not parse,
    Conflict when the dataset already has a view of that name."""
    clean_name, clean_query = (name or "").strip(), (query or "").strip()
    if not clean_name:
        raise Invalid("Give the view a name")
    try:
        parse_query(clean_query)
    except QueryError as error:
        raise Invalid(f"The query cannot be saved: {error}") from None
    with db.session() as session:
        require_dataset(session, dataset_id)
        taken = session.scalar(
            select(SavedView.id).where(SavedView.dataset_id == dataset_id, SavedView.name == clean_name)
        )
        if taken:
            raise Conflict(f'This dataset already has a view named "{clean_name}"; pick another name')
        view = SavedView(dataset_id=dataset_id, name=clean_name, query=clean_query)
        session.add(view)
        session.flush()
        return _view_dict(view)


def list_saved_views(db: Database, dataset_id: str) -> list[dict[str, Any]]:
    """The dataset's saved views, by name."""
    with db.session() as session:
        require_dataset(session, dataset_id)
        views = session.scalars(
            select(SavedView).where(SavedView.dataset_id == dataset_id).order_by(SavedView.name)
        )
        return [_view_dict(view) for view in views]


def delete_saved_view(db: Database, view_id: str) -> dict[str, Any]:
    """Delete a saved view; returns what was deleted."""
    with db.session() as session:
        view = session.get(SavedView, view_id)
        if view is None:
            raise NotFound(f"Saved view {view_id} does not exist (deleted in another tab?)")
        deleted = _view_dict(view)
        session.delete(view)
        return deleted


def _view_dict(view: SavedView) -> dict[str, Any]:
    return {
        "id": view.id,
        "dataset_id": view.dataset_id,
        "name": view.name,
        "query": view.query,
        "created_date": view.created_date.isoformat(),
    }
