"""Every bad start option is one line that says what to do; the port check tells a listener from TIME_WAIT."""

from __future__ import annotations

import os
import socket
import sys

import pytest

from app.db import Database, migrate
from app.errors import StartupError
from app.lifecycle import DataDirLock, check_host, choose_port, port_holder
from tests.unit.test_startup_errors import run_main


@pytest.mark.parametrize("port", ["70000", "-1", "65536", "eighty"])
def test_a_port_outside_the_range_is_one_line(tmp_path, port):
    result = run_main("--port", port, "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 2
    assert "use 1-65535, or auto" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "url", ["nosuchdialect://x/y", "postgresql+nodriver://u@h/db", "not a url", "mysql://"]
)
def test_an_unknown_database_url_is_one_line(tmp_path, url):
    result = run_main("--database-url", url, "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 2, result.stderr
    assert "cannot be used" in result.stderr and "Traceback" not in result.stderr


def test_a_database_in_a_missing_folder_is_created(tmp_path):
    path = tmp_path / "not" / "yet" / "here.db"
    migrate(Database(f"sqlite:///{path}"))
    assert path.exists()


@pytest.mark.parametrize("host", ["999.1.1.1", "203.0.113.7", "no-such-host.invalid", "::ffff:1.2.3.4x"])
def test_a_host_that_is_not_this_machine_is_named(host):
    with pytest.raises(StartupError, match="not an address of this machine"):
        check_host(host)


def test_a_host_not_on_this_machine_is_not_called_a_busy_port(tmp_path):
    result = run_main("--host", "999.1.1.1", "--data-dir", str(tmp_path / "d"))
    assert result.returncode == 2
    assert "not an address of this machine" in result.stderr and "in use" not in result.stderr


def test_time_wait_does_not_count_as_taken():
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        accepted.close()  # the server side closes first: its end sits in TIME_WAIT
        client.close()
    assert port_holder("127.0.0.1", port) is None
    assert choose_port("127.0.0.1", port) == port


def test_a_real_listener_is_named_and_the_next_free_port_offered():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(
            StartupError, match=r"in use by another program.*--port \d+ \(free now\)"
        ) as error:
            choose_port("127.0.0.1", port)
    if sys.platform == "linux":  # /proc names the holder: this test's own process
        assert f"pid {os.getpid()})" in str(error.value)


def test_port_auto_takes_a_free_port(capsys):
    chosen = choose_port("127.0.0.1", 0)
    assert port_holder("127.0.0.1", chosen) is None
    assert f"chose port {chosen}" in capsys.readouterr().err


def test_a_second_lock_on_one_data_dir_is_refused_and_a_released_one_taken_over(tmp_path):
    first = DataDirLock(tmp_path)
    first.acquire()
    first.note("http://127.0.0.1:8080")
    with pytest.raises(StartupError, match=r"Another CaptionForge \(pid \d+, on http://127.0.0.1:8080\)"):
        DataDirLock(tmp_path).acquire()
    first.release()  # as the OS does when the holder dies
    DataDirLock(tmp_path).acquire()
