"""Video trainer presets: each names the frame-count and size rule its trainer needs, and writes its config.

Formats from the trainers' own docs: musubi-tuner's dataset config (video_directory, target_frames),
diffusion-pipe's dataset.toml ([[directory]], frame_buckets), ai-toolkit's dataset entry (folder_path,
num_frames), LTX-Video-Trainer's dataset.json (caption, media_path) with --resolution-buckets WxHxF.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.errors import NotFound


@dataclass(frozen=True)
class VideoPreset:
    name: str
    label: str
    description: str
    frame_step: int  # frame counts are frame_step * k + 1
    size_multiple: int  # width and height are multiples of this
    fps: float  # the default output rate
    frames: int  # the default (largest) frame count
    resolution: int  # the default long side in pixels


VIDEO_PRESETS: dict[str, VideoPreset] = {
    preset.name: preset
    for preset in (
        VideoPreset(
            "musubi_tuner",
            "musubi-tuner (HunyuanVideo, Wan)",
            "videos/ with NNNNNN.mp4 + .txt and dataset.toml with a [[datasets]] video section "
            "(video_directory, target_frames). Rule: frame counts are 4k+1 (HunyuanVideo and Wan's VAE), "
            "sides multiples of 16; 16 fps suits Wan, 24 fps HunyuanVideo.",
            4,
            16,
            16.0,
            81,
            832,
        ),
        VideoPreset(
            "diffusion_pipe",
            "diffusion-pipe",
            "videos/ with NNNNNN.mp4 + .txt and dataset.toml ([[directory]] path, frame_buckets = [1, N]). "
            "Rule: frame counts are 4k+1 so each clip fills its frame bucket, sides multiples of 16.",
            4,
            16,
            16.0,
            33,
            512,
        ),
        VideoPreset(
            "ai_toolkit_wan",
            "ai-toolkit (Wan video LoRA)",
            "One folder of NNNNNN.mp4 + .txt for folder_path, and ai_toolkit_dataset.yaml with the datasets "
            "entry (num_frames = the clips' count). Rule: frame counts are 4k+1 (Wan), sides multiples of 16.",
            4,
            16,
            16.0,
            33,
            512,
        ),
        VideoPreset(
            "ltx_video",
            "LTX-Video trainer",
            "videos/ with NNNNNN.mp4 + .txt and dataset.json (caption, media_path) for preprocess_dataset.py "
            "--resolution-buckets WxHxF (in buckets.txt). Rule: frame counts are 8k+1, width and height "
            "multiples of 32.",
            8,
            32,
            24.0,
            49,
            768,
        ),
    )
}


def video_preset(name: str) -> VideoPreset:
    """The preset by name; raises NotFound listing the known ones."""
    if name not in VIDEO_PRESETS:
        raise NotFound(f"No video export preset named {name!r} (known: {', '.join(VIDEO_PRESETS)})")
    return VIDEO_PRESETS[name]


def list_video_presets() -> list[dict[str, Any]]:
    """Every video preset with its rule and defaults, for the API and the export dialog."""
    return [
        {
            "name": p.name,
            "label": p.label,
            "description": p.description,
            "frame_step": p.frame_step,
            "size_multiple": p.size_multiple,
            "fps": p.fps,
            "frames": p.frames,
            "resolution": p.resolution,
        }
        for p in VIDEO_PRESETS.values()
    ]


def config_files(preset: VideoPreset, root: str, clips: list[dict[str, Any]], fps: float) -> dict[str, str]:
    """The trainer's config files for the written clips: {relative path: text}.

    `clips` are {"video": relative path, "caption": text, "frames": n, "width": w, "height": h}; `root` is the
    export's absolute folder (trainers open the paths in their configs as written).
    """
    frames = max((clip["frames"] for clip in clips), default=preset.frames)
    long_side = max((max(clip["width"], clip["height"]) for clip in clips), default=preset.resolution)
    if preset.name == "musubi_tuner":
        return _musubi_config(root, clips, frames, long_side)
    if preset.name == "diffusion_pipe":
        return _diffusion_pipe_config(root, frames, long_side)
    if preset.name == "ai_toolkit_wan":
        return _ai_toolkit_config(root, fps, frames, long_side)
    return _ltx_config(clips)


def _musubi_config(root: str, clips: list[dict[str, Any]], frames: int, long_side: int) -> dict[str, str]:
    """musubi-tuner's dataset.toml with one [[datasets]] video section."""
    width, height = (clips[0]["width"], clips[0]["height"]) if clips else (long_side, long_side)
    counts = sorted({clip["frames"] for clip in clips}) or [frames]
    return {
        "dataset.toml": "\n".join(
            [
                "# musubi-tuner dataset config written by CaptionForge: --dataset_config dataset.toml",
                "[general]",
                f"resolution = [{width}, {height}]",
                'caption_extension = ".txt"',
                "batch_size = 1",
                "enable_bucket = true",
                "bucket_no_upscale = true",
                "",
                "[[datasets]]",
                f"video_directory = {json.dumps(f'{root}/videos')}",
                f"cache_directory = {json.dumps(f'{root}/cache')}",
                f"target_frames = [{', '.join(str(n) for n in counts)}]",
                'frame_extraction = "head"',
                "num_repeats = 1",
                "",
            ]
        )
    }


def _diffusion_pipe_config(root: str, frames: int, long_side: int) -> dict[str, str]:
    """diffusion-pipe's dataset.toml with one [[directory]]."""
    return {
        "dataset.toml": "\n".join(
            [
                "# diffusion-pipe dataset config written by CaptionForge (dataset = 'dataset.toml')",
                f"resolutions = [{long_side}]",
                "enable_ar_bucket = true",
                "min_ar = 0.5",
                "max_ar = 2.0",
                "num_ar_buckets = 7",
                f"frame_buckets = [1, {frames}]",
                "",
                "[[directory]]",
                f"path = {json.dumps(f'{root}/videos')}",
                "num_repeats = 1",
                "",
            ]
        )
    }


def _ai_toolkit_config(root: str, fps: float, frames: int, long_side: int) -> dict[str, str]:
    """ai-toolkit's datasets entry, to paste into a Wan LoRA config."""
    return {
        "ai_toolkit_dataset.yaml": "\n".join(
            [
                "# Paste under config.process[0].datasets in your ai-toolkit Wan LoRA config",
                "datasets:",
                f"  - folder_path: {json.dumps(root)}",
                '    caption_ext: "txt"',
                "    caption_dropout_rate: 0.05",
                f"    resolution: [{long_side}]",
                f"    num_frames: {frames}",
                "    shrink_video_to_frames: true",
                f"    fps: {round(fps)}",
                "",
            ]
        )
    }


def _ltx_config(clips: list[dict[str, Any]]) -> dict[str, str]:
    """LTX-Video-Trainer's dataset.json and the --resolution-buckets value (buckets.txt)."""
    buckets = sorted({f"{clip['width']}x{clip['height']}x{clip['frames']}" for clip in clips})
    rows = [{"caption": clip["caption"], "media_path": clip["video"]} for clip in clips]
    return {
        "dataset.json": json.dumps(rows, indent=2, ensure_ascii=False) + "\n",
        "buckets.txt": ";".join(buckets) + "\n",
    }


def video_dir(preset: VideoPreset) -> str:
    """Where the clips go inside the export ("" = the root, as ai-toolkit's folder_path wants)."""
    return "" if preset.name == "ai_toolkit_wan" else "videos"
