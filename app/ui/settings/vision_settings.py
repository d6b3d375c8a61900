"""Settings → Vision: backend, URL, curated or custom model with status and Download, Test connection,
generation limits; saved to settings.yaml."""

from __future__ import annotations

import copy
from typing import Any

from nicegui import run, ui

from app.config import Settings
from app.container import AppServices
from app.errors import CaptionForgeError
from app.services.system import update_config
from app.services.vision_models.vision_model_shapes import ModelRow
from app.ui.a11y import labelled
from app.ui.settings.model_download import ModelDownloadDialog
from app.vision.availability import model_statuses
from app.vision.catalog import DEFAULT_URLS, find_model, load_catalog
from app.vision.client import check_connection

BACKENDS = {"ollama": "Ollama", "openai": "LM Studio / OpenAI-compatible"}
BADGE_COLORS = {
    "ready": "positive",
    "not_downloaded": "warning",
    "unreachable": "negative",
    "unknown": "grey",
}
NUMBERS = (  # key, label, min, max, step
    ("max_tokens", "Max tokens", 64, 32768, 64),
    ("temperature", "Temperature", 0, 2, 0.05),
    ("connect_timeout", "Connect timeout (s)", 1, 120, 1),
    ("read_timeout", "Read timeout (s, includes model load)", 10, 7200, 10),
    ("max_image_megapixels", "Max image size (megapixels)", 0.1, 12, 0.1),
    ("parallel_requests", "Parallel requests", 1, 32, 1),
    ("num_ctx", "Context length (Ollama)", 2048, 262144, 1024),
)


