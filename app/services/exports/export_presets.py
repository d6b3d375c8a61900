"""Trainer presets and layouts: where images and captions go so each trainer loads the export without edits.

Built-in presets follow shared/reference/trainer-formats.md. User presets are YAML files in
<data-dir>/export_presets/, one per preset, holding the same option names as ExportOptions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from app.atomic_file import write_text_atomic
from app.errors import Conflict, Invalid, NotFound
from app.services.exports.export_options import PRESET_FIELDS, ExportOptions, build_options
from app.services.exports.export_shapes import Layout, Preset

PRESET_DIR_NAME = "export_presets"
BUILTIN_PRESETS: dict[str, dict[str, Any]] = {
    "generic": {
        "label": "Numbered pairs (any trainer)",
        "description": "000001.jpg + 000001.txt side by side: the common safe form.",
        "options": {"layout": "flat"},  # caption extension: the settings' default
    },
    "kohya_ss": {
        "label": "kohya_ss / sd-scripts",
        "description": "img/<repeats>_<trigger> <class>/ plus empty reg/ log/ model/. kohya ignores folders "
        "without the number prefix, so the name is checked. Optional dataset.toml (image_dir relative to it: run "
        "the trainer from the export folder, as its README.txt says).",
        "options": {"layout": "kohya", "caption_extension": "txt", "repeats": 10, "class_tokens": ""},
    },
    "ai_toolkit": {
        "label": "ostris ai-toolkit",
        "description": "A flat folder of images with .txt captions (folder_path in the config).",
        "options": {"layout": "flat", "caption_extension": "txt"},
    },
    "simpletuner": {
        "label": "SimpleTuner (textfile captions)",
        "description": "image + image.txt (caption_strategy: textfile). Each line would be its own caption, "
        "so captions are written on one line.",
        "options": {"layout": "flat", "caption_extension": "txt", "single_line": True},
    },
    "onetrainer": {
        "label": "OneTrainer concept folder",
        "description": "One concept folder with a .txt per image, plus concepts.json to load in OneTrainer's "
        "concepts tab (prompt source: sample; repeats set there, not in the folder name).",
        "options": {
            "layout": "onetrainer",
            "caption_extension": "txt",
            "concept_name": "concept",
            "repeats": 1,
        },
    },
    "huggingface": {
        "label": "Hugging Face imagefolder",
        "description": 'train/ with the images and metadata.jsonl lines {"file_name", "text"} for the '
        "datasets library and diffusers' training scripts.",
        "options": {"layout": "imagefolder", "caption_files": False},
    },
}
# Extensions each layout's trainer reads; anything else ("original" GIF, TIFF, BMP) is written as PNG.
LAYOUT_EXTENSIONS = {
    "flat": {"jpg", "png", "webp"},
    "kohya": {"jpg", "png", "webp"},
    "onetrainer": {"jpg", "png", "webp"},
    "imagefolder": {"jpg", "png", "webp"},
}
_UNSAFE_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


def list_presets(data_dir: Path) -> list[Preset]:
    """Built-in presets then the user's."""
    presets = [
        Preset(
            name=name,
            label=p["label"],
            description=p["description"],
            builtin=True,
            options=preset_options(data_dir, name),
        )
        for name, p in BUILTIN_PRESETS.items()
    ]
    folder = data_dir / PRESET_DIR_NAME
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        stored = _read_user_preset(path)
        presets.append(
            Preset(
                name=path.stem,
                label=stored.get("label") or path.stem,
                description=stored.get("description") or "",
                builtin=False,
                options=stored["options"],
            )
        )
    return presets


