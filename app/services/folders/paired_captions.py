"""Paired caption files: `<stem>.txt` or `<stem>.caption` beside an image, read (never written) on scan."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

CAPTION_EXTENSIONS = (".txt", ".caption")  # in order of preference when both exist
MAX_CAPTION_BYTES = 1_000_000  # a caption file larger than this is not a caption


def paired_caption_path(image_path: str, caption_files: dict[str, str]) -> str | None:
    """The caption file that belongs to an image, from the caption files found beside it.

    caption_files maps lower-cased "<folder>/<stem><ext>" to the real path (as the scan collected them).
    """
    if not caption_files:
        return None
    base = os.path.splitext(image_path)[0].lower()
    for extension in CAPTION_EXTENSIONS:
        found = caption_files.get(base + extension)
        if found:
            return found
    return None


def read_caption(path: str) -> str:
    """The caption text, decoded and normalized. Raises OSError when the file cannot be read."""
    with open(path, "rb") as handle:
        data = handle.read(MAX_CAPTION_BYTES + 1)
    if len(data) > MAX_CAPTION_BYTES:
        raise OSError(f"{Path(path).name} is over {MAX_CAPTION_BYTES // 1000} kB: not a caption")
    return normalize_caption(decode_caption(data))


def decode_caption(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), UTF-16 with a BOM, else Windows-1252, else Latin-1 (never fails)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def normalize_caption(text: str) -> str:
    """Line endings to \\n, trailing whitespace stripped from each line and from the end."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n").rstrip()
