"""Under the user fixture: no page registers NiceGUI's unprotectable auto routes; the Access section works."""

from __future__ import annotations

from nicegui import app, ui
from nicegui.testing import User

from app.ui.layout import NAV
from app.ui.settings.access_settings import AccessSettings
from tests.app_services import running


async def test_opening_every_page_registers_no_auto_static_routes(user: User) -> None:
    await user.open("/")
    pages = {getattr(route, "path", "") for route in app.routes}
    for _label, path, _icon in NAV:
        if path in pages:
            await user.open(path)
    auto = [route.path for route in app.routes if getattr(route, "path", "").startswith("/_nicegui/auto/")]
    assert auto == [], "ui.image/ui.video with a Path registers routes outside our own file routes"


async def test_access_section_shows_the_masked_token_and_rotates_it(user: User) -> None:
    @ui.page("/access-section")
    def _page() -> None:
        AccessSettings(running().access)

    await user.open("/access-section")
    guard = running().access
    old = guard.token
    await user.should_see(marker="access-mode")
    await user.should_see("Only this computer can open CaptionForge")
    token_input = user.find(marker="access-token").elements.pop()
    assert token_input.value == old and token_input.props.get("type") == "password"
    user.find(marker="access-rotate").click()
    await user.should_see(marker="access-rotate-confirm")
    user.find(marker="access-rotate-confirm").click()
    await user.should_see("The access token was rotated.")
    assert guard.token != old
    assert (guard.data_dir / "access_token").read_text().strip() == guard.token
    assert token_input.value == guard.token
