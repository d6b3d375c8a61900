"""The REST face: every module in this package with a `router` is mounted under /api."""

from __future__ import annotations

import importlib
import pkgutil

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.errors import CaptionForgeError


def register_api(fastapi_app: FastAPI) -> None:
    """Include every router of app.api and map domain errors to HTTP codes with a readable detail."""
    # FastAPI wraps the app's lifespan once per include_router; our routers have none, and NiceGUI's test
    # plugin registers them again on every run, so keep the app's own lifespan instead of nesting it.
    lifespan = fastapi_app.router.lifespan_context
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            fastapi_app.include_router(router)
    fastapi_app.router.lifespan_context = lifespan
    fastapi_app.add_exception_handler(CaptionForgeError, _domain_error)


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    status = getattr(exc, "http_status", 400)
    return JSONResponse(status_code=status, content={"detail": str(exc)})
