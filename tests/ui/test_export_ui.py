"""The export dialog and the Exports page under NiceGUI's user fixture."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nicegui import ui
from nicegui.testing import User
from PIL import Image

from app.services.exports import export_history, exports
from tests.app_services import running
from tests.export_seed import seed_dataset


def _images(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = folder / f"img{index}.jpg"
        Image.new("RGB", (320, 240), (index * 40, 90, 120)).save(path)
        paths.append(path)
    return paths


async def _wait_for_status(export_id: str, wanted: str = "completed") -> dict:
    for _ in range(300):
        entry = export_history.get_export(running().db, export_id)
        if entry.status not in export_history.ACTIVE:
            assert entry.status == wanted, entry.error_message
            return entry
        await asyncio.sleep(0.1)
    raise AssertionError("the export did not finish")


async def test_dialog_shows_the_summary_and_exports_with_live_progress(user: User, tmp_path: Path) -> None:
    seeded = seed_dataset(running().db, _images(tmp_path / "src", 3), ["one", "two", None])
    target = tmp_path / "out"
    result: list = []

    @ui.page("/export-dialog-test")
    async def dialog_page() -> None:
        dialog = ExportDialogUnderTest(running(), seeded.dataset_id, seeded.caption_set_id)
        dialog.open()
        result.append(dialog)

    from app.ui.exports.export_dialog import ExportDialog as ExportDialogUnderTest

    await user.open("/export-dialog-test")
    await user.should_see(marker="export-summary-count")
    await user.should_see("2 images")
    await user.should_see("Skipped 1: no caption")
    user.find(marker="export-path").type(str(target))
    await user.should_see(str(target))
    user.find(marker="export-start").click()
    await user.should_see(marker="export-checks-confirm")  # small images, captions without the trigger
    user.find(marker="export-checks-anyway").click()
    dialog = result[0]
    for _ in range(100):
        if dialog.export_id:
            break
        await asyncio.sleep(0.05)
    entry = await _wait_for_status(dialog.export_id)
    assert entry.file_count == 2
    assert sorted(p.name for p in target.iterdir()) == [
        "000001.jpg",
        "000001.txt",
        "000002.jpg",
        "000002.txt",
        "manifest.json",
    ]
    await user.should_see(marker="export-status")
    await user.should_see("Done: 2 images")


async def test_non_empty_target_needs_the_confirmation_box(user: User, tmp_path: Path) -> None:
    seeded = seed_dataset(running().db, _images(tmp_path / "src", 1))
    target = tmp_path / "busy"
    target.mkdir()
    (target / "keep.txt").write_text("mine")

    @ui.page("/export-confirm-test")
    async def confirm_page() -> None:
        from app.ui.exports.export_dialog import ExportDialog

        ExportDialog(running(), seeded.dataset_id, seeded.caption_set_id, {"export_path": str(target)}).open()

    await user.open("/export-confirm-test")
    await user.should_see(marker="export-confirm-overwrite")
    user.find(marker="export-start").click()
    await user.should_see("tick 'Replace'")
    assert (target / "keep.txt").read_text() == "mine"


async def test_exports_page_lists_history_and_starts_a_new_export(user: User, tmp_path: Path) -> None:
    seeded = seed_dataset(running().db, _images(tmp_path / "src", 2), name="Page Set")
    started = exports.start_export(
        running().db,
        running().settings,
        seeded.dataset_id,
        {"caption_set_id": seeded.caption_set_id, "export_type": "zip"},
    )
    exports.run_export(running().db, running().settings, started.export_id)
    await user.open("/exports")
    await user.should_see(marker="export-history-row")
    await user.should_see(marker="export-row-download")
    await user.should_see("2 files")
    user.find(marker="export-row-again").click()
    await user.should_see(marker="export-dialog")
    await user.should_see(marker="export-summary-count")
    user.find(marker="export-close").click()
    user.find(marker="export-open").click()
    await user.should_see(marker="export-summary-count")


async def test_exports_url_with_a_dataset_opens_the_dialog_for_it(user: User, tmp_path: Path) -> None:
    seeded = seed_dataset(running().db, _images(tmp_path / "src", 2), name="Linked")
    await user.open(f"/exports?dataset={seeded.dataset_id}&caption_set={seeded.caption_set_id}")
    await user.should_see(marker="export-dialog")
    await user.should_see("Export Linked")
    await user.should_see("2 images")


async def test_browse_puts_a_dataset_named_folder_inside_the_chosen_one(user: User, tmp_path: Path) -> None:
    seeded = seed_dataset(running().db, _images(tmp_path / "src", 1), name="Nova Chorus")
    (tmp_path / "dest").mkdir()
    await user.open(f"/exports?dataset={seeded.dataset_id}")
    await user.should_see(marker="export-summary-count")
    user.find(marker="export-browse").click()
    await user.should_see(marker="folder-picker")
    user.find(marker="folder-picker-path").clear().type(str(tmp_path / "dest"))
    user.find(marker="folder-picker-select").click()
    await user.should_see(str(tmp_path / "dest" / "nova_chorus"))
    path_input = user.find(marker="export-path").elements.pop()
    assert path_input.value == str(tmp_path / "dest" / "nova_chorus")


async def test_the_workspace_toolbar_opens_the_export_dialog_for_its_dataset(
    user: User, tmp_path: Path
) -> None:
    seeded = seed_dataset(running().db, _images(tmp_path / "src", 2), name="From Workspace")
    await user.open(f"/?dataset={seeded.dataset_id}&caption_set={seeded.caption_set_id}")
    await user.should_see("2 images")  # the workspace has loaded the dataset
    user.find(marker="grid-export").click()
    await user.should_see(marker="export-dialog")
    await user.should_see("Export From Workspace")
    await user.should_see("2 images")


async def test_save_as_preset_stores_yaml_and_selects_it(user: User, tmp_path: Path) -> None:
    seeded = seed_dataset(running().db, _images(tmp_path / "src", 1))
    await user.open(f"/exports?dataset={seeded.dataset_id}")
    await user.should_see(marker="export-summary-count")
    user.find(marker="export-save-preset").click()
    await user.should_see(marker="export-preset-name")
    user.find(marker="export-preset-name").type("My square")
    user.find(marker="export-preset-save").click()
    await user.should_see("Saved the preset My square")
    assert (running().settings.data_dir / "export_presets" / "My square.yaml").is_file()
    assert user.find(marker="export-preset").elements.pop().value == "My square"


async def test_the_checks_show_in_the_summary_and_going_back_writes_nothing(
    user: User, tmp_path: Path
) -> None:
    seeded = seed_dataset(
        running().db, _images(tmp_path / "src", 3), ["novachorus one", "two", "novachorus three"]
    )
    target = tmp_path / "out"

    @ui.page("/export-checks-test")
    async def checks_page() -> None:
        from app.ui.exports.export_dialog import ExportDialog

        ExportDialog(running(), seeded.dataset_id, seeded.caption_set_id, {"export_path": str(target)}).open()

    await user.open("/export-checks-test")
    await user.should_see(marker="export-check-missing_trigger")
    await user.should_see("Captions without the trigger phrase 'novachorus': 1")
    await user.should_see("img1.jpg: caption: two")
    await user.should_see("Images smaller than the training resolution (1024 px on the long side): 3")
    user.find(marker="export-start").click()
    await user.should_see(marker="export-checks-confirm")
    user.find(marker="export-checks-fix").click()
    await user.should_not_see(marker="export-checks-confirm")
    assert not target.exists(), "going back to fix writes nothing"
    assert export_history.list_history(running().db) == []


async def test_the_summary_groups_findings_by_kind_and_opens_to_every_file(
    user: User, tmp_path: Path
) -> None:
    flags = [["blurry"]] * 5 + [["heavy_jpeg"]] * 2
    seeded = seed_dataset(running().db, _images(tmp_path / "src", 7), ["novachorus"] * 7, flags=flags)

    @ui.page("/export-checks-grouped")
    async def grouped_page() -> None:
        from app.ui.exports.export_dialog import ExportDialog

        ExportDialog(running(), seeded.dataset_id, seeded.caption_set_id, {"target_resolution": 256}).open()

    await user.open("/export-checks-grouped")
    await user.should_see(marker="export-check-flagged")
    check = user.find(marker="export-check-flagged").elements.pop()
    assert isinstance(check, ui.expansion) and check.value is False, "closed: one line per kind of finding"
    assert check.props["label"] == "⚠ Flagged images: 7"
    assert check.props["caption"] == "blurry 5 · heavy_jpeg 2"
    fix = [label.text for label in check.descendants() if "export-check-fix" in label._markers]
    assert fix == ["Leave them out under Captions and filters, or exclude them in the workspace."]
    listed = [
        label.text
        for label in check.descendants()
        if isinstance(label, ui.label) and "export-check-fix" not in label._markers
    ]
    assert listed == [f"img{i}.jpg: {'blurry' if i < 5 else 'heavy_jpeg'}" for i in range(7)], "every file"
    await user.should_not_see(marker="export-check-below_resolution")  # 320 px is enough at 256


async def test_a_caption_with_markup_is_shown_as_text_in_the_checks(user: User, tmp_path: Path) -> None:
    seeded = seed_dataset(running().db, _images(tmp_path / "src", 1), ["<b>bold</b> & <script>x</script>"])

    @ui.page("/export-checks-markup")
    async def markup_page() -> None:
        from app.ui.exports.export_dialog import ExportDialog

        ExportDialog(running(), seeded.dataset_id, seeded.caption_set_id).open()

    await user.open("/export-checks-markup")
    await user.should_see("img0.jpg: caption: <b>bold</b> & <script>x</script>")


async def test_changing_preset_keeps_the_size_the_user_typed(user: User, tmp_path: Path) -> None:
    seeded = seed_dataset(running().db, _images(tmp_path / "src", 1))
    result: list = []

    @ui.page("/export-preset-size")
    async def size_page() -> None:
        from app.ui.exports.export_dialog import ExportDialog

        dialog = ExportDialog(running(), seeded.dataset_id, seeded.caption_set_id)
        dialog.open()
        result.append(dialog)

    await user.open("/export-preset-size")
    await user.should_see(marker="export-summary-count")
    dialog = result[0]
    user.find(marker="export-resolution").elements.pop().set_value(768)
    for preset in ("kohya_ss", "huggingface", "generic"):
        dialog.preset_select.set_value(preset)
        assert dialog.values["preset"] == preset
        assert user.find(marker="export-resolution").elements.pop().value == 768, preset
        assert dialog.values["target_resolution"] == 768, preset
    assert dialog.values["caption_files"] is True, "the preset's own fields still change"
    await user.should_see("Images smaller than the training resolution (768 px on the long side): 1")


async def test_the_exports_page_opens_on_the_dataset_the_user_was_working_in(
    user: User, tmp_path: Path
) -> None:
    from nicegui import app

    seed_dataset(running().db, _images(tmp_path / "a", 1), name="Alpha")
    second = seed_dataset(running().db, _images(tmp_path / "b", 2), name="Beta")

    @ui.page("/remember-working")
    def remember() -> None:
        app.storage.user["workspace"] = {
            "dataset_id": second.dataset_id,
            "caption_set_id": second.caption_set_id,
        }
        ui.label("remembered")

    await user.open("/remember-working")
    await user.should_see("remembered")
    await user.open("/exports")
    assert user.find(marker="export-dataset").elements.pop().value == second.dataset_id
    assert user.find(marker="export-page-caption-set").elements.pop().value == second.caption_set_id
    user.find(marker="export-open").click()
    await user.should_see("Export Beta")
