"""Command-line options of `./start.sh` and `python main.py`."""

from __future__ import annotations

import argparse
from typing import Any

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def port_number(text: str) -> int:
    """A --port value: 1-65535, or 0 / "auto" for the next free port (0 is returned for both)."""
    if text.strip().lower() == "auto":
        return 0
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: use 1-65535, or auto for a free port")
    return value


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse the command line; `--help` lists every option."""
    parser = argparse.ArgumentParser(
        prog="captionforge",
        description="CaptionForge: prepare LoRA training datasets. Serves on http://127.0.0.1:8080 by default.",
    )
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1; --lan uses 0.0.0.0)")
    parser.add_argument(
        "--port", type=port_number, help="port to listen on, 1-65535 (default 8080); 0 or auto: a free port"
    )
    parser.add_argument(
        "--data-dir", help="folder for the database, thumbnails, exports and logs (default ./data)"
    )
    parser.add_argument("--config", help="settings file (default <data-dir>/settings.yaml)")
    parser.add_argument("--database-url", help="any SQLAlchemy URL (default SQLite in the data dir)")
    parser.add_argument(
        "--native", action="store_true", help="open a desktop window (needs the native extra)"
    )
    parser.add_argument(
        "--lan", action="store_true", help="serve on the LAN; every request needs the access token"
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    parser.add_argument("--log-level", choices=LOG_LEVELS, type=str.upper, help="console and file log level")
    return parser.parse_args(argv)


def cli_overrides(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """The settings the command line sets, in the settings.yaml shape."""
    server: dict[str, Any] = {}
    if args.host:
        server["host"] = args.host
    if args.port is not None:
        server["port"] = args.port
    if args.native:
        server["native"] = True
    if args.lan:
        server["lan"] = True
    if args.no_browser:
        server["open_browser"] = False
    if args.log_level:
        server["log_level"] = args.log_level
    overrides: dict[str, dict[str, Any]] = {"server": server}
    if args.database_url:
        overrides["database"] = {"url": args.database_url}
    return overrides
