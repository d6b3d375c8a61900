"""GET/PUT /api/system/config, GET /api/system/stats and GET /api/system/identity."""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter, Body
from nicegui import Client
from pydantic import BaseModel, Field

from app.api.schemas.settings_schemas import SettingsOut, SettingsPatch, patch_dict
from app.container import ServicesDep
from app.services import system
from app.services.system import SystemStats

router = APIRouter(prefix="/api/system", tags=["system"])


class Identity(BaseModel):
    """Which app and process answer on this port."""

    app: str = Field(examples=["CaptionForge"])
    pid: int
    data_dir: str
    connected_pages: int = Field(description="Browser pages connected right now")


@router.get("/config", response_model=SettingsOut, summary="The current settings (API key masked)")
def get_config(services: ServicesDep) -> dict[str, Any]:
    return services.settings.public_dict()


@router.put(
    "/config",
    response_model=SettingsOut,
    summary="Apply and save a partial settings object in the settings.yaml shape",
)
def put_config(
    services: ServicesDep,
    # SettingsPatch is built by pydantic's create_model from the defaults: mypy cannot use it as a type.
    patch: SettingsPatch = Body(..., examples=[{"vision": {"base_url": "http://127.0.0.1:11434"}}]),  # type: ignore[valid-type]
) -> dict[str, Any]:
    return system.update_config(services.settings, patch_dict(patch))


@router.get(
    "/stats",
    response_model=SystemStats,
    summary="Counts of tracked things and the size of the thumbnail cache",
)
def get_stats(services: ServicesDep) -> SystemStats:
    return system.system_stats(services.db, services.settings)


@router.get(
    "/identity", response_model=Identity, summary="Which app answers here (the start-up port check asks it)"
)
def get_identity(services: ServicesDep) -> Identity:
    return Identity(
        app="CaptionForge",
        pid=os.getpid(),
        data_dir=str(services.settings.data_dir),
        connected_pages=sum(1 for client in Client.instances.values() if client.has_socket_connection),
    )
