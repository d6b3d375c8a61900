"""Auto-caption a caption set (or a selection of it) in the background: options, then a summary of what
will be captioned and skipped with an estimated time, then Start.

    job = await start_auto_caption(services, caption_set_id, file_ids=None)   # the queued job, or None
"""

from __future__ import annotations

from typing import Any

from nicegui import background_tasks, run, ui

from app.container import AppServices
from app.errors import CaptionForgeError
from app.services.caption_jobs import caption_jobs
from app.services.caption_jobs.caption_job_plan import job_endpoints, plan_job
from app.services.caption_jobs.caption_job_shapes import CaptionJobPlan, QueuedCaptionJob
from app.services.captions import caption_sets
from app.services.captions.caption_shapes import CaptionSet
from app.services.vision_models.vision_models import cached_availability
from app.ui.jobs.job_progress import format_duration
from app.vision.reachability import SETTINGS_URL, server_problem

DEFAULT_THRESHOLD = 0.7


async def start_auto_caption(
    services: AppServices, caption_set_id: str | None, file_ids: list[str] | None = None
) -> QueuedCaptionJob | None:
    """Open the dialog for a caption set (and optionally a selection); returns the started job or None."""
    if not caption_set_id:
        ui.notify(
            "Choose or create a caption set first: captions are written into a caption set.", type="warning"
        )
        return None
    if file_ids is not None and not file_ids:
        ui.notify("Select some images first.", type="warning")
        return None
    try:
        caption_set = await run.io_bound(caption_sets.get_caption_set, services.db, caption_set_id)
        cached = await run.io_bound(cached_availability, services.db, services.settings["vision"]["backend"])
    except CaptionForgeError as exc:
        ui.notify(str(exc), type="negative")
        return None
    models = [services.settings["vision"]["model"], caption_set.vision_model]
    models += sorted(name for name, row in cached.items() if row.is_available)
    dialog = AutoCaptionDialog(
        services, caption_set, file_ids, models=[m for m in dict.fromkeys(models) if m]
    )
    job = await dialog
    dialog.delete()
    return job


