"""The editor's Generate dialog: caption one image with its caption set's settings, show the caption,
the model's quality opinion and the time taken; Accept returns the result, Discard returns None."""

from __future__ import annotations

from nicegui import background_tasks, ui

from app.container import AppServices
from app.errors import CaptionForgeError
from app.vision.client import CaptionResult
from app.vision.errors import ModelNotFound
from app.vision.reachability import SETTINGS_URL, ServerNotReady, forget_checks
from app.vision.single import generate_for_file


class GenerateDialog(ui.dialog):
    """`result = await GenerateDialog(services, file_id, caption_set_id)`: the accepted CaptionResult (its caption as
    the user left it in the text box) or None. Saving it is the caller's job (source="generated")."""

    def __init__(
        self, services: AppServices, file_id: str, caption_set_id: str | None = None, **overrides
    ) -> None:
        super().__init__()
        self.services = services
        self.file_id, self.caption_set_id, self.overrides = file_id, caption_set_id, overrides
        self.result: CaptionResult | None = None
        with self, ui.card().classes("w-[36rem] gap-2").mark("generate-dialog"):
            ui.label("Generate caption").classes("text-lg font-semibold")
            with ui.row().classes("items-center gap-2").mark("generate-busy") as self.busy:
                ui.spinner(size="md")
                ui.label(f"Asking {services.settings['vision']['model']}… (the first call loads the model)")
            self.error = ui.label("").classes("text-red-700 whitespace-pre-wrap").mark("generate-error")
            self.settings_link = ui.link("Open Settings", SETTINGS_URL).mark("generate-settings-link")
            self.settings_link.visible = False
            self.caption = (
                ui.textarea("Caption").classes("w-full").props("autogrow").mark("generated-caption")
            )
            self.quality = ui.label("").classes("text-sm").mark("generated-quality")
            self.flags = ui.label("").classes("text-sm text-amber-700").mark("generated-flags")
            self.timing = ui.label("").classes("text-sm text-gray-600").mark("generated-time")
            with ui.row().classes("w-full justify-end gap-2"):
                self.retry = ui.button("Retry", icon="refresh", on_click=self._retry).props("flat")
                self.retry.mark("generate-retry")
                ui.button("Discard", on_click=lambda: self.submit(None)).props("flat").mark(
                    "generate-discard"
                )
                self.accept = ui.button("Accept", icon="check", on_click=self._accept).mark("generate-accept")
        self._start()

    def _retry(self) -> None:
        forget_checks()  # the user may have just started the server
        self._start()

    def _start(self) -> None:
        self.result = None
        self.busy.visible, self.error.text, self.settings_link.visible = True, "", False
        for element in (self.caption, self.accept, self.retry):
            element.visible = False
        self.quality.text = self.flags.text = self.timing.text = ""
        background_tasks.create(self._generate(), name="generate caption")

    async def _generate(self) -> None:
        try:
            result = await generate_for_file(
                self.services.core, self.file_id, self.caption_set_id, **self.overrides
            )
        except CaptionForgeError as exc:
            if not self.is_deleted:
                self.busy.visible, self.retry.visible = False, True
                self.error.text = str(exc)
                self.settings_link.visible = isinstance(exc, (ServerNotReady, ModelNotFound))
            return
        if self.is_deleted:
            return
        self.result = result
        self.busy.visible = False
        self.caption.value, self.caption.visible = result.caption, True
        self.accept.visible = self.retry.visible = True
        details = ", ".join(f"{k} {v:.2f}" for k, v in result.quality_details.items())
        self.quality.text = f"Quality: {details}" if details else "Quality: the model gave no opinion"
        self.flags.text = f"Flags: {', '.join(result.flags)}" if result.flags else ""
        self.timing.text = (
            f"Took {result.processing_time_ms / 1000:.1f} s with {result.model} ({result.backend})"
        )

    def _accept(self) -> None:
        if self.result is not None:
            self.result.caption = (self.caption.value or "").strip()
        self.submit(self.result)
