"""Turn whatever a model answered into a clean caption, its quality opinion and flags.

Handles strict JSON, JSON in code fences or prose, trailing commas, truncated JSON, plain text,
<think> blocks, "Here is a caption:" preambles, surrounding quotes and repetition loops.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from app.vision.errors import EmptyCaption, VisionError
from app.vision.prompts import QUALITY_KEYS

THINKING_BUDGET = (
    "No caption: the model spent its budget thinking; use an -instruct model or raise max tokens "
    "(Settings > Vision > Max tokens)."
)
_THINK_BLOCK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```[a-zA-Z]*\s*(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_CAPTION_FIELD = re.compile(r'"caption"\s*:\s*"((?:[^"\\]|\\.)*)', re.DOTALL)
_PREAMBLES = (
    re.compile(r"^(sure|certainly|okay|ok|of course)\b[!,.]?\s*", re.IGNORECASE),
    re.compile(
        r"^here(?:'s| is| are)\s+(?:a|an|the|your|my)?\s*[\w\- ]{0,40}?"
        r"(?:caption|description|tags?|analysis)\b[^:\n]{0,60}:\s*",
        re.IGNORECASE,
    ),
    re.compile(r"^(?:caption|description|tags)\s*:\s*", re.IGNORECASE),
)
_QUOTES = (('"', '"'), ("'", "'"), ("\u201c", "\u201d"), ("\u2018", "\u2019"), ("`", "`"), ("**", "**"))


@dataclass
class ParsedReply:
    """What the model said, cleaned: the caption plus its quality opinion (empty when it gave none)."""

    caption: str
    quality: dict[str, float] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    structured: bool = False  # the caption came from JSON


def parse_reply(content: str | None, *, done_reason: str | None = None) -> ParsedReply:
    """Parse a model's reply. Raises EmptyCaption when there is no caption text (thinking ate the
    budget when done_reason is "length"), VisionError when the JSON has no caption."""
    text = strip_thinking(content or "").strip()
    if not text:
        if done_reason == "length":
            raise EmptyCaption(THINKING_BUDGET)
        raise EmptyCaption("The model returned an empty caption. Try again, or choose another model.")
    doc = extract_json(text)
    flags: list[str] = []
    quality: dict[str, float] = {}
    structured = isinstance(doc, dict)
    if isinstance(doc, dict):
        caption = _caption_field(doc)
        if caption is None:
            raise VisionError(f"The model answered JSON without a caption: {text[:200]}")
        nested = doc.get("quality")
        quality = parse_quality(nested if isinstance(nested, dict) else doc)
        raw_flags = doc.get("flags") or []
        flags = [str(f).strip() for f in ([raw_flags] if isinstance(raw_flags, str) else raw_flags)]
        flags = [f for f in flags if f]
    elif isinstance(doc, str):
        caption = doc
        flags.append("unparsed_response")
    else:
        salvaged = _CAPTION_FIELD.search(text)  # JSON cut off by the token limit
        caption = _unescape(salvaged.group(1)) if salvaged else text
        flags.append("unparsed_response")
    caption = clean_text(caption)
    if done_reason == "length":
        flags.append("truncated")
    if not caption:
        raise EmptyCaption(
            THINKING_BUDGET if done_reason == "length" else "The model returned an empty caption."
        )
    return ParsedReply(caption=caption, quality=quality, flags=flags, structured=structured)


def strip_thinking(text: str) -> str:
    """Remove <think>...</think> blocks; text after a lone </think>; an unclosed <think> to the end."""
    text = _THINK_BLOCK.sub("", text)
    lowered = text.lower()
    if "</think>" in lowered:
        text = text[lowered.rindex("</think>") + len("</think>") :]
        lowered = text.lower()
    if "<think>" in lowered:
        text = text[: lowered.index("<think>")]
    return text


def extract_json(text: str) -> Any:
    """The first JSON object (or string) found: whole text, fenced block, or outermost braces; tolerates
    trailing commas. None when there is none."""
    candidates = [text, *_FENCE.findall(text)]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        candidate = candidate.strip()
        for attempt in (candidate, _TRAILING_COMMA.sub(r"\1", candidate)):
            try:
                doc = json.loads(attempt)
            except json.JSONDecodeError:
                continue
            if isinstance(doc, (dict, str)):
                return doc
    return None


def clean_text(text: str) -> str:
    """Remove preambles and surrounding quotes, collapse whitespace, cut repetition loops."""
    text = " ".join(text.split())
    changed = True
    while changed and text:
        before = text
        for pattern in _PREAMBLES:
            text = pattern.sub("", text).strip()
        text = _strip_quotes(text)
        changed = text != before
    return cut_repetition(text)


def cut_repetition(text: str, min_repeats: int = 3, max_period: int = 40) -> str:
    """Keep one copy of a phrase the model repeated `min_repeats`+ times in a row, and drop what follows."""
    words = text.split()
    keys = [re.sub(r"\W+", "", w.lower()) for w in words]
    for start in range(len(words)):
        for period in range(1, max_period + 1):
            end = start + period * min_repeats
            if end > len(words):
                break
            chunk = keys[start : start + period]
            if not any(chunk):
                continue
            if all(
                keys[start + i * period : start + (i + 1) * period] == chunk for i in range(1, min_repeats)
            ):
                return " ".join(words[: start + period]).rstrip(" ,;:")
    return text


def parse_quality(raw: dict[str, Any]) -> dict[str, float]:
    """The quality fields as floats in 0..1 (answers on a 0-10 or 0-100 scale are rescaled); overall
    defaults to the mean of the others. Empty when the model gave none."""
    quality: dict[str, float] = {}
    for key in QUALITY_KEYS:
        try:
            value = float(raw[key])
        except (KeyError, TypeError, ValueError):
            continue
        if 1 < value <= 10:
            value /= 10
        elif 10 < value <= 100:
            value /= 100
        quality[key] = round(min(1.0, max(0.0, value)), 3)
    others = [quality[k] for k in QUALITY_KEYS[:-1] if k in quality]
    if "overall" not in quality and others:
        quality["overall"] = round(sum(others) / len(others), 3)
    return quality


def _caption_field(doc: dict[str, Any]) -> str | None:
    for key in ("caption", "description", "text", "tags"):
        value = doc.get(key)
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        if isinstance(value, str):
            return value
    return None


def _strip_quotes(text: str) -> str:
    for left, right in _QUOTES:
        if len(text) > len(left) + len(right) and text.startswith(left) and text.endswith(right):
            inner = text[len(left) : -len(right)]
            if left not in inner:  # "a" and "b" is not one quoted string
                return inner.strip()
    return text


def _unescape(fragment: str) -> str:
    try:
        return json.loads(f'"{fragment}"')
    except json.JSONDecodeError:
        return fragment.replace('\\"', '"').replace("\\n", " ")
