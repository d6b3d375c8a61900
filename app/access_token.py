"""The LAN access token: where it lives, the cookies it signs, the per-address throttle, and when it is
required at all. The middleware that applies it to every request is app.security."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from app.config import secret_file
from app.errors import Invalid

TOKEN_ENV = "CAPTIONFORGE_TOKEN"
TOKEN_FILE = "access_token"
COOKIE_MAX_AGE = 30 * 24 * 3600
MAX_FAILURES = 5  # wrong tokens from one address before it has to wait
FAILURE_WINDOW = 15 * 60  # seconds a failure is remembered
BASE_BACKOFF = 30  # seconds of the first wait; doubles with each further failure
MAX_BACKOFF = 15 * 60
MAX_TRACKED_ADDRESSES = 4096
_TOKEN_IN_QUERY = re.compile(r"([?&])token=[^&\s]*")


def lan_enabled(settings) -> bool:
    """Whether the token is required: LAN mode, or any non-loopback host. Never for the native window."""
    server = settings["server"]
    if server["native"]:
        return False
    return bool(server["lan"]) or not _is_loopback(server["host"])


def print_lan_urls(urls: Iterable[str], token: str) -> None:
    """Print the addresses other computers can open, each carrying the token once (call after startup)."""
    lines = [f"  {url.rstrip('/')}/?token={token}" for url in sorted(urls, key=lambda u: "localhost" in u)]
    print(
        "CaptionForge is on your network. On the other computer open (keep these links private):\n"
        + "\n".join(lines or ["  (no network address found)"]),
        flush=True,
    )


class RedactToken(logging.Filter):
    """Keep `?token=...` out of the access log (uvicorn logs every request line)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_QUERY.sub(r"\1token=***", a) if isinstance(a, str) else a for a in record.args
            )
        return True


def redact_access_log() -> None:
    """Install RedactToken on uvicorn's access logger (after uvicorn configured its logging)."""
    logging.getLogger("uvicorn.access").addFilter(RedactToken())


class AccessGuard:
    """The access token, its cookie signatures and the per-address throttle. Thread-safe."""

    def __init__(
        self,
        data_dir: Path,
        enabled: bool,
        environ: dict[str, str] | os._Environ | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        environ = os.environ if environ is None else environ
        self.enabled = enabled
        self.data_dir = data_dir
        self.from_env = bool(environ.get(TOKEN_ENV, "").strip())
        self._token = environ[TOKEN_ENV].strip() if self.from_env else secret_file(data_dir, TOKEN_FILE)
        self._clock = clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    @property
    def token(self) -> str:
        return self._token

    def rotate(self) -> str:
        """Replace the token (old links and cookies stop working) and return the new one."""
        if self.from_env:
            raise Invalid(f"The token comes from the {TOKEN_ENV} environment variable: change it there.")
        new = secrets.token_urlsafe(24)
        path = self.data_dir / TOKEN_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.chmod(0o600)
        os.replace(tmp, path)
        self._token = new
        return new

    def token_matches(self, candidate: str) -> bool:
        """Constant-time, and comparing digests so not even the token's length leaks."""
        digest = hashlib.sha256
        return hmac.compare_digest(digest(candidate.encode()).digest(), digest(self._token.encode()).digest())

    def cookie_value(self) -> str:
        """A cookie proving the token was presented: issue time plus an HMAC keyed by the token."""
        issued = str(int(time.time()))
        return f"{issued}.{self._sign(issued)}"

    def cookie_valid(self, value: str) -> bool:
        issued, _, signature = value.partition(".")
        if not issued.isdigit() or time.time() - int(issued) > COOKIE_MAX_AGE:
            return False
        return hmac.compare_digest(signature.encode(), self._sign(issued).encode())

    def wait_seconds(self, address: str) -> int:
        """Seconds this address must wait before its next token attempt (0 = may try now)."""
        with self._lock:
            failures = self._recent(address)
            if len(failures) < MAX_FAILURES:
                return 0
            backoff = min(MAX_BACKOFF, BASE_BACKOFF * 2 ** (len(failures) - MAX_FAILURES))
            return max(0, int(failures[-1] + backoff - self._clock()) + 1)

    def record_failure(self, address: str) -> None:
        with self._lock:
            if len(self._failures) > MAX_TRACKED_ADDRESSES:  # many addresses: forget the stale ones
                for stale in [a for a in self._failures if not self._recent(a)]:
                    del self._failures[stale]
            self._recent(address).append(self._clock())

    def record_success(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)

    def _recent(self, address: str) -> list[float]:
        cutoff = self._clock() - FAILURE_WINDOW
        kept = [t for t in self._failures.get(address, []) if t > cutoff]
        self._failures[address] = kept
        return kept

    def _sign(self, issued: str) -> str:
        return hmac.new(
            self._token.encode(), f"captionforge-cookie:{issued}".encode(), hashlib.sha256
        ).hexdigest()


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name or "": it may resolve to a public interface
        return False
