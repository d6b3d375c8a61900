"""The prompt for each caption style, with max length, trigger phrase and custom-prompt placeholders."""

from __future__ import annotations

import re
from typing import Any

STYLES = ("natural_simple", "natural_detailed", "tags", "custom")
PLACEHOLDERS = ("trigger", "max_length", "filename", "folder", "imported_caption")

_INSTRUCTIONS = {
    "natural_simple": (
        "Describe this image in one clear, concise sentence suitable for AI training.\n"
        "Focus on: main subject, action/pose, setting/background.\n"
        "Be objective and descriptive. Avoid subjective interpretations."
    ),
    "natural_detailed": (
        "Provide a detailed 2-3 sentence description of this image suitable for AI training.\n"
        "Include: subjects, actions, environment, mood, lighting, notable details, composition.\n"
        "Be specific and objective. Suitable for high-quality model training."
    ),
    "tags": (
        "Extract visual tags from this image suitable for AI training.\n"
        "Format: comma-separated tags, ordered by importance (most to least).\n"
        "Include: subjects, objects, actions, style, mood, colors, technical aspects.\n"
        "Be specific and comprehensive."
    ),
    "custom": "Analyze this image and provide a caption suitable for AI training.",
}
_EXAMPLE = {
    "natural_simple": "Your caption here",
    "natural_detailed": "Your detailed caption here",
    "tags": "tag1, tag2, tag3, tag4, tag5, ...",
    "custom": "Your caption here",
}
_OUTPUT_FORMAT = """Output format (JSON only, no other text):
{{
  "caption": "{example}",
  "quality": {{
    "sharpness": 0.0-1.0,
    "clarity": 0.0-1.0,
    "composition": 0.0-1.0,
    "exposure": 0.0-1.0,
    "overall": 0.0-1.0
  }},
  "flags": ["list", "of", "quality", "issues"]
}}"""

# The structured-output schema sent as Ollama's `format` and OpenAI's `response_format.json_schema`.
QUALITY_KEYS = ("sharpness", "clarity", "composition", "exposure", "overall")
CAPTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "caption": {"type": "string"},
        "quality": {
            "type": "object",
            "properties": {key: {"type": "number", "minimum": 0, "maximum": 1} for key in QUALITY_KEYS},
            "required": list(QUALITY_KEYS),
        },
        "flags": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["caption", "quality", "flags"],
}


def build_prompt(
    style: str,
    *,
    max_length: int | None = None,
    trigger_phrase: str | None = None,
    custom_prompt: str | None = None,
    context: dict[str, Any] | None = None,
    video_frames: int = 0,
) -> str:
    """The full prompt: style instructions (or the custom prompt with placeholders filled), the
    constraints (length, trigger phrase) and the JSON output format. With video_frames, the images are
    that many frames of one clip: the prompt says they are in time order and asks for the motion."""
    style = style if style in STYLES else "custom"
    if custom_prompt and custom_prompt.strip():
        values = {"trigger": trigger_phrase or "", "max_length": max_length or "", **(context or {})}
        instructions = fill_placeholders(custom_prompt.strip(), values)
    else:
        instructions = _INSTRUCTIONS[style]
    if video_frames:
        instructions = _for_video(instructions, style)
    lines = [_video_preamble(video_frames), instructions] if video_frames else [instructions]
    if max_length:
        lines.append(f"Maximum length: {max_length} characters.")
    if trigger_phrase and trigger_phrase.strip():
        if style == "tags":
            lines.append(f'The first tag must be exactly: "{trigger_phrase.strip()}".')
        else:
            lines.append(f'Begin the caption with: "{trigger_phrase.strip()}".')
    lines.append("")
    lines.append(_OUTPUT_FORMAT.format(example=_EXAMPLE[style]))
    return "\n".join(lines)


def _video_preamble(frames: int) -> str:
    return (
        f"The {frames} images are frames of one video clip, evenly spaced and in time order (first to last). "
        "Caption the clip as a whole, not each frame: say what moves and how (the subject's motion, its "
        "direction and speed, and any camera movement), as well as the subject and the setting."
    )


def _for_video(instructions: str, style: str) -> str:
    text = instructions.replace("this image", "this video clip").replace("of this video clip", "of this clip")
    if style == "tags":
        return text + "\nInclude tags for the motion and the camera movement."
    return text.replace("action/pose", "motion (what moves, how, where to)")


def fill_placeholders(template: str, values: dict[str, Any]) -> str:
    """Replace {trigger} {max_length} {filename} {folder} {imported_caption}; other braces stay as written."""
    pattern = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
    return pattern.sub(lambda match: str(values.get(match.group(1)) or ""), template)
