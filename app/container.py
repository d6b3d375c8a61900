"""The running app's services, one typed field each: built once at start, handed to routes and pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from app.access_token import AccessGuard, lan_enabled
from app.config import Settings
from app.core import Core, Events
from app.db import Database
from app.jobs import exports as export_jobs
from app.jobs import runner as caption_job_runner
from app.jobs.exports import ExportRunner
from app.jobs.runner import JobRunner
from app.jobs.scans import ScanRegistry
from app.vision.downloads import Downloads, make_downloads


@dataclass(frozen=True)
class AppServices:
    """Settings, database, events and every long-lived service of one running app."""

    core: Core
    jobs: JobRunner
    exports: ExportRunner
    scans: ScanRegistry
    downloads: Downloads
    access: AccessGuard

    @property
    def settings(self) -> Settings:
        return self.core.settings

    @property
    def db(self) -> Database:
        return self.core.db

    @property
    def events(self) -> Events:
        return self.core.events


def build_services(core: Core) -> AppServices:
    """Create the long-lived services of `core` and register their start-up and shutdown hooks on it."""
    jobs = caption_job_runner.install(core)  # recover or resume on start, mark interrupted on stop
    scans = ScanRegistry(core)
    core.startup_hooks.append(scans.recover_on_start)  # a scan the app died in says so
    core.shutdown_hooks.append(scans.stop_all)
    return AppServices(
        core=core,
        jobs=jobs,
        exports=export_jobs.install(core),
        scans=scans,
        downloads=make_downloads(core),
        access=AccessGuard(core.settings.data_dir, enabled=lan_enabled(core.settings)),
    )


def attach(fastapi_app: FastAPI, services: AppServices) -> None:
    """Make `services` what the routes' `ServicesDep` receives."""
    fastapi_app.state.services = services


def get_services(request: Request) -> AppServices:
    """FastAPI dependency: the running app's services."""
    return request.app.state.services


ServicesDep = Annotated[AppServices, Depends(get_services)]
