"""Exports write what a trainer reads: sizes, formats, no metadata, upright pixels, the set's captions."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from app.errors import Conflict, Invalid
from app.services.exports import export_history, exports
from tests.export_seed import seed_dataset


def _export(core, seeded, **request):
    request.setdefault("caption_set_id", seeded.caption_set_id)
    started = exports.start_export(core.db, core.settings, seeded.dataset_id, request)
    return exports.run_export(core.db, core.settings, started.export_id)


def test_jpeg_export_resizes_strips_metadata_and_keeps_the_sets_captions(core, make_image, tmp_path):
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x0112] = 6  # rotate 90: stored landscape, displayed portrait
    images = [
        make_image("a.jpg", size=(2000, 1000), exif=exif.tobytes(), comment=b"secret comment"),
        make_image("b.png", size=(800, 600)),
        make_image("c.jpg", size=(3000, 1500)),
    ]
    captions = ["ohwx woman on a beach", "ohwx woman, zoë's café", "ohwx woman at night"]
    seeded = seed_dataset(core.db, images, captions)
    target = tmp_path / "out"
    result = _export(
        core,
        seeded,
        export_path=str(target),
        image_processing={"format": "jpeg", "target_resolution": 1024, "jpeg_quality": 90},
    )
    assert result.status == "completed" and result.file_count == 3
    names = sorted(p.name for p in target.iterdir())
    assert names == [
        "000001.jpg",
        "000001.txt",
        "000002.jpg",
        "000002.txt",
        "000003.jpg",
        "000003.txt",
        "manifest.json",
    ]
    with Image.open(target / "000001.jpg") as first:
        assert first.format == "JPEG"
        assert first.size == (512, 1024), "EXIF orientation applied, long side 1024"
        assert not first.getexif() and "exif" not in first.info
        assert "comment" not in first.info and "icc_profile" not in first.info
    with Image.open(target / "000002.jpg") as second:
        assert second.size == (800, 600), "never upscaled unless asked"
    with Image.open(target / "000003.jpg") as third:
        assert third.size == (1024, 512)
    for number, caption in enumerate(captions, start=1):
        raw = (target / f"{number:06d}.txt").read_bytes()
        assert raw == caption.encode("utf-8"), "UTF-8, no BOM, exactly the set's caption"
    assert not any(p.name.startswith(".captionforge-export-") for p in tmp_path.iterdir())


def test_png_and_webp_keep_alpha_jpeg_flattens_it_onto_the_background(core, make_image, tmp_path):
    image = make_image("t.png", size=(64, 64), color=(255, 0, 0, 0), mode="RGBA")
    seeded = seed_dataset(core.db, [image])
    _export(core, seeded, export_path=str(tmp_path / "png"), image_processing={"format": "png"})
    with Image.open(tmp_path / "png" / "000001.png") as png:
        assert png.mode == "RGBA"
    _export(
        core,
        seeded,
        export_path=str(tmp_path / "jpg"),
        image_processing={"format": "jpeg", "background": "#00ff00"},
    )
    with Image.open(tmp_path / "jpg" / "000001.jpg") as jpg:
        assert jpg.mode == "RGB"
        red, green, blue = jpg.getpixel((1, 1))
        assert green > 200 and red < 60, "transparent pixels show the chosen background"
    _export(core, seeded, export_path=str(tmp_path / "webp"), image_processing={"format": "webp"})
    with Image.open(tmp_path / "webp" / "000001.webp") as webp:
        assert webp.format == "WEBP"


def test_srgb_profile_is_not_embedded_and_colours_survive(core, make_image, tmp_path):
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = make_image("p.jpg", size=(200, 100), color=(10, 200, 30), icc_profile=srgb)
    seeded = seed_dataset(core.db, [image])
    _export(core, seeded, export_path=str(tmp_path / "out"), image_processing={"format": "png"})
    with Image.open(tmp_path / "out" / "000001.png") as out:
        assert "icc_profile" not in out.info
        r, g, b = out.getpixel((5, 50))[:3]
        assert g > 150 and r < 60


def test_numbering_start_padding_and_original_names_with_collisions(core, make_image, tmp_path):
    images = [
        make_image("photo.jpg", folder=tmp_path / "x"),
        make_image("Photo.png", folder=tmp_path / "x"),
        make_image("other.jpg", folder=tmp_path / "x"),
    ]
    seeded = seed_dataset(core.db, images)
    _export(core, seeded, export_path=str(tmp_path / "num"), numbering={"start": 7, "padding": 3})
    assert sorted(p.name for p in (tmp_path / "num").glob("*.jpg")) == ["007.jpg", "009.jpg"]
    assert (tmp_path / "num" / "008.png").exists()
    _export(core, seeded, export_path=str(tmp_path / "orig"), naming="original", caption_format="caption")
    names = sorted(p.name for p in (tmp_path / "orig").iterdir())
    assert names == [
        "Photo_2.caption",
        "Photo_2.png",
        "manifest.json",
        "other.caption",
        "other.jpg",
        "photo.caption",
        "photo.jpg",
    ]


def test_filters_and_missing_caption_policies(core, make_image, tmp_path):
    images = [make_image(f"{i}.jpg", size=(64, 48)) for i in range(5)]
    seeded = seed_dataset(
        core.db,
        images,
        ["good", "blurry one", "low", None, "fine"],
        quality=[0.9, 0.9, 0.2, 0.9, 0.8],
        flags=[[], ["blurry"], [], [], []],
        imported=[None, None, None, "imported text", None],
    )
    with core.db.session() as session:
        from app import models

        member = session.query(models.DatasetFile).filter_by(file_id=seeded.file_ids[4]).one()
        member.excluded = True
    request = {
        "caption_set_id": seeded.caption_set_id,
        "export_path": str(tmp_path / "a"),
        "filtering": {"min_quality_score": 0.5, "exclude_flagged": ["blurry"]},
    }
    plan = exports.plan_export(core.db, core.settings, seeded.dataset_id, request)
    assert plan.file_count == 1
    assert plan.skipped_reasons == {
        "flagged blurry": 1,
        "quality below 0.5": 1,
        "no caption": 1,
        "excluded from the dataset": 1,
    }
    plan = exports.plan_export(
        core.db, core.settings, seeded.dataset_id, {**request, "missing_caption": "imported"}
    )
    assert plan.file_count == 2
    result = _export(
        core, seeded, **{**request, "missing_caption": "empty", "export_path": str(tmp_path / "b")}
    )
    assert result.file_count == 2
    assert (tmp_path / "b" / "000002.txt").read_bytes() == b""


def test_deleted_source_is_reported_and_the_export_goes_on(core, make_image, tmp_path):
    images = [make_image(f"{i}.jpg") for i in range(3)]
    seeded = seed_dataset(core.db, images)
    images[1].unlink()
    result = _export(core, seeded, export_path=str(tmp_path / "out"), image_processing={"format": "png"})
    assert result.status == "completed" and result.file_count == 2
    assert [f["source"] for f in result.report["failed"]] == [str(images[1])]
    assert "gone" in result.report["failed"][0]["error"]
    assert not (tmp_path / "out" / "000002.txt").exists(), "no caption without its image"


def test_non_empty_target_needs_confirmation_and_overwrite_replaces(core, make_image, tmp_path):
    seeded = seed_dataset(core.db, [make_image("a.jpg")])
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("old")
    request = {"caption_set_id": seeded.caption_set_id, "export_path": str(target)}
    assert exports.plan_export(core.db, core.settings, seeded.dataset_id, request).target.needs_confirmation
    with pytest.raises(Conflict):
        exports.start_export(core.db, core.settings, seeded.dataset_id, request)
    result = _export(core, seeded, export_path=str(target), overwrite=True)
    assert result.status == "completed"
    assert "overwrite" not in result.settings, "export again asks before replacing, every time"
    assert sorted(p.name for p in target.iterdir()) == ["000001.jpg", "000001.txt", "manifest.json"], (
        "replaced, not merged"
    )
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".captionforge")] == []


def test_targets_inside_or_around_tracked_folders_are_refused(core, make_image, tmp_path):
    image = make_image("a.jpg", folder=tmp_path / "sources")
    seeded = seed_dataset(core.db, [image])
    for path in (tmp_path / "sources" / "export", tmp_path / "sources", tmp_path):
        with pytest.raises(Invalid):
            exports.plan_export(
                core.db,
                core.settings,
                seeded.dataset_id,
                {"caption_set_id": seeded.caption_set_id, "export_path": str(path)},
            )
    with pytest.raises(Invalid):
        exports.plan_export(
            core.db,
            core.settings,
            seeded.dataset_id,
            {"export_type": "zip", "export_path": str(tmp_path / "sources" / "x.zip")},
        )


def test_zip_export_manifest_and_history(core, make_image, tmp_path):
    images = [make_image(f"{i}.jpg") for i in range(2)]
    seeded = seed_dataset(core.db, images, ["one", "two"], quality=[0.8, 0.7], flags=[["dark"], []])
    result = _export(core, seeded, export_type="zip", export_path=str(tmp_path / "set.zip"), manifest="json")
    assert result.status == "completed" and result.downloadable
    with zipfile.ZipFile(tmp_path / "set.zip") as archive:
        assert sorted(archive.namelist()) == [
            "000001.jpg",
            "000001.txt",
            "000002.jpg",
            "000002.txt",
            "manifest.json",
        ]
        manifest = json.loads(archive.read("manifest.json"))
    first = manifest["files"][0]
    assert first["source_path"] == str(images[0]) and first["caption"] == "one"
    assert (
        first["quality_score"] == 0.8 and first["quality_flags"] == ["dark"] and len(first["file_hash"]) == 64
    )
    history = export_history.list_history(core.db)
    assert history[0].status == "completed" and history[0].file_count == 2
    assert history[0].settings["manifest"] == "json", "settings kept for 'export again'"
    again = _export(core, seeded, **{**history[0].settings, "export_path": str(tmp_path / "again.zip")})
    assert again.status == "completed"
    default = _export(core, seeded, export_type="zip")
    assert default.settings["export_path"] == "", "a default target stays 'default' for export again"
    assert Path(default.export_path).parent == core.settings.exports_dir


def test_csv_manifest_columns(core, make_image, tmp_path):
    seeded = seed_dataset(core.db, [make_image("a.jpg")], ['say "hi", ok'])
    _export(core, seeded, export_path=str(tmp_path / "o"), manifest="csv")
    import csv

    rows = list(csv.DictReader((tmp_path / "o" / "manifest.csv").open(encoding="utf-8")))
    assert rows[0]["caption"] == 'say "hi", ok' and rows[0]["file"] == "000001.jpg"
    assert set(rows[0]) == {
        "file",
        "source_path",
        "file_hash",
        "caption",
        "quality_score",
        "quality_flags",
        "crop",
    }


def test_interrupted_exports_are_marked_and_temp_work_removed(core, make_image, tmp_path):
    seeded = seed_dataset(core.db, [make_image("a.jpg")])
    started = exports.start_export(
        core.db,
        core.settings,
        seeded.dataset_id,
        {"caption_set_id": seeded.caption_set_id, "export_path": str(tmp_path / "t")},
    )
    leftover = tmp_path / f".captionforge-export-{started.export_id}"
    (leftover / "img").mkdir(parents=True)
    (tmp_path / ".captionforge-export-zzz.zip.part").write_bytes(b"x")
    result = export_history.recover_interrupted(core.db, core.settings)
    assert result.interrupted == 1
    assert not leftover.exists() and not (tmp_path / ".captionforge-export-zzz.zip.part").exists()
    assert export_history.get_export(core.db, started.export_id).status == "failed"
    assert not Path(tmp_path / "t").exists()


@pytest.mark.parametrize("export_type", ["folder", "zip"])
def test_full_disk_stops_with_a_clear_error_and_cleans_up(
    core, make_image, tmp_path, monkeypatch, export_type
):
    import errno
    from concurrent.futures import ThreadPoolExecutor

    from app.services.exports import export_build, export_images

    def no_space(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    # Threads instead of spawned processes so the patched writers are the ones used.
    monkeypatch.setattr(export_build, "process_pool", lambda _workers=0: ThreadPoolExecutor(2))
    monkeypatch.setattr(export_images, "_write", no_space)
    monkeypatch.setattr(export_build._ZipSink, "image_written", no_space)
    seeded = seed_dataset(core.db, [make_image(f"{i}.jpg") for i in range(4)])
    target = tmp_path / ("out.zip" if export_type == "zip" else "out")
    result = _export(core, seeded, export_type=export_type, export_path=str(target))
    assert result.status == "failed"
    assert "disk" in result.error_message and "full" in result.error_message
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".captionforge")] == []


def test_cancel_removes_the_temp_work(core, make_image, tmp_path):
    import threading

    seeded = seed_dataset(core.db, [make_image(f"{i}.jpg") for i in range(3)])
    request = {"caption_set_id": seeded.caption_set_id, "export_path": str(tmp_path / "out")}
    started = exports.start_export(core.db, core.settings, seeded.dataset_id, request)
    cancel = threading.Event()
    cancel.set()
    result = exports.run_export(core.db, core.settings, started.export_id, cancel=cancel)
    assert result.status == "cancelled"
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".captionforge")] == []


def test_keep_format_copies_an_unchanged_jpeg_without_recompressing_or_metadata(core, make_image, tmp_path):
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    source = make_image("cam.jpg", size=(640, 480), exif=exif.tobytes(), comment=b"private note", quality=88)
    rotated = make_image("turned.jpg", size=(640, 480), exif=_orientation(6))
    seeded = seed_dataset(core.db, [source, rotated])
    _export(core, seeded, export_path=str(tmp_path / "o"), target_resolution=1024)
    out = tmp_path / "o" / "000001.jpg"
    with Image.open(out) as copied, Image.open(source) as original:
        assert not copied.getexif() and "comment" not in copied.info
        assert copied.tobytes() == original.tobytes(), "same compressed pixels: no generation loss"
    assert b"CameraMaker" not in out.read_bytes() and b"private note" not in out.read_bytes()
    with Image.open(tmp_path / "o" / "000002.jpg") as upright:
        assert upright.size == (480, 640), "an EXIF-rotated JPEG is re-encoded upright"


def _orientation(value: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def test_a_manifest_by_default_links_every_exported_file_to_its_original(core, make_image, tmp_path):
    images = [make_image("a.jpg"), make_image("b.png")]
    seeded = seed_dataset(core.db, images, ["one", "two"])
    _export(core, seeded, export_path=str(tmp_path / "out"))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    rows = {row["file"]: row for row in manifest["files"]}
    assert rows["000001.jpg"]["source_path"] == str(images[0])
    assert rows["000002.png"]["source_path"] == str(images[1])
    assert rows["000002.png"]["caption_file"] == "000002.txt"
    assert all(row["file_id"] for row in rows.values())
    _export(core, seeded, export_path=str(tmp_path / "bare"), manifest="none")
    assert not (tmp_path / "bare" / "manifest.json").exists(), "the user can still turn it off"
