"""Folder allow-lists: inside passes (resolved), outside is refused with a message, symlinks cannot escape."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import Forbidden, Invalid
from app.services.paths import allowed_roots, ensure_allowed, is_allowed


def test_inside_a_root_returns_the_resolved_path(tmp_path: Path):
    (tmp_path / "root" / "photos").mkdir(parents=True)
    roots = [tmp_path / "root"]
    assert ensure_allowed(f"{tmp_path}/root/photos/../photos", roots) == tmp_path / "root" / "photos"
    assert ensure_allowed(tmp_path / "root", roots) == tmp_path / "root"


def test_outside_every_root_is_forbidden_with_a_readable_message(tmp_path: Path):
    (tmp_path / "root").mkdir()
    with pytest.raises(Forbidden) as refused:
        ensure_allowed(tmp_path / "elsewhere", [tmp_path / "root"])
    assert "allowed_folders" in str(refused.value) and str(tmp_path / "root") in str(refused.value)
    assert refused.value.http_status == 403
    with pytest.raises(Forbidden):
        ensure_allowed(f"{tmp_path}/root/../elsewhere", [tmp_path / "root"])
    with pytest.raises(Forbidden, match="root2"):
        ensure_allowed(tmp_path / "root2", [tmp_path / "root"]), "a prefix of the name is not a parent"


def test_a_symlink_inside_a_root_cannot_lead_outside(tmp_path: Path):
    (tmp_path / "root").mkdir()
    (tmp_path / "secret").mkdir()
    (tmp_path / "root" / "link").symlink_to(tmp_path / "secret")
    with pytest.raises(Forbidden):
        ensure_allowed(tmp_path / "root" / "link", [tmp_path / "root"])


@pytest.mark.parametrize("bad", ["", "   ", "relative/folder", "/tmp/a\0b"])
def test_empty_relative_or_broken_paths_are_invalid(bad: str, tmp_path: Path):
    with pytest.raises(Invalid):
        ensure_allowed(bad, [tmp_path])


def test_roots_default_to_home_in_lan_mode_and_everything_locally(settings):
    assert allowed_roots(settings) == [Path(Path.home().anchor)]
    settings["server"]["lan"] = True
    assert allowed_roots(settings) == [Path.home().resolve()]
    settings["server"]["native"] = True
    assert allowed_roots(settings) == [Path(Path.home().anchor)], "the native window never serves the LAN"


def test_configured_roots_apply_in_every_mode(settings, tmp_path: Path):
    settings["server"]["allowed_folders"] = [str(tmp_path / "a"), "~/pictures", " "]
    assert allowed_roots(settings) == [(tmp_path / "a").resolve(), (Path.home() / "pictures").resolve()]


def test_is_allowed_for_listings(tmp_path: Path):
    assert is_allowed(tmp_path / "a" / "b", [tmp_path / "a"])
    assert not is_allowed(tmp_path, [tmp_path / "a"])


def test_lan_users_cannot_widen_their_access_through_settings(settings, tmp_path: Path):
    from app.services.paths import check_settings_patch

    check_settings_patch(settings, {"server": {"allowed_folders": ["/"]}})  # local use: the host's own user
    settings["server"]["lan"] = True
    settings["server"]["allowed_folders"] = [str(tmp_path)]
    for patch in ({"server": {"allowed_folders": ["/"]}}, {"database": {"url": "sqlite:////tmp/x.db"}}):
        with pytest.raises(Forbidden, match="only be changed on the host"):
            check_settings_patch(settings, patch)
    check_settings_patch(settings, {"server": dict(settings["server"]), "vision": {"model": "x"}})
    with pytest.raises(Forbidden):
        check_settings_patch(settings, {"export": {"default_path": "/etc"}})
    check_settings_patch(settings, {"export": {"default_path": str(tmp_path / "out")}})
