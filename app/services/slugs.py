"""Filesystem-safe names: "Nova Chorus v2!" -> "nova-chorus-v2", made unique with "-2", "-3", ..."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

MAX_SLUG_LENGTH = 80
# Names Windows refuses for a file or folder, whatever the extension.
_RESERVED = (
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)} | {f"lpt{i}" for i in range(1, 10)}
)


def slugify(name: str, fallback: str = "dataset") -> str:
    """Lower-case ASCII words joined by "-", safe as a folder name on every OS; `fallback` if nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:MAX_SLUG_LENGTH].rstrip("-")
    if not slug:
        return fallback
    if slug in _RESERVED:
        return f"{slug}-{fallback}"
    return slug


def unique_slug(name: str, taken: Container[str], fallback: str = "dataset") -> str:
    """The slug of `name`, with "-2", "-3", ... appended until it is not in `taken`."""
    base = slugify(name, fallback)
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
