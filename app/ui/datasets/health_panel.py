"""Dataset health charts; clicking a bar asks the grid to filter to those images."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import run, ui

from app.container import AppServices
from app.services.quality.dataset_health import dataset_health
from app.services.quality.quality_shapes import Health
from app.ui.a11y import labelled


class HealthPanel(ui.dialog):
    """Quality histogram, flags, aspect buckets, resolution spread and caption coverage/lengths as charts.

    on_filter receives a grid query such as "quality>=0.2 AND quality<0.3", "flag:blurry" or "bucket:832x1216".
    """

    def __init__(
        self,
        services: AppServices,
        dataset_id: str,
        caption_set_id: str | None,
        on_filter: Callable[[str], Any],
    ) -> None:
        super().__init__()
        self.services = services
        self.dataset_id = dataset_id
        self.caption_set_id = caption_set_id
        self.on_filter = on_filter
        with self, ui.card().classes("w-[1100px] max-w-[95vw]"):
            with ui.row().classes("w-full items-center"):
                ui.label("Dataset health").classes("text-lg font-semibold")
                ui.space()
                labelled(ui.button(icon="close", on_click=self.close).props("flat round"), "Close")
            self.body = ui.grid(columns=2).classes("w-full gap-4").mark("health-charts")

    async def load(self) -> Health:
        """Fetch the figures and draw the charts; returns the figures."""
        weight = self.services.settings["image_processing"]["measured_quality_weight"]
        health = await run.io_bound(
            dataset_health, self.services.db, self.dataset_id, self.caption_set_id, weight
        )
        self.body.clear()
        with self.body:
            if not health.file_count:
                ui.label("This dataset has no included images yet.").mark("health-empty")
                return health
            quality = [
                (f"{b.from_:.1f}", b.count, f"quality>={b.from_:.1f} AND quality<{b.to:.1f}")
                for b in health.quality_histogram
            ]
            self._bar("Quality (measured first, model second)", quality, "health-quality")
            self._bar("Flags", [(k, v, f"flag:{k}") for k, v in health.flags.items()], "health-flags")
            self._bar(
                "Aspect buckets (SDXL family, as exported: after crops)",
                [(k, v, f"bucket:{k}") for k, v in health.buckets.items()],
                "health-buckets",
            )
            self._bar(
                "Short side (px)",
                [(k, v, None) for k, v in health.short_side.items()],
                "health-resolution",
            )
            self._bar(
                "Captioned per set",
                [(c.name, c.captioned, None) for c in health.coverage],
                "health-coverage",
                total=health.file_count,
            )
            self._bar(
                "Caption length (characters)",
                [(k, v, None) for k, v in health.caption_lengths.items()],
                "health-lengths",
            )
        return health

    def _bar(
        self, title: str, bars: list[tuple[str, int, str | None]], marker: str, total: int | None = None
    ) -> None:
        queries = [query for _, _, query in bars]
        options = {
            "title": {"text": title, "textStyle": {"fontSize": 13}},
            "tooltip": {},
            "grid": {"left": 40, "right": 10, "top": 35, "bottom": 40},
            "xAxis": {
                "type": "category",
                "data": [label for label, _, _ in bars],
                "axisLabel": {"rotate": 30},
            },
            "yAxis": {"type": "value", "max": total},
            "series": [
                {"type": "bar", "data": [count for _, count, _ in bars], "itemStyle": {"color": "#f59e0b"}}
            ],
        }
        chart = ui.echart(options).classes("h-56 w-full").mark(marker)
        chart.on_point_click(lambda event: self._clicked(queries[event.data_index]))

    def _clicked(self, query: str | None) -> None:
        if query:
            self.on_filter(query)
            self.close()
