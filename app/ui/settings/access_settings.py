"""Settings → Access: how other computers reach this CaptionForge, the access token, and rotating it."""

from __future__ import annotations

import asyncio
import logging

from nicegui import app, background_tasks, context, core, run, ui
from nicegui.client import Client

from app.access_token import AccessGuard
from app.ui.a11y import labelled

log = logging.getLogger("app.access")
ROTATE_WARNING = (
    "Every other browser is signed out and API clients need the new token. This browser stays signed in."
)


class AccessSettings(ui.column):
    """The LAN mode, the addresses to open, the token (masked, reveal/copy) and a Rotate button."""

    def __init__(self, guard: AccessGuard) -> None:
        super().__init__()
        self.guard = guard
        self.classes("gap-2 w-full").mark("access-settings")
        with self:
            ui.label("Access").classes("text-lg font-semibold")
            if self.guard.enabled:
                ui.label("LAN mode is on: every request, from any computer, needs the access token.").mark(
                    "access-mode"
                )
                self._links()
            else:
                ui.label(
                    "Only this computer can open CaptionForge (it listens on 127.0.0.1). Start it with "
                    "./start.sh --lan to work from another computer; it will then ask for this token."
                ).classes("text-sm text-slate-600").mark("access-mode")
            with ui.row().classes("items-center gap-2 w-full no-wrap"):
                self.token_input = (
                    ui.input(
                        "Access token", value=self.guard.token, password=True, password_toggle_button=True
                    )
                    .props("readonly")
                    .classes("grow font-mono")
                    .mark("access-token")
                )
                labelled(
                    ui.button(icon="content_copy", on_click=lambda: self._copy(self.guard.token)).props(
                        "flat round"
                    ),
                    "Copy the token",
                ).mark("access-copy")
            rotate = ui.button("Rotate token", icon="autorenew", on_click=self._confirm_rotate).mark(
                "access-rotate"
            )
            if self.guard.from_env:
                rotate.disable()
                ui.label("The token is set by CAPTIONFORGE_TOKEN: change it there and restart.").classes(
                    "text-sm text-slate-600"
                )

    @ui.refreshable_method
    def _links(self) -> None:
        urls = sorted(app.urls, key=lambda u: ("localhost" in u, u))
        if not urls:
            ui.label("No network address found yet.").classes("text-sm")
        for url in urls:
            with ui.row().classes("items-center gap-1"):
                ui.label(f"{url.rstrip('/')}/?token=…").classes("font-mono text-sm").mark("access-url")
                labelled(
                    ui.button(
                        icon="link",
                        on_click=lambda u=url: self._copy(f"{u.rstrip('/')}/?token={self.guard.token}"),
                    ).props("flat round dense"),
                    "Copy this link with the token",
                )

    def _copy(self, text: str) -> None:
        ui.clipboard.write(text)
        ui.notify("Copied (browsers allow copying only on https or localhost; else reveal and copy by hand).")

    async def _confirm_rotate(self) -> None:
        with ui.dialog() as dialog, ui.card():
            ui.label("Rotate the access token?").classes("text-lg font-semibold")
            ui.label(ROTATE_WARNING)
            with ui.row().classes("justify-end w-full"):
                ui.button("Cancel", on_click=lambda: dialog.submit(False)).props("flat")
                ui.button("Rotate", on_click=lambda: dialog.submit(True)).props("color=negative").mark(
                    "access-rotate-confirm"
                )
        confirmed = await dialog
        dialog.delete()
        if confirmed:
            await self.rotate()

    async def rotate(self) -> None:
        """New token; other clients lose their sockets; this browser gets a fresh cookie via ?token=."""
        new = await run.io_bound(self.guard.rotate)
        self.token_input.value = new
        if self.guard.enabled:  # this page reloads through ?token=<new>, which sets its new cookie
            _sign_out_other_clients(context.client)
            ui.navigate.to(f"{context.client.page.path}?token={new}")
        else:
            ui.notify("The access token was rotated.", type="positive")


def _sign_out_other_clients(keep: Client) -> None:
    """Reload every other page (its cookie is now invalid, so it lands on the login page); sockets that
    ignore the reload are cut, and their reconnect fails at the access middleware."""
    others = [client for client in Client.instances.values() if client is not keep]
    for client in others:
        with client:
            ui.navigate.reload()

    async def disconnect() -> None:
        await asyncio.sleep(1)  # let the reload message go out first
        for client in others:
            # NiceGUI keeps the socket ids privately; there is no public "disconnect this client".
            for sid in list(getattr(client, "_socket_to_document_id", {})):
                await core.sio.disconnect(sid)

    background_tasks.create(disconnect(), name="sign out after token rotation")
