"""Start-up checks that keep two servers apart: the host, the port (a real listener, not TIME_WAIT), the data dir lock."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import sys
from pathlib import Path

import httpx

from app.errors import StartupError

IDENTITY_PATH = "/api/system/identity"
LOCK_NAME = "captionforge.lock"
DEFAULT_PORT = 8080


def check_host(host: str) -> None:
    """Refuse a host that is not an address of this machine, in one line."""
    try:
        family = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((host, 0))
    except (socket.gaierror, UnicodeError, OSError) as exc:
        if isinstance(exc, OSError) and not isinstance(exc, socket.gaierror) and exc.errno == errno.EACCES:
            return
        raise StartupError(
            f"--host {host} is not an address of this machine. Use 127.0.0.1 (this computer only), "
            "or --lan to serve on every interface."
        ) from None


def choose_port(host: str, port: int) -> int:
    """The port to serve on: `port` when free; 0 ("auto") takes the next free one from 8080 and says so.

    A port held only by closed connections in TIME_WAIT counts as free (the server binds with
    SO_REUSEADDR); a real listener is named, CaptionForge or not, with the next free port offered.
    """
    if port == 0:
        chosen = next_free_port(host, DEFAULT_PORT)
        print(f"CaptionForge: --port auto chose port {chosen}.", file=sys.stderr)
        return chosen
    holder = port_holder(host, port)
    if holder:
        offer = next_free_port(host, port + 1)
        raise StartupError(
            f"Port {port} on {host} is in use by {holder}. Stop it, or start with --port {offer} "
            "(free now) or --port auto."
        )
    return port


def next_free_port(host: str, start: int) -> int:
    for candidate in range(max(start, 1), 65536):
        if not port_holder(host, candidate):
            return candidate
    raise StartupError(f"No free port on {host} from {start} up. Stop another server and try again.")


def port_holder(host: str, port: int) -> str | None:
    """Who listens on host:port ("CaptionForge (pid 12, data dir /x)", "another program"), or None when free."""
    target = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    try:
        with socket.create_connection((target, port), timeout=0.5):
            pass
    except OSError:
        return None if _binds(host, port) else _program_on(port) or "another program"
    return _identify(target, port)


def _binds(host: str, port: int) -> bool:
    """Whether uvicorn could bind: same SO_REUSEADDR it uses, so TIME_WAIT does not count as taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        if os.name != "nt":
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _identify(host: str, port: int) -> str:
    url_host = f"[{host}]" if ":" in host else host
    try:
        answer = httpx.get(f"http://{url_host}:{port}{IDENTITY_PATH}", timeout=1.0)
    except httpx.HTTPError:
        return _program_on(port) or "another program"
    try:
        info = answer.json() if answer.status_code == 200 else {}
    except ValueError:
        info = {}
    if isinstance(info, dict) and info.get("app") == "CaptionForge":
        return f"another CaptionForge (pid {info.get('pid')}, data dir {info.get('data_dir')})"
    if answer.status_code == 401:
        return "a server that asks for a token (a CaptionForge in LAN mode?)"
    return _program_on(port) or "another program"


def _program_on(port: int) -> str | None:
    """'another program (nginx, pid 12)' where Linux's /proc can say who listens on the port, else None."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                    inodes.add(f"socket:[{fields[9]}]")
    if not inodes:
        return None
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) in inodes:
                    name = (proc / "comm").read_text().strip()
                    return f"another program ({name}, pid {proc.name})"
    return None


class DataDirLock:
    """One server per data dir: an OS lock on <data-dir>/captionforge.lock, released by the OS when its
    holder dies (kill -9 included), so a stale file is taken over without asking."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LOCK_NAME
        self._handle = None

    def acquire(self) -> None:
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the process's life
        try:
            _lock(handle)
        except OSError:
            handle.seek(0)
            holder = _describe(handle.read())
            handle.close()
            raise StartupError(
                f"Another CaptionForge{holder} already uses the data dir {self.path.parent}. "
                "Stop it first, or start this one with another --data-dir."
            ) from None
        self._handle = handle
        self.note()

    def note(self, url: str = "") -> None:
        """Record who holds the lock (pid, URL) for the next one's message."""
        if self._handle is None:
            return
        with contextlib.suppress(OSError):
            self._handle.seek(0)
            self._handle.truncate()
            self._handle.write(json.dumps({"pid": os.getpid(), "url": url}))
            self._handle.flush()

    def release(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None


def _describe(text: str) -> str:
    try:
        info = json.loads(text)
    except ValueError:
        return ""
    parts = [f"pid {info['pid']}"] if info.get("pid") else []
    if info.get("url"):
        parts.append(f"on {info['url']}")
    return f" ({', '.join(parts)})" if parts else ""


def _lock(handle) -> None:
    if os.name == "nt":
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
