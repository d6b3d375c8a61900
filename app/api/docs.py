"""/docs from the package's own Swagger UI files (swagger-ui-bundle): it works offline, no CDN.

These routes are included before NiceGUI adds FastAPI's CDN-based /docs, so they answer first.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from swagger_ui_bundle import swagger_ui_path

from app.errors import NotFound

router = APIRouter(include_in_schema=False)
ASSETS = Path(swagger_ui_path)
SERVED = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "oauth2-redirect.html"}


@router.get("/docs")
def docs() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="CaptionForge API",
        swagger_js_url="/docs/assets/swagger-ui-bundle.js",
        swagger_css_url="/docs/assets/swagger-ui.css",
        swagger_favicon_url="/docs/assets/favicon-32x32.png",
    )


@router.get("/redoc")
def redoc() -> RedirectResponse:
    """ReDoc would come from a CDN: the offline Swagger UI shows the same API."""
    return RedirectResponse("/docs")


@router.get("/docs/assets/{name}")
def asset(name: str) -> FileResponse:
    if name not in SERVED:
        raise NotFound(f"No Swagger UI file named {name!r}")
    return FileResponse(ASSETS / name)
