"""ServiceDialog: the base of dialogs that act through a service and show a failure inline, staying open."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import run, ui

from app.errors import CaptionForgeError


class ServiceDialog(ui.dialog):
    """Subclasses call `error_line()` in their card, `buttons(...)` at its foot, and `await attempt(...)`.

    One dialog per question: it removes itself once answered or dismissed (a closed dialog is only hidden).
    """

    def __init__(self) -> None:
        super().__init__()
        self.on("hide", self._discard)

    def submit(self, result: Any) -> None:
        """Answer the awaiting caller, then go away (the answer still reaches the caller after deletion)."""
        super().submit(result)
        self._discard()

    def error_line(self, marker: str) -> ui.label:
        """The hidden line that shows what went wrong (duplicate name, too long, ...)."""
        self.error = ui.label().classes("text-sm text-negative").mark(marker)
        self.error.set_visibility(False)
        return self.error

    def buttons(
        self,
        label: str,
        on_click: Callable[[], Any],
        marker: str,
        *,
        cancel_marker: str | None = None,
        icon: str | None = None,
        danger: bool = False,
    ) -> None:
        """Cancel (answers None) and the action button, right-aligned."""
        with ui.row().classes("w-full justify-end gap-2"):
            cancel = ui.button("Cancel", on_click=lambda: self.submit(None)).props("flat")
            cancel.mark(cancel_marker or f"{marker}-cancel")
            button = ui.button(label, icon=icon, on_click=on_click).mark(marker)
            if danger:
                button.props("color=negative")

    async def attempt(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[bool, Any]:
        """Run a service call in a thread: (True, result), or (False, None) with the error shown."""
        try:
            return True, await run.io_bound(function, *args, **kwargs)
        except CaptionForgeError as exc:
            self.error.set_text(str(exc))
            self.error.set_visibility(True)
            return False, None

    def _discard(self) -> None:
        if not self.is_deleted:
            self.delete()
