"""CaptionForge entry point: parse the command line, build the app, serve it."""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> None:
    """Build everything and serve; exits with one clear line when the app cannot start."""
    # Imported here, not at the top: spawned worker processes import this module and must stay light.
    from app import server
    from app.cli import cli_overrides, parse_args
    from app.config import load_settings
    from app.core import build_core
    from app.errors import StartupError
    from app.lifecycle import DataDirLock
    from app.logs import setup_logging

    args = parse_args(argv)
    try:
        settings = load_settings(args.data_dir, args.config, cli_overrides(args))
        setup_logging(settings.logs_dir, settings["server"]["log_level"])
        lock = DataDirLock(settings.data_dir)
        if not os.environ.get("NICEGUI_USER_SIMULATION"):
            lock.acquire()  # two servers must never write one database
        core = build_core(settings)
        core.instance_lock = lock
        server.run(server.register(core))
    except StartupError as exc:
        print(f"CaptionForge cannot start: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


if __name__ == "__main__":  # not "__mp_main__": process-pool workers must not start the app
    # Under NiceGUI's test plugin main.py is run per test; pytest's own arguments are not ours.
    main([] if os.environ.get("NICEGUI_USER_SIMULATION") else sys.argv[1:])
