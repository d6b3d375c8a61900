"""Accessible names for icon-only controls: an aria-label (what screen readers say) and the same tooltip."""

from __future__ import annotations

from typing import TypeVar

from nicegui import ui

E = TypeVar("E", bound=ui.element)


def labelled(element: E, label: str, *, tooltip: bool = True) -> E:
    """Give an icon-only button (or slider, icon) `label` as aria-label and, unless told not to, as tooltip."""
    element._props["aria-label"] = label  # set directly: no quoting rules of .props() strings to meet
    element.update()
    if tooltip:
        element.tooltip(label)
    return element
