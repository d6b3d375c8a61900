"""Pure caption text transformations (text -> text) behind the tag tools and batch edits.

Tags are the comma-separated parts of a caption, trimmed and compared case-insensitively. A function
that finds nothing to change returns its input unchanged (the batch layer counts changes by comparing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.errors import Invalid

TAG_SEPARATOR = ", "
_SENTENCE_END = ".!?;:"


def split_tags(text: str | None) -> list[str]:
    """The caption's tags: comma-separated parts, trimmed, empty parts dropped, in order."""
    return [part for part in (piece.strip() for piece in (text or "").split(",")) if part]


def join_tags(tags: Iterable[str]) -> str:
    """Tags joined as a caption ("a, b, c"); blank tags are dropped."""
    return TAG_SEPARATOR.join(tag.strip() for tag in tags if tag and tag.strip())


def has_tag(text: str | None, tag: str) -> bool:
    """True when one of the caption's tags equals `tag` (ignoring case and surrounding spaces)."""
    wanted = tag.strip().lower()
    return any(part.lower() == wanted for part in split_tags(text))


def add_phrase(text: str, phrase: str, *, position: str = "end", trigger_phrase: str | None = None) -> str:
    """Add a tag or phrase at the start (after a leading trigger phrase) or at the end; no duplicates."""
    phrase = phrase.strip()
    if position not in ("start", "end"):
        raise Invalid(f"position must be 'start' or 'end', not {position!r}")
    if not phrase or has_tag(text, phrase) or _ends_with_phrase(text, phrase, position):
        return text
    body = text.strip()
    if not body:
        return phrase
    if position == "end":
        return _join(body.rstrip(", "), phrase)
    lead = _leading_trigger(body, trigger_phrase)
    if lead is None:
        return f"{phrase}{TAG_SEPARATOR}{body}"
    rest = body[len(lead) :].lstrip(", ")
    return join_tags([lead, phrase, rest]) if rest else f"{lead}{TAG_SEPARATOR}{phrase}"


def remove_tag(text: str, tag: str) -> str:
    """Drop every tag equal to `tag`; the other tags are re-joined with ", "."""
    return rename_tag(text, tag, "")


def rename_tag(text: str, old: str, new: str) -> str:
    """Rename the tag `old` to `new` (merging into an existing `new`); an empty `new` deletes the tag."""
    parts = split_tags(text)
    wanted, replacement = old.strip().lower(), new.strip()
    if not any(part.lower() == wanted for part in parts):
        return text
    result: list[str] = []
    seen: set[str] = {part.lower() for part in parts if part.lower() != wanted}
    for part in parts:
        if part.lower() != wanted:
            result.append(part)
        elif replacement and replacement.lower() not in seen:
            result.append(replacement)
            seen.add(replacement.lower())
    return join_tags(result)


def compile_find(find: str, *, regex: bool = False, case_sensitive: bool = False, whole_word: bool = False):
    """The compiled pattern for a find & replace; Invalid with the reason for a bad regular expression."""
    if not find:
        raise Invalid("Enter the text to find")
    source = find if regex else re.escape(find)
    if whole_word:
        source = rf"(?<!\w)(?:{source})(?!\w)"
    try:
        return re.compile(source, 0 if case_sensitive else re.IGNORECASE)
    except re.error as error:
        raise Invalid(f"The regular expression is not valid: {error}") from None


def replace_text(
    text: str,
    find: str,
    replacement: str,
    *,
    regex: bool = False,
    case_sensitive: bool = False,
    whole_word: bool = False,
) -> str:
    """Replace every match of `find`; with regex=True the replacement may use \\1 or \\g<name> groups."""
    pattern = compile_find(find, regex=regex, case_sensitive=case_sensitive, whole_word=whole_word)
    return substitute(pattern, text, replacement, regex=regex)


def substitute(pattern: re.Pattern, text: str, replacement: str, *, regex: bool) -> str:
    """`pattern.sub` with a literal (regex=False) or template replacement; Invalid for a bad group reference."""
    try:
        return pattern.sub(replacement if regex else lambda _match: replacement, text)
    except (re.error, IndexError) as error:
        raise Invalid(f"The replacement is not valid: {error}") from None


def apply_trigger(text: str, trigger_phrase: str) -> str:
    """Put the trigger phrase first when the caption does not contain it yet."""
    trigger = trigger_phrase.strip()
    if not trigger or _phrase_pattern(trigger).search(text):
        return text
    body = text.strip()
    return f"{trigger}{TAG_SEPARATOR}{body}" if body else trigger


def strip_phrase(text: str, phrase: str, *, case_sensitive: bool = False) -> str:
    """Remove every occurrence of `phrase` (whole words) and tidy the commas and spaces it leaves."""
    phrase = phrase.strip()
    if not phrase:
        return text
    pattern = _phrase_pattern(phrase, case_sensitive=case_sensitive)
    stripped = pattern.sub("", text)
    return text if stripped == text else tidy_separators(stripped)


def tidy_separators(text: str) -> str:
    """Collapse the doubled commas and spaces a removal leaves ("a, , b" -> "a, b") and trim the ends."""
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\s*,(\s*,)+", ",", text)
    text = re.sub(r"\s+([,.!?;:])", r"\1", text)
    return text.strip().strip(",").strip()


def _join(body: str, phrase: str) -> str:
    return f"{body} {phrase}" if body[-1] in _SENTENCE_END else f"{body}{TAG_SEPARATOR}{phrase}"


def _ends_with_phrase(text: str, phrase: str, position: str) -> bool:
    """After a sentence the phrase joins with a space ("smiling. bokeh"): adding it again is no change."""
    return (
        position == "end"
        and re.search(rf"(?<!\w){re.escape(phrase)}$", text.strip(), re.IGNORECASE) is not None
    )


def _leading_trigger(body: str, trigger_phrase: str | None) -> str | None:
    trigger = (trigger_phrase or "").strip()
    if not trigger:
        return None
    match = re.match(rf"{re.escape(trigger)}(?!\w)", body, re.IGNORECASE)
    return match.group(0) if match else None


def _phrase_pattern(phrase: str, *, case_sensitive: bool = False) -> re.Pattern:
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)", flags)