class VisionSettings(ui.column):
    """The vision section of the Settings page."""

    def __init__(self, services: AppServices) -> None:
        super().__init__()
        self.services = services
        self.form: dict[str, Any] = copy.deepcopy(self.services.settings["vision"])
        self.catalog = load_catalog(self.services.settings.data_dir)
        curated = find_model(self.catalog, self.form["model"])
        self.mode = "curated" if curated else "custom"
        self.curated_id = curated.id if curated else self.catalog[0].id
        self.statuses: dict[str, ModelRow] = {}
        self.error: str | None = None
        self.classes("gap-3 w-full").mark("vision-settings")
        with self:
            ui.label("Vision model").classes("text-lg font-semibold")
            ui.radio(BACKENDS, value=self.form["backend"], on_change=self._backend_changed).props(
                "inline"
            ).mark("vision-backend")
            with ui.row().classes("w-full gap-3 no-wrap"):
                self.url = ui.input("Server URL").bind_value(self.form, "base_url").classes("grow")
                self.url.mark("vision-base-url")
                self.api_key = ui.input("API key (optional)", password=True, password_toggle_button=True)
                self.api_key.bind_value(self.form, "api_key").classes("w-64").mark("vision-api-key")
            self._model_picker()
            with ui.grid(columns=3).classes("w-full gap-3"):
                for key, label, low, high, step in NUMBERS:
                    ui.number(label, min=low, max=high, step=step).bind_value(self.form, key).mark(
                        f"vision-{key}"
                    )
            with ui.row().classes("gap-2"):
                ui.button("Save", icon="save", on_click=self.save).mark("vision-save")
                ui.button("Test connection", icon="network_check", on_click=self.test).props("outline").mark(
                    "vision-test"
                )
            self.results = ui.column().classes("gap-1").mark("vision-test-results")
        self._sync_visibility()
        ui.timer(0.1, self.refresh_status, once=True)

    def _model_picker(self) -> None:
        with ui.row().classes("items-center gap-3 w-full"):
            ui.radio({"curated": "Curated model", "custom": "Custom model name"}, value=self.mode).props(
                "inline"
            ).bind_value(self, "mode").on_value_change(self._sync_visibility).mark("vision-model-mode")
        with ui.row().classes("items-center gap-3 w-full no-wrap cf-wrap-narrow"):
            self.select = ui.select(self._options(), value=self.curated_id, on_change=self._curated_changed)
            self.select.classes("grow").mark("vision-model-select")
            self.custom = ui.input("Model name", placeholder="e.g. qwen3-vl:4b-instruct-q8_0").classes("grow")
            self.custom.mark("vision-custom-model")
            if self.mode == "custom":
                self.custom.value = self.form["model"]
            self.badge = ui.badge("Not checked", color="grey").mark("vision-model-status")
            self.download = ui.button("Download", icon="download", on_click=self.start_download).props(
                "outline"
            )
            self.download.mark("vision-download")
            labelled(
                ui.button(icon="refresh", on_click=self.refresh_status).props("flat round"),
                "Check which models the server has",
            ).mark("vision-refresh")
        self.hint = ui.label("").classes("text-sm text-gray-600").mark("vision-model-hint")

    def model_name(self) -> str:
        """The model the form selects, as the backend names it."""
        if self.mode == "custom":
            return (self.custom.value or "").strip()
        curated = find_model(self.catalog, self.curated_id)
        return (curated.model_name(self.form["backend"]) if curated else None) or self.curated_id

    def draft_settings(self) -> Settings:
        """The saved settings with this form's (unsaved) vision values: what Test and Download use."""
        values = copy.deepcopy(self.services.settings.values)
        values["vision"].update(self.form, model=self.model_name())
        if self.form.get("api_key") == "********":
            values["vision"]["api_key"] = self.services.settings["vision"]["api_key"]
        return Settings(self.services.settings.data_dir, self.services.settings.config_path, values)

    async def save(self) -> None:
        patch = {k: v for k, v in self.form.items() if k != "endpoints"}
        patch["model"] = self.model_name()
        if not patch["model"]:
            ui.notify("Enter a model name first.", type="warning")
            return
        try:
            await run.io_bound(update_config, self.services.settings, {"vision": patch})
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        ui.notify("Vision settings saved", type="positive")
        await self.refresh_status()

    async def test(self) -> None:
        self.results.clear()
        with self.results:
            ui.spinner(size="sm")
        checks = await check_connection(self.draft_settings(), self.model_name())
        self.results.clear()
        with self.results:
            for check in checks:
                with ui.row().classes("items-center gap-2 no-wrap").mark(f"check-{check.check.lower()}"):
                    ok = check.ok
                    ui.icon("check_circle" if ok else "error", color="positive" if ok else "negative")
                    ui.label(f"{check.check}: {check.detail}").classes("text-sm")

    async def refresh_status(self) -> None:
        body = await model_statuses(self.draft_settings(), self.services.db, refresh=True)
        self.statuses = {m.model_name: m for m in body.models if m.model_name}
        self.error = body.error
        if not self.select.is_deleted:
            self.select.set_options(self._options(), value=self.curated_id)
            self._show_status()

    async def start_download(self) -> None:
        dialog = ModelDownloadDialog(self.services.downloads, self.draft_settings(), self.model_name())
        result = await dialog
        dialog.delete()
        if result == "success":
            await self.refresh_status()

    def _show_status(self) -> None:
        name = self.model_name()
        row = self.statuses.get(name)
        status = row.status if row else ("unreachable" if self.error else "unknown")
        if row is None and self.statuses and status != "unreachable":
            status = "unknown"
        labels = {"ready": "Ready", "not_downloaded": "Not downloaded", "unreachable": "Backend unreachable"}
        self.badge.text = labels.get(status, "Not checked")
        self.badge.props(f"color={BADGE_COLORS[status]}")
        self.download.visible = status == "not_downloaded" or (status == "unknown" and bool(name))
        self.hint.text = self.error or ""

    def _options(self) -> dict[str, str]:
        options = {}
        for model in self.catalog:
            name = model.model_name(self.form["backend"]) or model.id
            row = self.statuses.get(name)
            status = row.status_label if row else ""
            vram = f" · {model.vram_mb / 1000:.0f} GB VRAM" if model.vram_mb else ""
            options[model.id] = f"{model.name} ({name}){vram}" + (f" · {status}" if status else "")
        return options

    def _curated_changed(self, event: Any) -> None:
        self.curated_id = event.value
        self._show_status()

    def _backend_changed(self, event: Any) -> None:
        old = self.form["backend"]
        self.form["backend"] = event.value
        if self.form["base_url"].rstrip("/") in ("", DEFAULT_URLS[old]):
            self.form["base_url"] = self.url.value = DEFAULT_URLS[event.value]
        self.statuses = {}
        self._sync_visibility()
        self.select.set_options(self._options(), value=self.curated_id)
        ui.timer(0.01, self.refresh_status, once=True)

    def _sync_visibility(self) -> None:
        self.select.visible = self.mode == "curated"
        self.custom.visible = self.mode == "custom"
        self.api_key.visible = self.form["backend"] == "openai"
        self._show_status()
