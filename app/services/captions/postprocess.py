"""Make a parsed caption fit its caption set: tags cleaned, trigger phrase once at the start, max length."""

from __future__ import annotations

import re

_ARTICLE = re.compile(r"^(A|An|The|This|These|Two|Three)\b")
_TAG_JUNK = " \t\"'`#*-\u2022."


def finish_caption(
    caption: str, *, style: str, trigger_phrase: str | None = None, max_length: int | None = None
) -> str:
    """The caption as it will be saved: for tags comma-separated, trimmed, de-duplicated; the trigger
    phrase guaranteed once at the start; cut at a word (or tag) boundary to max_length."""
    trigger = (trigger_phrase or "").strip()
    if style == "tags":
        tags = clean_tags(caption)
        if trigger:
            lead = clean_tags(trigger)
            lowered = {t.lower() for t in lead}
            tags = lead + [t for t in tags if t.lower() not in lowered]
        return _fit_tags(tags, max_length, keep=len(clean_tags(trigger)) if trigger else 0)
    text = " ".join(caption.split())
    if trigger:
        text = _with_trigger(text, trigger)
    return _fit_words(text, max_length, keep=len(trigger))


def ensure_trigger(text: str, trigger_phrase: str | None, style: str) -> str:
    """The text with the trigger phrase at its start: unchanged when it already starts with it (any case);
    for tags the trigger's tags lead and are not repeated; other text keeps its line breaks."""
    trigger = (trigger_phrase or "").strip()
    if not trigger or text.lower().startswith(trigger.lower()):
        return text
    if style == "tags":
        lead = clean_tags(trigger)
        lowered = {t.lower() for t in lead}
        return ", ".join(lead + [t for t in clean_tags(text) if t.lower() not in lowered])
    return _with_trigger(text, trigger)


def clean_tags(text: str) -> list[str]:
    """Comma (or newline) separated tags: trimmed, bullets and quotes removed, empty and repeated dropped."""
    seen: set[str] = set()
    tags: list[str] = []
    for raw in re.split(r"[,\n;]", text):
        tag = " ".join(raw.strip(_TAG_JUNK).split())
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tags


def _with_trigger(text: str, trigger: str) -> str:
    body = text
    while body.lower().startswith(trigger.lower()):  # the model already wrote it (maybe twice)
        body = body[len(trigger) :].lstrip()
    continues = body != text or _drop_overlap(trigger, body) != body
    body = _drop_overlap(trigger, body)
    if not body:
        return trigger
    if body[0] in ",.;:!?":
        return trigger + body
    if continues and body[0].islower() or trigger[-1] in ".!?":
        return f"{trigger} {body}"
    return f"{trigger}, {_ARTICLE.sub(lambda m: m.group(1).lower(), body)}"


def _drop_overlap(trigger: str, body: str) -> str:
    """'Nova, a woman' + 'A woman with long hair' -> 'with long hair': the trigger's last comma part
    already starts the caption."""
    last = trigger.rsplit(",", 1)[-1].strip()
    if last and last != trigger and body.lower().startswith(last.lower() + " "):
        return body[len(last) :].lstrip()
    return body


def _fit_words(text: str, max_length: int | None, keep: int) -> str:
    if not max_length or len(text) <= max_length:
        return text
    cut = text[:max_length]
    if not text[max_length].isspace():
        space = cut.rfind(" ")
        if space > keep or (space > 0 and keep >= max_length):
            cut = cut[:space]
    return cut.rstrip(" ,;:-")


def _fit_tags(tags: list[str], max_length: int | None, keep: int) -> str:
    text = ", ".join(tags)
    while max_length and len(text) > max_length and len(tags) > max(keep, 1):
        tags = tags[:-1]
        text = ", ".join(tags)
    return text if not max_length or len(text) <= max_length else _fit_words(text, max_length, 0)
