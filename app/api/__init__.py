"""The REST face: every module in this package with a `router` is mounted under /api."""

from __future__ import annotations

import importlib
import logging
import math
import pkgutil
import re
import uuid
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError

from app.api.schemas.body_text import reject_lone_surrogates
from app.container import AppServices, attach
from app.errors import CaptionForgeError
from app.fs_names import readable
from app.services.grid.query_tokens import QueryError

log = logging.getLogger("app.api")


def register_api(fastapi_app: FastAPI, services: AppServices) -> None:
    """Include every router of app.api, hand the routes `services`, and map domain errors to HTTP codes."""
    attach(fastapi_app, services)
    # FastAPI wraps the app's lifespan once per include_router; our routers have none, and NiceGUI's test
    # plugin registers them again on every run, so keep the app's own lifespan instead of nesting it.
    lifespan = fastapi_app.router.lifespan_context
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            fastapi_app.include_router(router, dependencies=[Depends(reject_lone_surrogates)])
    fastapi_app.router.lifespan_context = lifespan
    # The one mapping from domain errors to 4xx: routes raise, they never catch to answer.
    fastapi_app.add_exception_handler(CaptionForgeError, _domain_error)
    fastapi_app.add_exception_handler(RequestValidationError, request_invalid)
    fastapi_app.add_exception_handler(QueryError, _query_error)
    fastapi_app.add_exception_handler(re.error, _regex_error)
    fastapi_app.add_exception_handler(IntegrityError, _conflict)
    fastapi_app.add_exception_handler(OperationalError, _database_error)
    fastapi_app.add_exception_handler(Exception, _last_resort)


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    status = getattr(exc, "http_status", 400)
    # A message may name a path that is not UTF-8: shown readably, never a UnicodeEncodeError here.
    return JSONResponse(status_code=status, content={"detail": readable(str(exc))})


async def request_invalid(_request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's 422 for a body that does not validate, also when it held NaN or Infinity (JSON has neither:
    the default answer would fail to encode them and become a 500)."""
    assert isinstance(exc, RequestValidationError)  # registered for that class only
    return JSONResponse(status_code=422, content={"detail": _finite(jsonable_encoder(exc.errors()))})


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [_finite(item) for item in value]
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    return value


async def _query_error(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": f"The query does not parse: {exc}"})


async def _regex_error(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": f"Not a valid regular expression: {exc}"})


async def _conflict(_request: Request, exc: Exception) -> JSONResponse:
    """A unique constraint lost a race (two first saves at once): the caller may simply retry."""
    log.info("Conflict answered with 409: %s", exc)
    return JSONResponse(
        status_code=409,
        content={"detail": "Another change to the same item happened at the same time. Try again."},
    )


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """A read-only or locked database is the machine's state, not a bug: 503 with what to do."""
    text = str(exc).lower()
    if "readonly" in text or "read-only" in text:
        detail = (
            "The database is read-only: nothing was saved. Check that the data folder and database.db are "
            "writable by this user (and the disk is not mounted read-only), then try again."
        )
        return JSONResponse(status_code=503, content={"detail": detail})
    if "locked" in text or "busy" in text:
        detail = "The database is busy with another change. Try again in a moment."
        return JSONResponse(status_code=503, content={"detail": detail}, headers={"retry-after": "1"})
    return await _last_resort(request, exc)


async def _last_resort(request: Request, exc: Exception) -> JSONResponse:
    """Never a bare 'Internal Server Error': JSON with an id that finds the traceback in the log."""
    error_id = uuid.uuid4().hex[:12]
    log.error("Unexpected error %s on %s %s", error_id, request.method, request.url.path, exc_info=exc)
    detail = f"Something went wrong inside CaptionForge. The log has the details under error id {error_id}."
    return JSONResponse(status_code=500, content={"detail": detail, "error_id": error_id})
