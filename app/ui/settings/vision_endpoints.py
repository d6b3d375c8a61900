"""Settings → Extra vision servers: more machines a caption job spreads its images over, each with its own
parallel slots and a Check button; saved to settings.yaml as vision.endpoints."""

from __future__ import annotations

import copy
from typing import Any

from nicegui import run, ui

from app.config import Settings
from app.errors import CaptionForgeError
from app.services.caption_jobs.caption_job_plan import normalize_endpoints
from app.services.system import update_config
from app.ui.a11y import labelled
from app.vision.client import check_connection


class VisionEndpoints(ui.column):
    """The list of extra servers: URL, parallel requests, Check, Remove; Add server and Save below."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.rows: list[dict[str, Any]] = [
            {"url": entry["url"], "parallel": entry["parallel"]}
            for entry in normalize_endpoints(self.settings["vision"].get("endpoints") or [])
        ]
        self.results: list[ui.label] = []  # the Check answer under each row (rebuilt by _render)
        self.classes("gap-2 w-full").mark("vision-endpoints")
        with self:
            ui.label("Extra servers for caption jobs").classes("text-lg font-semibold")
            ui.label(
                "A caption job sends images to the server above and to each of these at once (same backend "
                "and model). A server that stops answering is dropped from the run; the others carry on."
            ).classes("text-sm text-gray-600")
            self.list = ui.column().classes("gap-2 w-full")
            with ui.row().classes("gap-2"):
                ui.button("Add server", icon="add", on_click=self.add).props("outline").mark("endpoint-add")
                ui.button("Save servers", icon="save", on_click=self.save).mark("endpoints-save")
        self._render()

    def add(self) -> None:
        self.rows.append({"url": "", "parallel": 1})
        self._render()

    def remove(self, index: int) -> None:
        del self.rows[index]
        self._render()

    async def save(self) -> None:
        try:
            entries = normalize_endpoints(
                [{"url": row["url"] or "", "parallel": row["parallel"] or 1} for row in self.rows]
            )
            await run.io_bound(update_config, self.settings, {"vision": {"endpoints": entries}})
        except CaptionForgeError as exc:
            ui.notify(str(exc), type="negative", multi_line=True)
            return
        self.rows = [dict(entry) for entry in entries]
        self._render()
        count = len(entries)
        ui.notify(f"Saved {count} extra server{'s' if count != 1 else ''}", type="positive")

    async def check(self, index: int) -> None:
        """Ask this server what the Test connection button asks the main one; the answer goes under its row."""
        result = self.results[index]
        url = (self.rows[index]["url"] or "").strip()
        if not url:
            result.text = "Enter the server's address first."
            return
        result.text = "Checking…"
        values = copy.deepcopy(self.settings.values)
        values["vision"]["base_url"] = url
        settings = Settings(self.settings.data_dir, self.settings.config_path, values)
        checks = await check_connection(settings)
        failed = next((c for c in checks if not c.ok), None)
        result.text = f"✗ {failed.detail}" if failed else "✓ " + "; ".join(c.detail for c in checks)
        result.classes(replace="text-sm " + ("text-negative" if failed else "text-positive"))

    def _render(self) -> None:
        self.list.clear()
        self.results = []
        with self.list:
            if not self.rows:
                ui.label("No extra servers: caption jobs use the server above only.").classes(
                    "text-sm text-gray-500"
                ).mark("endpoints-empty")
            for index, row in enumerate(self.rows):
                with ui.column().classes("w-full gap-0").mark(f"endpoint-{index}"):
                    with ui.row().classes("w-full items-center gap-3 no-wrap"):
                        ui.input("Server URL", placeholder="http://gpu2:11434").bind_value(
                            row, "url"
                        ).classes("grow").mark(f"endpoint-url-{index}")
                        ui.number("Parallel requests", min=1, max=32, step=1, precision=0).bind_value(
                            row, "parallel"
                        ).classes("w-40").mark(f"endpoint-parallel-{index}")
                        ui.button(
                            "Check", icon="network_check", on_click=lambda i=index: self.check(i)
                        ).props("flat").mark(f"endpoint-check-{index}")
                        labelled(
                            ui.button(icon="delete", on_click=lambda i=index: self.remove(i)).props(
                                "flat round"
                            ),
                            "Remove this server",
                        ).mark(f"endpoint-remove-{index}")
                    self.results.append(ui.label("").classes("text-sm").mark(f"endpoint-result-{index}"))
