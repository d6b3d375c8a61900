"""Each bad start stops with one clear line and overwrites nothing."""

import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.db import Database, migrate
from app.errors import StartupError

PROJECT = Path(__file__).resolve().parents[2]


def run_main(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "main.py", "--no-browser", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "new.db"
    db = Database(f"sqlite:///{path}")
    migrate(db)
    with db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num='9999_future'")
    before = path.read_bytes()
    with pytest.raises(StartupError, match="newer CaptionForge"):
        migrate(Database(f"sqlite:///{path}"))
    assert path.read_bytes() == before


def test_corrupt_database_is_refused_untouched(tmp_path):
    path = tmp_path / "bad.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StartupError, match="may be corrupt"):
        migrate(Database(f"sqlite:///{path}"))
    assert path.read_bytes() == b"this is not a database" * 100


def test_port_in_use_stops_with_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_main("--port", str(port), "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 2
    assert f"Port {port} on 127.0.0.1 is in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_broken_settings_stop_the_app_without_traceback(tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    (data / "settings.yaml").write_text("server: [unclosed\n")
    result = run_main("--data-dir", str(data))
    assert result.returncode == 2
    assert "settings.yaml, line" in result.stderr and "Traceback" not in result.stderr
    assert (data / "settings.yaml").read_text() == "server: [unclosed\n"


def test_corrupt_database_stops_the_app_with_one_line(tmp_path):
    data = tmp_path / "d"
    data.mkdir()
    (data / "database.db").write_bytes(b"garbage" * 500)
    result = run_main("--data-dir", str(data))
    assert result.returncode == 2
    assert "may be corrupt" in result.stderr and "Traceback" not in result.stderr
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(data / "database.db").execute("select 1 from sqlite_master").fetchall()


def test_help_lists_every_option():
    result = subprocess.run(
        [sys.executable, "main.py", "--help"], cwd=PROJECT, capture_output=True, text=True
    )
    for option in (
        "--host",
        "--port",
        "--data-dir",
        "--config",
        "--database-url",
        "--native",
        "--lan",
        "--no-browser",
        "--log-level",
    ):
        assert option in result.stdout
