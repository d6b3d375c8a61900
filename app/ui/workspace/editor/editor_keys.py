"""Keyboard shortcuts of the caption editor, inside the textarea and on the rest of the page.

Inside the editor's fields (the caption textarea and the tag box) Vue's key modifiers do the work (and stop the browser's own Ctrl+S dialog);
Ctrl+Z stays the textarea's own undo. Elsewhere a ui.keyboard handles the same moves, except when
another input has the focus.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui
from nicegui.events import KeyEventArguments

Action = Callable[[], Awaitable[object] | object]
Move = Callable[[int], Awaitable[None]]

# Stops the browser's "save page" dialog for Ctrl/Cmd+S anywhere on the workspace.
_PREVENT_SAVE_PAGE = """
document.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 's') e.preventDefault();
});
"""


def bind_editor_keys(
    fields: list[ui.element], *, save: Action, save_and_next: Action, move: Move, escape: Action
) -> None:
    """Ctrl+S, Ctrl+Enter, Alt+←/→, PageUp/PageDown and Esc on every field of the editor and the page."""
    for field in fields:
        for modifier in ("ctrl", "meta"):
            field.on(f"keydown.{modifier}.s.prevent", save)
            field.on(f"keydown.{modifier}.enter.prevent", save_and_next)
        field.on("keydown.alt.left.prevent", lambda: move(-1))
        field.on("keydown.alt.right.prevent", lambda: move(1))
        field.on("keydown.page-up.prevent", lambda: move(-1))
        field.on("keydown.page-down.prevent", lambda: move(1))
        field.on("keydown.esc", escape)
    ui.add_body_html(f"<script>{_PREVENT_SAVE_PAGE}</script>")

    async def page_key(event: KeyEventArguments) -> None:
        if not event.action.keydown:
            return
        key, mods = event.key, event.modifiers
        if (mods.ctrl or mods.meta) and key.name.lower() == "s":
            await _call(save)
        elif (mods.alt and key.arrow_left) or key.page_up:
            await move(-1)
        elif (mods.alt and key.arrow_right) or key.page_down:
            await move(1)
        elif key.escape:
            await _call(escape)

    ui.keyboard(on_key=page_key, repeating=False)


async def _call(action: Action) -> None:
    result = action()
    if hasattr(result, "__await__"):
        await result
