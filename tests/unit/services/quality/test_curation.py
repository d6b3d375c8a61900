"""Near-duplicate groups and dataset health figures."""

import io
import json
import random

from PIL import Image, ImageDraw, ImageFilter

from app import models
from app.services.buckets import nearest_bucket
from app.services.quality.dataset_health import blended_quality, dataset_health
from app.services.quality.near_duplicates import duplicate_groups, group_hashes, keep_best
from app.services.quality.quality import dhash


def scene(seed: int, w: int = 1600, h: int = 1000) -> Image.Image:
    """A photo-like picture: a gradient sky and blurred discs placed by a seeded random generator."""
    rnd = random.Random(seed)
    image = Image.linear_gradient("L").resize((w, h)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y, r = rnd.randrange(w), rnd.randrange(h), rnd.randrange(30, 250)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rnd.randrange(256) for _ in range(3)))
    return image.filter(ImageFilter.GaussianBlur(2))


def recompressed(image: Image.Image, scale: float, quality: int) -> Image.Image:
    small = image.resize((int(image.width * scale), int(image.height * scale)))
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue()))


def seed_dataset(core, files: list[dict]) -> str:
    with core.db.session() as s:
        folder = models.TrackedFolder(path="/photos", name="photos")
        dataset = models.Dataset(name="Set", name_filesystem_safe="set")
        s.add_all([folder, dataset])
        s.flush()
        for index, spec in enumerate(files):
            tracked = models.TrackedFile(
                id=spec["id"],
                folder_id=folder.id,
                filename=f"{spec['id']}.jpg",
                file_path=f"/photos/{spec['id']}.jpg",
                file_hash=spec.get("hash", spec["id"]),
                file_size_mb=1.0,
                file_type="jpg",
                width=spec.get("w", 1024),
                height=spec.get("h", 1024),
                phash=spec.get("phash"),
                quality_score=spec.get("q"),
                quality_flags=json.dumps(spec.get("flags", [])),
            )
            s.add(tracked)
            s.flush()
            s.add(models.DatasetFile(dataset_id=dataset.id, file_id=tracked.id, order_index=index))
        return dataset.id


def test_resized_recompressed_copy_is_grouped_but_other_shots_of_the_scene_are_not():
    base = scene(1)
    original = base.crop((100, 50, 1500, 950))
    hashes = {
        "original": dhash(original),
        "copy": dhash(recompressed(original, 0.5, 60)),
        "camera-moved": dhash(base.crop((300, 50, 1600, 950))),
        "zoomed": dhash(base.crop((250, 150, 1300, 850))),
        "other-scene": dhash(scene(2).crop((100, 50, 1500, 950))),
    }
    assert group_hashes(hashes) == [["original", "copy"]]


def test_exact_and_near_groups_best_first_and_keep_best(core):
    near = dhash(scene(3))
    files = [
        {"id": "a", "hash": "same", "q": 0.4, "phash": "0" * 16},
        {"id": "b", "hash": "same", "q": 0.9, "phash": "0" * 16},
        {"id": "c", "q": 0.5, "phash": near, "w": 2048, "h": 2048},
        {"id": "d", "q": 0.5, "phash": near[:-1] + ("1" if near[-1] != "1" else "3"), "w": 512, "h": 512},
        {"id": "e", "q": 0.7, "phash": "f" * 16},
    ]
    dataset_id = seed_dataset(core, files)
    groups = duplicate_groups(core.db, dataset_id)
    kinds = {g.kind: g for g in groups}
    assert [f.file_id for f in kinds["exact"].files] == ["b", "a"]
    assert kinds["near"].best == "c", "same quality: the larger image wins"
    result = keep_best(core.db, dataset_id, ["c", "d"])
    assert result.model_dump() == {"kept": "c", "excluded": 1, "edited_excluded": []}
    with core.db.session() as s:
        excluded = {m.file_id: m.excluded for m in s.query(models.DatasetFile)}
    assert excluded["d"] is True and excluded["c"] is False and excluded["e"] is False


def test_health_counts_buckets_flags_and_coverage(core):
    files = [
        {"id": "p1", "q": 0.15, "w": 832, "h": 1216, "flags": ["blurry"]},
        {"id": "p2", "q": 0.95, "w": 1024, "h": 1024},
        {"id": "p3", "q": 0.55, "w": 1920, "h": 1080, "flags": ["blurry", "low_contrast"]},
        {"id": "p4", "w": 400, "h": 300, "flags": ["tiny"]},
    ]
    dataset_id = seed_dataset(core, files)
    with core.db.session() as s:
        caption_set = models.CaptionSet(dataset_id=dataset_id, name="Natural", style="natural_simple")
        s.add(caption_set)
        s.flush()
        s.add(
            models.Caption(
                caption_set_id=caption_set.id, file_id="p2", caption_text="x" * 120, quality_score=0.5
            )
        )
        set_id = caption_set.id
    health = dataset_health(core.db, dataset_id, set_id, measured_weight=0.7)
    assert health.file_count == 4 and health.unscored == 1
    counts = [b.count for b in health.quality_histogram]
    assert counts[1] == 1 and counts[5] == 1 and counts[8] == 1  # p2 blended 0.7*0.95+0.3*0.5 = 0.815
    assert health.flags == {"blurry": 2, "low_contrast": 1, "tiny": 1}
    assert health.buckets["832x1216"] == 1 and health.buckets["1024x1024"] == 1
    assert health.buckets["1344x768"] == 1, "16:9 falls into the widest-but-one SDXL bucket"
    assert health.short_side == {
        "<512": 1,
        "512-768": 0,
        "768-1024": 1,
        "1024-1536": 2,
        "1536-2048": 0,
        ">=2048": 0,
    }
    assert [c.model_dump() for c in health.coverage] == [
        {"caption_set_id": set_id, "name": "Natural", "captioned": 1, "total": 4}
    ]
    assert health.caption_lengths["100-200"] == 1


def test_blend_and_bucket_rules():
    assert blended_quality(0.8, None, 0.7) == 0.8
    assert blended_quality(None, 0.6, 0.7) == 0.6
    assert blended_quality(1.0, 0.0, 0.7) == 0.7
    assert nearest_bucket(4000, 3000) == "1152x896"
    assert nearest_bucket(1000, 1000) == "1024x1024"


def test_bucket_query_term_matches_the_nearest_sdxl_bucket():
    from app.services.grid.query import compile_query

    rows = [{"file_id": "p", "width": 832, "height": 1216}, {"file_id": "l", "width": 1920, "height": 1080}]
    matches = compile_query("bucket:1344x768")
    assert [r["file_id"] for r in rows if matches(r)] == ["l"]
