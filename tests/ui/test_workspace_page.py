"""The workspace page under NiceGUI's user fixture."""

from nicegui.testing import User


async def test_empty_workspace_says_what_to_do_first(user: User) -> None:
    await user.open("/")
    await user.should_see(marker="app-name")
    await user.should_see("No datasets yet")
    await user.should_see(marker="grid-empty")
    await user.should_see(marker="editor-empty")
    await user.should_see(marker="nav-folders")