def preset_options(data_dir: Path, name: str, defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    """The full option values a preset fills: `defaults` (else ExportOptions') overlaid with the preset's own."""
    base = {k: v for k, v in ExportOptions().to_dict().items() if k in PRESET_FIELDS}
    base.update(defaults or {})
    if name in BUILTIN_PRESETS:
        return {**base, **BUILTIN_PRESETS[name]["options"]}
    path = _user_preset_path(data_dir, name)
    if not path.exists():
        known = ", ".join([*BUILTIN_PRESETS, *(p.stem for p in path.parent.glob("*.yaml"))])
        raise NotFound(f"No export preset named {name!r} (known: {known})")
    return {**base, **_read_user_preset(path)["options"]}


def own_fields(data_dir: Path, name: str) -> set[str]:
    """The option names a preset sets itself (the rest it takes from the defaults)."""
    if name in BUILTIN_PRESETS:
        return set(BUILTIN_PRESETS[name]["options"])
    path = _user_preset_path(data_dir, name)
    return set(_read_user_preset(path)["options"]) if path.exists() else set()


def save_preset(data_dir: Path, name: str, options: dict[str, Any], description: str = "") -> Preset:
    """Save (or replace) a user preset from option values; returns it. Built-in names are refused."""
    name = name.strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}", name):
        raise Invalid("A preset name uses letters, digits, spaces, '-', '_' or '.' (at most 64 characters)")
    if name in BUILTIN_PRESETS:
        raise Conflict(f"{name!r} is a built-in preset; save yours under another name")
    kept = {k: v for k, v in options.items() if k in PRESET_FIELDS}
    build_options({}, kept)  # refuse invalid values now rather than at export time
    path = _user_preset_path(data_dir, name)
    text = yaml.safe_dump(
        {"label": name, "description": description, "options": kept}, sort_keys=False, allow_unicode=True
    )
    write_text_atomic(path, text, f"The export preset {name!r}")
    return Preset(name=name, label=name, description=description, builtin=False, options=kept)


def delete_preset(data_dir: Path, name: str) -> None:
    if name in BUILTIN_PRESETS:
        raise Conflict(f"{name!r} is a built-in preset and cannot be deleted")
    path = _user_preset_path(data_dir, name)
    if not path.exists():
        raise NotFound(f"No user preset named {name!r}")
    path.unlink()


def layout_for(options: ExportOptions, trigger_phrase: str | None) -> Layout:
    """The folder layout of the options' trainer. Raises Invalid when a kohya folder name would be ignored."""
    if options.layout == "kohya":
        return Layout(kohya_folder(options, trigger_phrase), empty_dirs=("reg", "log", "model"))
    if options.layout == "onetrainer":
        return Layout(safe_name(options.concept_name, "concept"))
    if options.layout == "imagefolder":
        return Layout("train", metadata_jsonl=True)
    return Layout("")


def kohya_folder(options: ExportOptions, trigger_phrase: str | None) -> str:
    """img/<repeats>_<trigger> <class>: kohya splits on the first '_' and needs an integer before it."""
    tokens = kohya_tokens(options.trigger or trigger_phrase or "", options.class_tokens)
    if not tokens:
        raise Invalid("kohya needs a trigger word or class tokens for the folder name (e.g. 'ohwx woman')")
    if _UNSAFE_NAME.search(tokens) or tokens.endswith(".") or tokens != tokens.strip():
        raise Invalid(f"The kohya folder name {tokens!r} has characters a folder name cannot hold")
    name = f"{int(options.repeats)}_{tokens}"
    count, _, rest = name.partition("_")
    if not count.isdigit() or int(count) < 1 or not rest:
        raise Invalid(f"The kohya folder {name!r} would be ignored: it must look like 10_ohwx woman")
    return f"img/{name}"


def kohya_tokens(trigger: str, class_tokens: str) -> str:
    """'<trigger> <class>' without repeating a class word the trigger already ends with ('ohwx shape' + 'shape')."""
    trigger_words = trigger.split()
    class_words = class_tokens.split()
    for size in range(min(len(trigger_words), len(class_words)), 0, -1):
        if [w.lower() for w in trigger_words[-size:]] == [w.lower() for w in class_words[:size]]:
            class_words = class_words[size:]
            break
    return " ".join(trigger_words + class_words)