class AutoCaptionDialog(ui.dialog):
    """Awaited: the queued job when the user pressed Start, else None."""

    def __init__(
        self,
        services: AppServices,
        caption_set: CaptionSet,
        file_ids: list[str] | None = None,
        models: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.caption_set, self.file_ids = caption_set, file_ids
        self.plan: dict[str, Any] | None = None
        self._asked = 0
        vision = services.settings["vision"]
        scope = f"{len(file_ids)} selected images" if file_ids is not None else "all images of the dataset"
        with self, ui.card().classes("w-[34rem] gap-3").mark("auto-caption-dialog"):
            ui.label(f"Auto-caption “{caption_set.name}”").classes("text-lg font-semibold")
            ui.label(f"Captions {scope} in the background; you can keep working.").classes(
                "text-sm text-gray-600"
            )
            self._build_model(caption_set, vision, models)
            self._build_overwrite()
            self._build_threshold()
            self._build_prompt_and_parallel(caption_set, vision)
            self._build_footer()
        self.start.disable()
        self.open()
        self._replan()

    def _build_model(self, caption_set: CaptionSet, vision: dict[str, Any], models: list[str] | None) -> None:
        """The vision model choice (the set's or the default first)."""
        model = caption_set.vision_model or vision["model"]
        self.model = ui.select(
            list(dict.fromkeys([model, *(models or [])])),
            label="Vision model",
            value=model,
            with_input=True,
            new_value_mode="add-unique",
        ).classes("w-full")
        self.model.mark("auto-model").on_value_change(self._replan)

    def _build_overwrite(self) -> None:
        """Whether existing captions, and those edited by hand, are replaced."""
        self.overwrite = ui.switch("Overwrite existing captions", on_change=self._replan).mark(
            "auto-overwrite"
        )
        self.overwrite_manual = ui.checkbox("Also replace captions edited by hand", on_change=self._replan)
        self.overwrite_manual.classes("pl-10").mark("auto-overwrite-manual").bind_visibility_from(
            self.overwrite, "value"
        )

    def _build_threshold(self) -> None:
        """The optional quality bound below which captions are regenerated."""
        with ui.row().classes("items-center gap-3 no-wrap cf-wrap-narrow"):
            self.use_threshold = ui.switch("Regenerate when quality is below", on_change=self._replan)
            self.use_threshold.mark("auto-use-threshold")
            self.threshold = ui.number(value=DEFAULT_THRESHOLD, min=0, max=1, step=0.05, format="%.2f")
            self.threshold.classes("w-24").mark("auto-threshold").on_value_change(self._replan)
            self.threshold.bind_enabled_from(self.use_threshold, "value")

    def _build_prompt_and_parallel(self, caption_set: CaptionSet, vision: dict[str, Any]) -> None:
        """The custom prompt and the number of parallel requests."""
        self.prompt = ui.textarea(
            "Custom prompt (optional)",
            placeholder=caption_set.generation_prompt or "The caption set's style prompt is used",
        )
        self.prompt.props("autogrow").classes("w-full").mark("auto-prompt")
        with ui.row().classes("items-center gap-3"):
            self.parallel = ui.number(
                "Parallel requests", value=vision.get("parallel_requests") or 1, min=1, max=16
            )
            self.parallel.classes("w-40").mark("auto-parallel").on_value_change(self._replan)
            extra = len(job_endpoints(vision)) - 1
            if extra:
                ui.label(f"+ {extra} more server(s) from Settings").classes("text-sm text-gray-600")

    def _build_footer(self) -> None:
        """The summary, error line, Settings link and the Cancel / Start buttons."""
        self.summary = ui.label("Counting…").classes("text-sm font-medium").mark("auto-summary")
        self.error = ui.label("").classes("text-sm text-red-700 whitespace-pre-wrap").mark("auto-error")
        self.settings_link = ui.link("Open Settings", SETTINGS_URL).classes("text-sm")
        self.settings_link.mark("auto-settings-link").visible = False
        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=lambda: self.submit(None)).props("flat").mark("auto-cancel")
            self.start = ui.button("Start", icon="auto_awesome", on_click=self._start).mark("auto-start")

    def options(self) -> dict[str, Any]:
        """The job options as auto-generate takes them."""
        return {
            "vision_model": (self.model.value or "").strip() or None,
            "overwrite_existing": bool(self.overwrite.value),
            "overwrite_manual": bool(self.overwrite.value and self.overwrite_manual.value),
            "min_quality_threshold": float(self.threshold.value)
            if self.use_threshold.value and self.threshold.value is not None
            else None,
            "custom_prompt": (self.prompt.value or "").strip() or None,
            "file_ids": self.file_ids,
            "parallel": max(1, int(self.parallel.value or 1)),
        }

    def _replan(self) -> None:
        background_tasks.create(self._count(), name="plan caption job")

    async def _count(self) -> None:
        self._asked += 1
        asked = self._asked  # only the answer to the latest options may show (answers can overtake)
        options = self.options()
        vision = self.services.settings["vision"]
        try:
            plan = await run.io_bound(
                plan_job,
                self.services.db,
                self.caption_set.id,
                file_ids=options["file_ids"],
                overwrite_existing=options["overwrite_existing"],
                overwrite_manual=options["overwrite_manual"],
                min_quality_threshold=options["min_quality_threshold"],
            )
            slots = sum(e["parallel"] for e in job_endpoints(vision, options["parallel"]))
            seconds = await run.io_bound(
                caption_jobs.estimate_seconds,
                self.services.db,
                options["vision_model"] or vision["model"],
                len(plan.to_caption),
                slots,
                float(vision.get("job_estimate_seconds", 5.0)),
            )
            problem = await _servers_problem(self.services.settings, options["parallel"])
        except CaptionForgeError as exc:
            if asked != self._asked or self.is_deleted:
                return
            plan, self.error.text = None, str(exc)
        if asked != self._asked or self.is_deleted:
            return
        self.plan = plan
        self.settings_link.visible = False
        if plan is None:
            self.summary.text = ""
            self.start.disable()
            return
        self.summary.text = _summary(plan, seconds)
        if problem:
            self.error.text, self.settings_link.visible = problem, True
            self.start.disable()
            return
        self.error.text = ""
        self.start.set_enabled(bool(plan.to_caption))

    async def _start(self) -> None:
        self.start.disable()
        try:
            job = await self.services.jobs.submit(self.caption_set.id, **self.options())
        except CaptionForgeError as exc:
            self.error.text = str(exc)
            self.start.enable()
            return
        ui.notify(f"Caption job queued: {job.remaining_files} images.", type="positive")
        self.submit(job)


async def _servers_problem(settings: Any, parallel: int) -> str | None:
    """None when at least one of the job's servers answers, else what is wrong with the first."""
    problems = [await server_problem(settings, e["url"]) for e in job_endpoints(settings["vision"], parallel)]
    return None if not all(problems) else problems[0]


def _summary(plan: CaptionJobPlan, seconds: int) -> str:
    count = len(plan.to_caption)
    if not plan.total:
        return "There are no images to caption."
    reasons = ", ".join(f"{n} {reason}" for reason, n in plan.skip_reasons.items())
    skipped = f"skip {plan.skipped} ({reasons})" if plan.skipped else "skip none"
    if not count:
        return f"Nothing to caption: all {plan.total} images are skipped ({reasons})."
    missing = f" {plan.missing} image(s) are missing on disk and will fail." if plan.missing else ""
    clips = (
        f" {plan.clips} of the items are clips of videos, each captioned from its own frames."
        if plan.clips
        else ""
    )
    return f"Will caption {count} and {skipped}. Estimated time: about {format_duration(seconds)}.{missing}{clips}"
