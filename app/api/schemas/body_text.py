"""Refuse JSON bodies holding an unpaired UTF-16 surrogate ("\\udcff"): valid JSON, but not Unicode text.

Python's json reads such an escape as a lone surrogate, which neither the database nor a JSON answer can
encode: without this check it surfaces as a 500 wherever the text goes next (a 422 echoing it included).
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import HTTPException, Request

_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")  # any surrogate escape; paired ones pass below


async def reject_lone_surrogates(request: Request) -> None:
    """A route dependency: 422 naming the problem when the body's text is not valid Unicode."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    body = await request.body()
    if not _ESCAPE.search(body):
        return
    try:
        value = json.loads(body)
    except ValueError:
        return  # not JSON: the route's own validation answers
    if _has_surrogate(value):
        raise HTTPException(
            status_code=422,
            detail="The request holds text with an unpaired surrogate escape (like \\udcff), which is not "
            "valid Unicode. Send the text as UTF-8.",
        )


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(item) for item in value)
    return False