def kohya_dataset_toml(
    options: ExportOptions, image_dir: str, tokens: str, tag_style: bool = False, resolution: int = 1024
) -> str:
    """A sd-scripts dataset config (--dataset_config) for the exported folder.

    Keys as sd-scripts' library/config_util.py schema reads them: bucketing and resolution per dataset,
    caption handling per subset. image_dir is relative to the toml, so the export can move; sd-scripts opens
    it as written (os.path.isdir against the directory the trainer runs in), so the trainer is started from
    the export folder (kohya_readme says how). Tag-style captions are shuffled, the first tag kept in place.
    """
    resolution = options.target_resolution or resolution  # the export's size, else the Settings one
    lines = [
        "# sd-scripts dataset config written by CaptionForge. image_dir is relative to this file:",
        "# start the trainer in this folder (see README.txt) with --dataset_config dataset.toml",
        "[general]",
        f'caption_extension = ".{options.caption_extension}"',
        f"shuffle_caption = {'true' if tag_style else 'false'}",
        f"keep_tokens = {1 if tag_style else 0}",
        "",
        "[[datasets]]",
        f"resolution = {resolution}",
        "batch_size = 1",
        "enable_bucket = true",
        f"min_bucket_reso = {min(resolution, max(64, resolution // 4 // 64 * 64))}",
        f"max_bucket_reso = {resolution * 2}",
        "bucket_reso_steps = 64",
        f"bucket_no_upscale = {'false' if options.upscale else 'true'}",
        "",
        "  [[datasets.subsets]]",
        f"  image_dir = {json.dumps(image_dir)}",
        f"  num_repeats = {int(options.repeats)}",
        f"  class_tokens = {json.dumps(tokens)}",
        "",
    ]
    return "\n".join(lines)


def kohya_readme(image_dir: str) -> str:
    """README.txt beside dataset.toml: how to launch sd-scripts so the relative image_dir resolves."""
    return "\n".join(
        [
            "Exported by CaptionForge for kohya-ss sd-scripts.",
            "",
            f"dataset.toml names the images as {json.dumps(image_dir)}, relative to this folder.",
            "sd-scripts opens that path from the folder it runs in, so start it from here:",
            "",
            "  cd <this folder>",
            "  accelerate launch <path to sd-scripts>/train_network.py --dataset_config dataset.toml \\",
            "    --pretrained_model_name_or_path <your model> --output_dir model --logging_dir log \\",
            "    --network_module networks.lora",
            "",
            "(Use flux_train_network.py or sdxl_train_network.py for Flux or SDXL.) Started from another",
            "folder, sd-scripts reports 'not directory' and finds no images.",
            "",
        ]
    )


def onetrainer_concepts(options: ExportOptions, concept_path: str) -> str:
    """A OneTrainer concepts file (the list the concepts tab loads); unset fields take OneTrainer's defaults."""
    concept = {
        "__version": 1,
        "name": options.concept_name,
        "path": concept_path,
        "enabled": True,
        "include_subdirectories": False,
        "balancing": float(options.repeats),
        "balancing_strategy": "REPEATS",
        "text": {"prompt_source": "sample", "prompt_path": ""},
    }
    return json.dumps([concept], indent=2) + "\n"


def safe_name(text: str, fallback: str) -> str:
    """A file or folder name valid on Windows, macOS and Linux."""
    cleaned = _UNSAFE_NAME.sub("_", text).strip().rstrip(". ")
    return cleaned[:120] or fallback


def _user_preset_path(data_dir: Path, name: str) -> Path:
    return data_dir / PRESET_DIR_NAME / f"{safe_name(name, 'preset')}.yaml"


def _read_user_preset(path: Path) -> dict[str, Any]:
    try:
        stored = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise Invalid(f"The preset file {path} cannot be read ({exc}); fix or delete it") from None
    options = stored.get("options") if isinstance(stored, dict) else None
    if not isinstance(options, dict):
        raise Invalid(f"The preset file {path} has no 'options:' mapping; fix or delete it")
    stored["options"] = {k: v for k, v in options.items() if k in PRESET_FIELDS}
    return stored
