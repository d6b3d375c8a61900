"""GET/PUT /api/system/config, GET /api/system/stats and GET /api/system/identity."""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, Body
from nicegui import Client

from app.core import current
from app.services import system

router = APIRouter(prefix="/api/system", tags=["system"])


@router.get("/config", summary="The current settings (API key masked)")
def get_config() -> dict[str, Any]:
    return current().settings.public_dict()


@router.put("/config", summary="Apply and save a partial settings object in the settings.yaml shape")
def put_config(
    patch: dict[str, Any] = Body(..., examples=[{"vision": {"base_url": "http://127.0.0.1:11434"}}]),
) -> dict[str, Any]:
    return system.update_config(current().settings, patch)


@router.get("/stats", summary="Counts of tracked things and the size of the thumbnail cache")
def get_stats() -> dict[str, Any]:
    core = current()
    return system.system_stats(core.db, core.settings)


@router.get("/identity", summary="Which app answers here (the start-up port check asks it)")
def get_identity() -> dict[str, Any]:
    return {
        "app": "CaptionForge",
        "pid": os.getpid(),
        "data_dir": str(current().settings.data_dir),
        "connected_pages": sum(1 for client in Client.instances.values() if client.has_socket_connection),
    }
