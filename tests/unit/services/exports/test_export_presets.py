"""Every preset's layout is what its trainer loads: kohya folder rules, imagefolder metadata, user presets."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import tomllib
from PIL import Image, ImageCms

from app.errors import Conflict, Invalid
from app.services.exports import export_presets, exports
from app.services.exports.export_options import build_options
from tests.export_seed import seed_dataset

KOHYA_IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".webp", ".bmp"}


def _export(core, seeded, **request):
    request.setdefault("caption_set_id", seeded.caption_set_id)
    started = exports.start_export(core.db, core.settings, seeded.dataset_id, request)
    result = exports.run_export(core.db, core.settings, started.export_id)
    assert result.status == "completed", result.error_message
    return result


def kohya_subsets(train_dir: Path) -> dict[str, tuple[int, str]]:
    """How sd-scripts reads train_data_dir: '<repeats>_<tokens>' folders; others are silently ignored."""
    found = {}
    for folder in train_dir.iterdir():
        count, sep, tokens = folder.name.partition("_")
        if folder.is_dir() and sep and count.isdigit():
            found[folder.name] = (int(count), tokens)
    return found


def test_kohya_layout_folder_name_captions_and_toml(core, make_image, tmp_path):
    images = [make_image(f"{i}.gif", size=(300, 200)) for i in range(2)]
    seeded = seed_dataset(core.db, images, ["first", "second\nline"], trigger="ohwx")
    root = tmp_path / "kohya"
    _export(
        core,
        seeded,
        preset="kohya_ss",
        export_path=str(root),
        repeats=12,
        class_tokens="woman",
        kohya_toml=True,
    )
    assert sorted(p.name for p in root.iterdir()) == [
        "README.txt",
        "dataset.toml",
        "img",
        "log",
        "manifest.json",
        "model",
        "reg",
    ]
    assert not any(any((root / empty).iterdir()) for empty in ("reg", "log", "model"))
    assert kohya_subsets(root / "img") == {"12_ohwx woman": (12, "ohwx woman")}
    subset = root / "img" / "12_ohwx woman"
    images_out = sorted(p for p in subset.iterdir() if p.suffix in KOHYA_IMAGE_TYPES)
    assert [p.name for p in images_out] == ["000001.png", "000002.png"], "GIF (unread by kohya) becomes PNG"
    assert (subset / "000002.txt").read_text(encoding="utf-8") == "second line", (
        "kohya reads the first line only"
    )
    config = tomllib.loads((root / "dataset.toml").read_text(encoding="utf-8"))
    sub = config["datasets"][0]["subsets"][0]
    assert sub == {"image_dir": "img/12_ohwx woman", "num_repeats": 12, "class_tokens": "ohwx woman"}
    assert config["general"]["caption_extension"] == ".txt"
    dataset = config["datasets"][0]
    assert dataset["enable_bucket"] is True and dataset["bucket_no_upscale"] is True
    assert dataset["min_bucket_reso"] <= dataset["resolution"] <= dataset["max_bucket_reso"]
    assert dataset["bucket_reso_steps"] == 64
    assert config["general"]["shuffle_caption"] is False, "natural sentences are not shuffled"


def test_kohya_toml_image_dir_resolves_from_the_toml_folder_and_readme_says_to_run_there(
    core, make_image, tmp_path, monkeypatch
):
    images = [make_image(f"{i}.png", size=(300, 200)) for i in range(3)]
    seeded = seed_dataset(core.db, images, ["a", "b", "c"], trigger="ohwx")
    root = tmp_path / "exported"
    _export(core, seeded, preset="kohya_ss", export_path=str(root), kohya_toml=True)
    moved = tmp_path / "moved elsewhere"
    root.rename(moved)  # a relative image_dir survives moving the export
    config = tomllib.loads((moved / "dataset.toml").read_text(encoding="utf-8"))
    image_dir = config["datasets"][0]["subsets"][0]["image_dir"]
    assert not Path(image_dir).is_absolute()
    monkeypatch.chdir(moved)  # as README.txt says: sd-scripts runs os.path.isdir(image_dir) from here
    assert os.path.isdir(image_dir)
    assert sorted(p.name for p in Path(image_dir).glob("*.png")) == ["000001.png", "000002.png", "000003.png"]
    readme = (moved / "README.txt").read_text(encoding="utf-8")
    assert "--dataset_config dataset.toml" in readme and "start it from here" in readme
    assert "README.txt" in export_presets.BUILTIN_PRESETS["kohya_ss"]["description"]


def test_kohya_zip_has_the_same_relative_toml_and_readme(core, make_image, tmp_path):
    import zipfile

    seeded = seed_dataset(core.db, [make_image("a.png")], ["a"], trigger="ohwx")
    zip_path = tmp_path / "k.zip"
    _export(core, seeded, preset="kohya_ss", export_type="zip", export_path=str(zip_path), kohya_toml=True)
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        config = tomllib.loads(archive.read("dataset.toml").decode("utf-8"))
    image_dir = config["datasets"][0]["subsets"][0]["image_dir"]
    assert f"{image_dir}/000001.png" in names and "README.txt" in names


def test_kohya_folder_does_not_repeat_a_class_word_the_trigger_ends_with(core, make_image, tmp_path):
    seeded = seed_dataset(core.db, [make_image("a.png")], ["a caption"], trigger="ohwx shape")
    root = tmp_path / "k"
    _export(core, seeded, preset="kohya_ss", export_path=str(root), class_tokens="Shape", kohya_toml=True)
    assert kohya_subsets(root / "img") == {"10_ohwx shape": (10, "ohwx shape")}
    config = tomllib.loads((root / "dataset.toml").read_text(encoding="utf-8"))
    assert config["datasets"][0]["subsets"][0]["class_tokens"] == "ohwx shape"


@pytest.mark.parametrize(
    ("trigger", "class_tokens", "expected"),
    [
        ("ohwx shape", "shape", "ohwx shape"),
        ("ohwx", "woman", "ohwx woman"),
        ("ohwx red car", "red car", "ohwx red car"),
        ("ohwx", "ohwx", "ohwx"),
        ("", "dog", "dog"),
        ("shapeshifter", "shape", "shapeshifter shape"),
    ],
)
def test_kohya_tokens(trigger, class_tokens, expected):
    assert export_presets.kohya_tokens(trigger, class_tokens) == expected


def test_kohya_toml_for_tag_style_sets_shuffles_but_keeps_the_trigger(core, make_image, tmp_path):
    from app import models

    seeded = seed_dataset(core.db, [make_image("a.png")], ["ohwx, red, circle"], trigger="ohwx")
    with core.db.session() as session:
        session.get(models.CaptionSet, seeded.caption_set_id).style = "tags"
    root = tmp_path / "k"
    _export(core, seeded, preset="kohya_ss", export_path=str(root), kohya_toml=True, upscale=True)
    config = tomllib.loads((root / "dataset.toml").read_text(encoding="utf-8"))
    assert config["general"]["shuffle_caption"] is True
    assert config["general"]["keep_tokens"] == 1
    assert config["datasets"][0]["bucket_no_upscale"] is False, "the user asked for upscaling"


@pytest.mark.parametrize(
    ("repeats", "trigger", "class_tokens", "ok"),
    [
        (10, "ohwx", "", True),
        (1, "", "dog", True),
        (0, "ohwx", "woman", False),
        (10, "", "", False),
        (10, "a/b", "woman", False),
        ("x", "ohwx", "", False),
    ],
)
def test_kohya_name_check(repeats, trigger, class_tokens, ok):
    try:
        options = build_options(
            export_presets.preset_options(Path("/nowhere"), "kohya_ss"),
            {"repeats": repeats, "trigger": trigger, "class_tokens": class_tokens},
        )
        name = export_presets.kohya_folder(options, None)
    except Invalid:
        assert not ok
        return
    assert ok
    count, _, tokens = name.removeprefix("img/").partition("_")
    assert int(count) >= 1 and tokens


def test_flat_presets_pair_each_image_with_a_txt(core, make_image, tmp_path):
    seeded = seed_dataset(core.db, [make_image("a.webp"), make_image("b.jpg")], ["one", "two"])
    for preset in ("ai_toolkit", "simpletuner", "generic"):
        root = tmp_path / preset
        _export(core, seeded, preset=preset, export_path=str(root))
        assert sorted(p.name for p in root.iterdir()) == [
            "000001.txt",
            "000001.webp",
            "000002.jpg",
            "000002.txt",
            "manifest.json",
        ]


def test_onetrainer_concept_folder(core, make_image, tmp_path):
    seeded = seed_dataset(core.db, [make_image("a.jpg")], ["one"])
    root = tmp_path / "ot"
    _export(core, seeded, preset="onetrainer", export_path=str(root), concept_name="nova", repeats=3)
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*")) == [
        "concepts.json",
        "manifest.json",
        "nova",
        "nova/000001.jpg",
        "nova/000001.txt",
    ]
    # OneTrainer's ConceptConfig.from_dict keeps its defaults for keys a file leaves out.
    (concept,) = json.loads((root / "concepts.json").read_text(encoding="utf-8"))
    assert concept["path"] == str(root / "nova") and concept["name"] == "nova"
    assert concept["balancing"] == 3.0 and concept["balancing_strategy"] == "REPEATS"
    assert concept["text"]["prompt_source"] == "sample" and concept["__version"] == 1


def test_huggingface_imagefolder_reads_back_with_the_datasets_library(
    core, make_image, tmp_path, monkeypatch
):
    # No network: the loader reads only the exported folder (set before the library reads its config).
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    datasets = pytest.importorskip("datasets")
    captions = ["a café at dusk", 'two "quoted" words', "third"]
    seeded = seed_dataset(core.db, [make_image(f"{i}.png", size=(96, 64)) for i in range(3)], captions)
    root = tmp_path / "hf"
    _export(core, seeded, preset="huggingface", export_path=str(root), manifest="json")
    assert sorted(p.name for p in (root / "train").iterdir()) == [
        "000001.png",
        "000002.png",
        "000003.png",
        "metadata.jsonl",
    ], "no caption .txt files beside the images"
    loaded = datasets.load_dataset("imagefolder", data_dir=str(root), cache_dir=str(tmp_path / "hf-cache"))
    train = loaded["train"]
    assert train.num_rows == 3 and set(train.column_names) == {"image", "text"}
    assert sorted(train["text"]) == sorted(captions)
    assert all(row["image"].size == (96, 64) for row in train)


def test_user_presets_are_saved_as_yaml_and_fill_the_options(core, settings):
    saved = export_presets.save_preset(
        settings.data_dir,
        "My kohya",
        {
            **export_presets.preset_options(settings.data_dir, "kohya_ss"),
            "repeats": 4,
            "image_format": "webp",
        },
    )
    assert (settings.data_dir / "export_presets" / "My kohya.yaml").is_file()
    names = [p.name for p in export_presets.list_presets(settings.data_dir)]
    assert "kohya_ss" in names and "My kohya" in names
    options = exports.resolve_options(settings, {"preset": "My kohya", "class_tokens": "dog"})
    assert (options.layout, options.repeats, options.image_format, options.class_tokens) == (
        "kohya",
        4,
        "webp",
        "dog",
    )
    assert saved.options["repeats"] == 4
    with pytest.raises(Conflict):
        export_presets.save_preset(settings.data_dir, "kohya_ss", {})
    with pytest.raises(Invalid):
        export_presets.save_preset(settings.data_dir, "bad", {"jpeg_quality": 500})
    export_presets.delete_preset(settings.data_dir, "My kohya")
    assert "My kohya" not in [p.name for p in export_presets.list_presets(settings.data_dir)]


A98 = Path("/usr/share/color/icc/ghostscript/a98.icc")


@pytest.mark.skipif(not A98.exists(), reason="needs an Adobe RGB profile (Debian's ghostscript ICC files)")
def test_wide_gamut_pixels_are_converted_to_srgb(core, make_image, tmp_path):
    profile = A98.read_bytes()
    image = tmp_path / "src" / "wide.png"
    image.parent.mkdir()
    Image.new("RGB", (32, 32), (60, 160, 60)).save(image, icc_profile=profile)
    seeded = seed_dataset(core.db, [image])
    _export(core, seeded, export_path=str(tmp_path / "o"), image_processing={"format": "png"})
    expected = ImageCms.profileToProfile(
        Image.new("RGB", (1, 1), (60, 160, 60)),
        ImageCms.ImageCmsProfile(str(A98)),
        ImageCms.createProfile("sRGB"),
    )
    with Image.open(tmp_path / "o" / "000001.png") as out:
        assert "icc_profile" not in out.info
        assert out.getpixel((1, 1)) == expected.getpixel((0, 0)) != (60, 160, 60)
    assert os.path.exists(image)


def test_settings_defaults_sit_under_presets_and_requests(settings):
    settings["export"].update(jpeg_quality=80, caption_extension="caption", numbering_padding=4)
    generic = exports.resolve_options(settings, {})
    assert (generic.jpeg_quality, generic.caption_extension, generic.numbering_padding) == (80, "caption", 4)
    assert exports.resolve_options(settings, {"preset": "ai_toolkit"}).caption_extension == "txt"
    assert exports.resolve_options(settings, {"image_processing": {"jpeg_quality": 70}}).jpeg_quality == 70
